// Reading and validating a WebAssembly binary with Binaryen (see binaryen_reader.h).
#include "compiler/frontend/binaryen_reader.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <iterator>
#include <string_view>

namespace lunaticc {

BinaryenFeatures wasm2Features() {
  return BinaryenFeatureMVP() | BinaryenFeatureMutableGlobals() | BinaryenFeatureSignExt() |
         BinaryenFeatureNontrappingFPToInt() | BinaryenFeatureMultivalue() |
         BinaryenFeatureBulkMemory() | BinaryenFeatureReferenceTypes() | BinaryenFeatureSIMD128();
}

// Binaryen reports a wrong header as a generic parse failure; say what is wrong instead.
std::string checkHeader(const std::vector<char>& bytes) {
  static constexpr char magic[4] = {'\0', 'a', 's', 'm'};
  static constexpr char version1[4] = {1, 0, 0, 0};
  if (bytes.size() < 8) {
    return "not a WebAssembly module: only " + std::to_string(bytes.size()) + " bytes";
  }
  if (std::memcmp(bytes.data(), magic, 4) != 0) {
    if (bytes[0] == '(' || bytes[0] == ';' || std::isspace(static_cast<unsigned char>(bytes[0]))) {
      return "not a WebAssembly binary (text format? convert it with wat2wasm first)";
    }
    return "not a WebAssembly module: bad magic number";
  }
  if (std::memcmp(bytes.data() + 4, version1, 4) != 0) {
    return "unsupported WebAssembly binary version";
  }
  return {};
}

BinaryenModulePtr readModule(std::vector<char>& bytes, std::string& error) {
  BinaryenSetColorsEnabled(false);
  BinaryenModulePtr module(BinaryenModuleRead(bytes.data(), bytes.size()));
  if (!module) {
    error = "malformed module";
    return nullptr;
  }
  // Validation is ours (validate.h), by the spec's rules: Binaryen's validator refuses
  // valid modules whose segments trap at instantiation, and misses errors in dead code.
  // Binaryen still needs to know the feature set for what it does with the IR.
  BinaryenModuleSetFeatures(module.get(), wasm2Features());
  return module;
}

namespace {

// A signature string of abi.h ("Ii:i") as Wasm text writes a type: "(i64, i32) -> i32".
std::string describeSignature(std::string_view signature) {
  auto typeName = [](char code) -> std::string_view {
    switch (code) {
      case LUNATIC_TYPE_I32: return "i32";
      case LUNATIC_TYPE_I64: return "i64";
      case LUNATIC_TYPE_F32: return "f32";
      case LUNATIC_TYPE_F64: return "f64";
      case LUNATIC_TYPE_V128: return "v128";
      case LUNATIC_TYPE_FUNCREF: return "funcref";
      case LUNATIC_TYPE_EXTERNREF: return "externref";
    }
    return "?";
  };
  auto list = [&](std::string_view codes) {
    std::string out;
    for (char code : codes) {
      if (!out.empty()) out += ", ";
      out += typeName(code);
    }
    return out;
  };
  size_t colon = signature.find(':');
  std::string results = list(signature.substr(colon + 1));
  return "(" + list(signature.substr(0, colon)) + ") -> " + (results.empty() ? "()" : results);
}

}  // namespace

std::string checkExecutableImports(const ModuleInfo& info) {
  // Everything an executable can import is a host function of the runtime: WASI, or Lunatic's
  // host ABI with the signature the runtime gives it. Tables, memories and globals could only
  // come from other modules, which it does not have.
  static constexpr std::string_view wasi_functions[] = {
#define LUNATIC_WASI_FUNCTION(name, signature) #name,
#include "lunatic/wasi_functions.def"
#undef LUNATIC_WASI_FUNCTION
  };
  struct HostFunction {
    std::string_view module, name, signature;
  };
  static constexpr HostFunction lunatic_functions[] = {
#define LUNATIC_HOST_FUNCTION(module, name, signature) {"lunatic::" #module, #name, signature},
#include "lunatic/lunatic_functions.def"
#undef LUNATIC_HOST_FUNCTION
  };
  static constexpr const char* kind_names[] = {"function", "table", "memory", "global"};
  for (const Import& import : info.imports) {
    std::string full_name = import.module + "." + import.name;
    if (import.kind == LUNATIC_EXTERN_FUNC && import.module == "wasi_snapshot_preview1" &&
        std::find(std::begin(wasi_functions), std::end(wasi_functions), import.name) != std::end(wasi_functions)) {
      continue;
    }
    const HostFunction* host =
        std::find_if(std::begin(lunatic_functions), std::end(lunatic_functions),
                     [&](const HostFunction& f) { return f.module == import.module && f.name == import.name; });
    if (import.kind != LUNATIC_EXTERN_FUNC || host == std::end(lunatic_functions)) {
      return std::string("unknown import: ") + kind_names[import.kind] + " " + full_name +
             " (the runtime does not provide it)";
    }
    const FuncType& type = info.types[info.function_types[import.index]];
    std::string signature(type.params.begin(), type.params.end());
    signature += ':';
    signature.append(type.results.begin(), type.results.end());
    if (signature != host->signature) {
      return "import " + full_name + " has type " + describeSignature(signature) + ", but the runtime's is " +
             describeSignature(host->signature);
    }
  }
  return {};
}

}  // namespace lunaticc
