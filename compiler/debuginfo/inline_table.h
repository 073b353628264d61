// The inline table of a module (abi.h, lunatic_inline_table): where LLVM's inliner put a
// copy of one function into another, so that trap backtraces name the frames the native
// stack no longer has. At -O2 most small functions are inlined, and a trap in one used to
// be reported in its caller.
//
// Built after code generation from the DWARF LLVM wrote into the module's object (every
// function has a subprogram and all its code a location: debug_info.h), so it is exactly
// what the optimiser did: each DW_TAG_inlined_subroutine's ranges in the module's code
// section, as offsets from its start (the section is one input section to the linker, laid
// out whole), with their nesting depth, the inlined function's name and the line that calls
// it; with -g also the object's line table, the guest's file and line of the code, for the
// trap backtrace's `file:line`. The table is a
// constant in an object of its own, linked beside the module's; the descriptor refers to
// it weakly.
#pragma once

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace lunaticc {

// Reads the object at `object_path`, whose code lies in section `code_section`, and returns
// a module defining the table as `symbol` (LUNATIC_INLINE_TABLE_PREFIX + the module's
// symbol), or null and an error line in `error`.
std::unique_ptr<llvm::Module> buildInlineTable(const std::string& object_path, const std::string& code_section,
                                               const std::string& symbol, llvm::LLVMContext& context,
                                               std::string& error);

}  // namespace lunaticc
