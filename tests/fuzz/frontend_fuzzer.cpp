// libFuzzer target for lunaticc's front end: header check, section decoder, validator,
// the rewrite for Binaryen, and Binaryen's reader. Any crash, sanitizer report, or exit is
// a finding: Binaryen ends the process on input it cannot read, and the validator is meant
// to refuse all such input first. Build and run with tools/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/binaryen_compat.h"
#include "compiler/frontend/binaryen_reader.h"
#include "compiler/frontend/module_info.h"
#include "compiler/frontend/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<char> bytes(reinterpret_cast<const char*>(data), reinterpret_cast<const char*>(data) + size);
  if (!lunaticc::checkHeader(bytes).empty()) return 0;
  std::string error;
  std::optional<lunaticc::ModuleInfo> info = lunaticc::readModuleInfo({data, size}, error);
  if (!info) return 0;
  lunaticc::CodeEdits edits;
  if (!lunaticc::validateModule(*info, &edits).empty() || !edits.unsupported.empty()) return 0;
  std::vector<char> readable = lunaticc::makeReadableByBinaryen({data, size}, *info, edits);
  lunaticc::readModule(readable, error);
  return 0;
}
