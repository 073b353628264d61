// Where each of Binaryen's expressions came from in the module's binary: the offset of its
// instruction in the code section, which is how guest DWARF (clang -g, rustc -g) names code.
//
// Binaryen 108 keeps such offsets only behind its C++ API, which Debian does not install, so
// they are found again: the body's instructions (their starts recorded by the validator)
// and the expression tree walked in the order the binary encodes it (operands before their
// instruction; block, loop and if where they open) are matched in step, by kind and, for
// locals, globals and calls, by index. Binaryen's reader adds a few expressions of its own
// (scratch locals for stack-shaped code, blocks) and drops unreachable code; those find no
// match within a short window and the walk goes on from where it was, so one stray
// expression costs at most its own offset, never those after it.
#pragma once

#include <binaryen-c.h>

#include <cstdint>
#include <unordered_map>

#include "compiler/frontend/module_info.h"
#include "compiler/frontend/validate.h"

namespace lunaticc {

// Code section offset of each expression that was matched to an instruction.
using ExpressionOffsets = std::unordered_map<BinaryenExpressionRef, uint32_t>;

// Maps the expressions of every function `module` defines. Call it on the module as read,
// before any pass changes it. `starts` are what validateModule recorded for `info`.
ExpressionOffsets mapExpressionOffsets(BinaryenModuleRef module, const ModuleInfo& info,
                                       const InstructionStarts& starts);

}  // namespace lunaticc
