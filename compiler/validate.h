// Validation of a decoded module by the rules of the WebAssembly 2.0 specification, function
// bodies included. Binaryen's validator is looser (it skips unreachable code, for one), and
// lunaticc must refuse every invalid module with a clear message before compiling it.
#pragma once

#include <string>
#include <vector>

#include "module_info.h"

namespace lunaticc {

// A table instruction Binaryen 108 cannot read (table.init, elem.drop, table.copy,
// table.fill), located while validating so binaryen_compat.h can rewrite it.
struct TableInstruction {
  uint32_t function = 0;       // defined-function position (0 = first body)
  size_t begin = 0, end = 0;   // byte range within the body
  uint32_t misc_opcode = 0;    // 12, 13, 14 or 17 after the 0xfc prefix
  uint32_t immediates[2] = {0, 0};
};

// Returns an empty string for a valid module, else one line naming the first problem.
// If `table_instructions` is given, every instruction Binaryen cannot read is appended.
std::string validateModule(const ModuleInfo& info,
                           std::vector<TableInstruction>* table_instructions = nullptr);

}  // namespace lunaticc
