// Reading and validating a WebAssembly binary with Binaryen (see binaryen_reader.h).
#include "compiler/frontend/binaryen_reader.h"

#include <cctype>
#include <cstring>

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

}  // namespace lunaticc
