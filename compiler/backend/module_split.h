// Cutting an LLVM module into parts that are optimised and compiled to machine code on
// threads of their own, and joining the parts' objects into one (used by codegen.cpp).
//
// Each part goes through the whole of LLVM's pipeline on its own, so the serial part of a
// compilation is only translation and the cut. What a part cannot see of the others is
// their function bodies: the interprocedural passes treat calls to them as calls to unknown
// code, and the inliner sees only the small callees a part is given copies of. Little is
// lost that way: the module comes from a compiler that has inlined already, and small
// functions are what LLVM still inlines after it.
#pragma once

#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringSet.h>
#include <llvm/Support/Error.h>

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Function;
class LLVMContext;
class Module;
}

namespace lunaticc {

// A function so large that LLVM's optimising pipeline would take more than seconds on it
// (more than this many instructions as translated: LLVM's register allocators and several of
// its passes cost the square of a function's size in some shapes, such as thousands of
// values live across thousands of calls or blocks). The largest function of ordinary
// programs (C's printf, say) is well under half of this. An oversized function is compiled
// as at -O0, in a part of its own when the module is cut (codegen.cpp).
constexpr size_t kOversizedFunctionInstructions = 20000;
bool isOversized(const llvm::Function& function);

// How a module is cut: into `parts` parts, of which the last `oversized_parts` hold the
// oversized functions and nothing else but copies of constants.
struct SplitPlan {
  unsigned parts = 1;
  unsigned oversized_parts = 0;
};

// How `module` is cut. Its ordinary functions go to `requested` parts if not 0 (lunaticc
// --codegen-parts, so tests can take this path with small modules), else to one per core the
// process may run on but no part smaller than a few thousand instructions (a thread and a
// bitcode round trip cost more than they save on small modules); its oversized functions to
// parts of their own, up to one per core. Never cut (one part) a module with special globals
// (llvm.used and the like), which would have to be in every part at once.
SplitPlan planSplit(const llvm::Module& module, unsigned requested);

// `module` cut into parts as `plan` says, each part of about equal size, each read into an
// LLVMContext of its own (a context is not thread-safe), so parts are optimised and compiled
// on threads of their own.
// Functions are spread over the parts and global variables go to the first; what one part
// uses of another is linked by name, so `module` is changed too: its internal symbols become
// hidden ones, renamed to be unique to the module (prefixed with its identifier, the module
// symbol, so objects of several modules still link together). Constants whose address nobody
// compares are copied into every part that uses them instead, so each part can still fold
// loads from them. With `import_small_callees`, a part of ordinary functions also gets
// copies of the small functions it calls in other parts, for the inliner only.
class ModuleSplit {
 public:
  ModuleSplit(llvm::Module& module, SplitPlan plan, bool import_small_callees);

  // Reads part `part` into `context`. Safe to call from several threads at once.
  llvm::Expected<std::unique_ptr<llvm::Module>> readPart(unsigned part, llvm::LLVMContext& context) const;

 private:
  llvm::SmallVector<char, 0> bitcode_;  // the whole module, read lazily by each part
  std::vector<llvm::StringSet<>> definitions_;  // per part, the functions it defines
  std::vector<llvm::StringSet<>> imports_;  // per part, the functions it has copies of
};

// Joins ELF objects into one relocatable object at `output` (lld -r). Returns an empty
// string on success, else one line.
std::string joinObjects(const std::vector<std::string>& objects, const std::string& output);

}  // namespace lunaticc
