// Binaryen 108 cannot read some valid WebAssembly 2.0: table.init, elem.drop, table.copy and
// table.fill (it stops at their opcodes), blocks with parameters, names containing a NUL
// byte, and custom sections with such names. Rather than lose those modules, lunaticc
// rewrites the binary first:
//  - a block, loop or if with parameters takes them from fresh locals instead, and branches
//    back to such a loop store their values there first;
//  - every such table instruction becomes a call to an appended "marker" function of the
//    same stack type; ModuleInfo::table_op_markers tells the translator what each stands for;
//  - import and export names with a NUL byte are replaced by placeholders (ModuleInfo keeps
//    the real ones);
//  - custom sections other than "name" are dropped (nothing downstream reads them), and the
//    name section keeps only function names, without any that hold a NUL byte;
//  - the element section is dropped: the translator takes segments from ModuleInfo, and
//    Binaryen refuses some valid encodings of them.
// Appending keeps every existing type and function index valid, so nothing else changes.
#pragma once

#include <span>
#include <vector>

#include "compiler/frontend/module_info.h"
#include "compiler/frontend/validate.h"

namespace lunaticc {

// Returns the bytes to give Binaryen, and records markers and renames in `info`.
// `edits` are what validateModule recorded; edits.unsupported must be empty.
std::vector<char> makeReadableByBinaryen(std::span<const uint8_t> original, ModuleInfo& info,
                                         const CodeEdits& edits);

}  // namespace lunaticc
