// The runtime's host functions, from the ABI's lists (see host_functions.h).
#include "compiler/frontend/host_functions.h"

#include <algorithm>
#include <iterator>

namespace lunaticc {
namespace {

constexpr std::string_view kLunaticPrefix = "lunatic::";

constexpr HostFunction kHostFunctions[] = {
#define LUNATIC_HOST_FUNCTION(module, name, signature) {"lunatic::" #module, #name, signature},
#include "lunatic/lunatic_functions.def"
#undef LUNATIC_HOST_FUNCTION
#define LUNATIC_WASI_FUNCTION(name, signature) {"wasi_snapshot_preview1", #name, signature},
#include "lunatic/wasi_functions.def"
#undef LUNATIC_WASI_FUNCTION
};

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
  std::string described = "(";
  described.append(list(signature.substr(0, colon))).append(") -> ").append(results.empty() ? "()" : results);
  return described;
}

}  // namespace

const HostFunction* findHostFunction(std::string_view module, std::string_view name) {
  auto found = std::find_if(std::begin(kHostFunctions), std::end(kHostFunctions),
                            [&](const HostFunction& f) { return f.module == module && f.name == name; });
  return found == std::end(kHostFunctions) ? nullptr : found;
}

std::string hostFunctionSymbol(const HostFunction& function) {
  std::string_view module = function.module;
  if (module.starts_with(kLunaticPrefix)) module.remove_prefix(kLunaticPrefix.size());
  return std::string(LUNATIC_HOST_SYMBOL_PREFIX).append(module).append("_").append(function.name);
}

std::string checkExecutableImports(const ModuleInfo& info) {
  // Everything an executable can import is a host function of the runtime: WASI, or Lunatic's
  // host ABI with the signature the runtime gives it. Tables, memories and globals could only
  // come from other modules, which it does not have.
  static constexpr const char* kind_names[] = {"function", "table", "memory", "global"};
  for (const Import& import : info.imports) {
    const HostFunction* host = findHostFunction(import.module, import.name);
    if (import.kind != LUNATIC_EXTERN_FUNC || !host) {
      return std::string("unknown import: ") + kind_names[import.kind] + " " + import.module + "." + import.name +
             " (the runtime does not provide it)";
    }
    const FuncType& type = info.types[info.function_types[import.index]];
    std::string signature(type.params.begin(), type.params.end());
    signature += ':';
    signature.append(type.results.begin(), type.results.end());
    if (signature != host->signature) {
      return "import " + import.module + "." + import.name + " has type " + describeSignature(signature) +
             ", but the runtime's is " + describeSignature(host->signature);
    }
  }
  return {};
}

}  // namespace lunaticc
