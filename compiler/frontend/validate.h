// Validation of a decoded module by the rules of the WebAssembly 2.0 specification, function
// bodies included. Binaryen's validator is looser (it skips unreachable code, for one), and
// lunaticc must refuse every invalid module with a clear message before compiling it.
#pragma once

#include <string>
#include <vector>

#include "compiler/frontend/module_info.h"

namespace lunaticc {

// Something in a function body that Binaryen 108 cannot read, located while validating so
// that binaryen_compat.h can rewrite it. Edits come in body order.
struct CodeEdit {
  enum class Kind : uint8_t {
    TableInstruction,     // table.init, elem.drop, table.copy, table.fill: becomes a call
    EnterParamBlock,      // block/loop/if whose type has parameters: they go through locals
    ElseOfParamIf,        // the else of such an if: pushes the parameters again
    EndOfParamIf,         // the end of such an if without else: gets an else that does so
    BranchToParamLoop,    // br to such a loop: stores the values in its locals first
    BranchIfToParamLoop,  // br_if to such a loop: likewise, keeping them for fall-through
  };
  Kind kind = Kind::TableInstruction;
  uint32_t function = 0;      // defined-function position (0 = first body)
  size_t begin = 0, end = 0;  // the bytes replaced, within the body
  // TableInstruction: the misc opcode (12, 13, 14, 17). EnterParamBlock: 0x02, 0x03, 0x04.
  uint32_t opcode = 0;
  // TableInstruction: its immediates. EnterParamBlock: [type index]. Branches: [depth].
  uint32_t immediates[2] = {0, 0};
  uint32_t block = 0;  // param-block edits: which param block of the function, in order
};

struct CodeEdits {
  std::vector<CodeEdit> edits;
  // For each function with param blocks: where its code starts after the locals, and how
  // many locals (parameters included) it has.
  struct Locals {
    uint32_t function = 0;
    size_t code_start = 0;
    uint32_t count = 0;
  };
  std::vector<Locals> locals;
  std::string unsupported;  // set if a construct cannot be rewritten (br_table to a param loop)
};

// Where each instruction of each function body starts: per defined function, offsets
// within its body (ModuleInfo::bodies), in order. What debug info maps guest DWARF through
// (compiler/debuginfo/wasm_offsets.h).
using InstructionStarts = std::vector<std::vector<uint32_t>>;

// Returns an empty string for a valid module, else one line naming the first problem.
// If `edits` is given, everything Binaryen cannot read is recorded there; if `starts` is,
// every instruction's offset.
std::string validateModule(const ModuleInfo& info, CodeEdits* edits = nullptr,
                           InstructionStarts* starts = nullptr);

}  // namespace lunaticc
