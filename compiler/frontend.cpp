// Reading and validating a WebAssembly binary with Binaryen (see frontend.h).
#include "frontend.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <iterator>

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
  // The reader accepts every proposal Binaryen knows; validating against 2.0 alone turns
  // later proposals (threads, exceptions, GC, memory64, ...) into errors.
  BinaryenModuleSetFeatures(module.get(), wasm2Features());
  if (!BinaryenModuleValidate(module.get())) {
    error = "invalid module";
    return nullptr;
  }
  return module;
}

std::string checkExecutableImports(BinaryenModuleRef module) {
  // Everything an executable can import is a host function of the runtime's WASI layer.
  // Tables, memories and globals can only come from other modules, which an executable
  // does not have.
  static constexpr const char* wasi_functions[] = {
#define LUNATIC_WASI_FUNCTION(name) #name,
#include "lunatic/wasi_functions.def"
#undef LUNATIC_WASI_FUNCTION
  };
  for (BinaryenIndex i = 0, n = BinaryenGetNumFunctions(module); i < n; ++i) {
    BinaryenFunctionRef function = BinaryenGetFunctionByIndex(module, i);
    const char* import_module = BinaryenFunctionImportGetModule(function);
    if (!import_module) continue;
    const char* import_name = BinaryenFunctionImportGetBase(function);
    bool known = std::strcmp(import_module, "wasi_snapshot_preview1") == 0 &&
                 std::any_of(std::begin(wasi_functions), std::end(wasi_functions),
                             [&](const char* f) { return std::strcmp(f, import_name) == 0; });
    if (!known) {
      return std::string("unknown import: ") + import_module + "." + import_name +
             " (the runtime does not provide it)";
    }
  }
  for (BinaryenIndex i = 0, n = BinaryenGetNumGlobals(module); i < n; ++i) {
    BinaryenGlobalRef global = BinaryenGetGlobalByIndex(module, i);
    if (const char* m = BinaryenGlobalImportGetModule(global)) {
      return std::string("unknown import: global ") + m + "." + BinaryenGlobalImportGetBase(global);
    }
  }
  for (BinaryenIndex i = 0, n = BinaryenGetNumTables(module); i < n; ++i) {
    BinaryenTableRef table = BinaryenGetTableByIndex(module, i);
    if (const char* m = BinaryenTableImportGetModule(table)) {
      return std::string("unknown import: table ") + m + "." + BinaryenTableImportGetBase(table);
    }
  }
  if (BinaryenHasMemory(module) && BinaryenMemoryImportGetModule(module, nullptr)) {
    return std::string("unknown import: memory ") + BinaryenMemoryImportGetModule(module, nullptr) +
           "." + BinaryenMemoryImportGetBase(module, nullptr);
  }
  return {};
}

}  // namespace lunaticc
