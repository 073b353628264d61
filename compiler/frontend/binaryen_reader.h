// Reading a WebAssembly binary into Binaryen IR, limited to WebAssembly 2.0.
#pragma once

#include <binaryen-c.h>

#include <memory>
#include <string>
#include <vector>


namespace lunaticc {

struct BinaryenModuleDeleter {
  void operator()(BinaryenModuleRef module) const { BinaryenModuleDispose(module); }
};
using BinaryenModulePtr = std::unique_ptr<std::remove_pointer_t<BinaryenModuleRef>, BinaryenModuleDeleter>;

// The WebAssembly 2.0 feature set: MVP, mutable globals, sign extension, non-trapping
// float-to-int, multi-value, bulk memory, reference types and 128-bit SIMD.
BinaryenFeatures wasm2Features();

// Checks the magic number and version; returns why the bytes are not a Wasm 1.0 binary.
std::string checkHeader(const std::vector<char>& bytes);

// Reads `bytes` into Binaryen IR. The caller has checked the header and validated the
// module (validate.h) first. On failure returns null and sets `error` to one line.
// Binaryen may end the process on malformed input; see compiler/backend/isolate.h.
BinaryenModulePtr readModule(std::vector<char>& bytes, std::string& error);

}  // namespace lunaticc
