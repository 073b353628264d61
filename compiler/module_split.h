// Cutting an LLVM module into parts that are optimised and compiled to machine code on
// threads of their own, and joining the parts' objects into one (used by codegen.cpp).
//
// The whole module goes through LLVM's simplification pipeline first (inlining and the
// interprocedural passes need every function); what is left is per function (the
// optimisation pipeline: vectorisers, unrolling; then instruction selection and register
// allocation), so the parts lose nothing by being compiled apart.
#pragma once

#include <llvm/ADT/SmallVector.h>

#include <string>
#include <vector>

namespace llvm {
class Module;
}

namespace lunaticc {

// How many parts `module` is cut into: `requested` if not 0 (lunaticc --codegen-parts, so
// tests can take this path with small modules), else one per core the process may run on
// but no part smaller than a few thousand instructions (a thread and a bitcode round trip
// cost more than they save on small modules). Always 1 for a module with special globals
// (llvm.used and the like), which would have to be in every part at once.
unsigned codegenParts(const llvm::Module& module, unsigned requested);

// Cuts `module` into `parts` modules of about equal size, returned as bitcode so that each
// can be read into an LLVMContext of its own (a context is not thread-safe). Functions are
// spread over the parts and global variables go to the first; what one part uses of
// another is linked by name, so `module` is changed too: its internal symbols become
// hidden ones, renamed to be unique to the module (prefixed with its identifier, the
// module symbol, so objects of several modules still link together). Constants whose
// address nobody compares are copied into every part that uses them instead, so each part
// can still fold loads from them.
std::vector<llvm::SmallVector<char, 0>> splitModule(llvm::Module& module, unsigned parts);

// Joins ELF objects into one relocatable object at `output` (lld -r). Returns an empty
// string on success, else one line.
std::string joinObjects(const std::vector<std::string>& objects, const std::string& output);

}  // namespace lunaticc
