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
#include <unordered_map>
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

// How a module is cut: which part each function it defines goes to. The first `parts -
// oversized_parts` parts hold ordinary functions, the others one oversized function each and
// nothing else but copies of constants.
struct SplitPlan {
  struct Placement {
    unsigned part;
    size_t instructions;  // the function's, as translated (counting them walks its body)
  };
  unsigned parts = 1;
  unsigned oversized_parts = 0;
  std::unordered_map<const llvm::Function*, Placement> placement;  // empty when not cut
};

// How `module` is cut. Never (one part) for a module with special globals (llvm.used and the
// like), which would have to be in every part at once. Its oversized functions each go to a
// part of their own. Its ordinary functions, in the module's order:
// - with `requested` (lunaticc --codegen-parts, so tests can take this path with small
//   modules), to that many parts of about equal size, whatever their order;
// - else to runs of consecutive functions of some 16,000 instructions each, which end after
//   a function chosen by its name's hash (with a chance in proportion to its size), a run
//   being at least half and at most two and a half times that. Where runs end depends on
//   the functions' names and sizes near the ends alone: a change to a function changes the
//   part that holds it and, if it changes its size, at most the next one (parts_cache.h).
//   A module smaller than a run is not cut.
SplitPlan planSplit(const llvm::Module& module, unsigned requested);

// `module` cut into parts as `plan` says, each read into an LLVMContext of its own (a context
// is not thread-safe), so parts are optimised and compiled on threads of their own.
// Global variables go to the first part; what one part uses of another is linked by name, so
// `module` is changed too: its internal symbols become hidden ones, renamed to be unique to
// the module (prefixed with its identifier, the module symbol, so objects of several modules
// still link together). Constants whose address nobody compares are copied into every part
// that uses them instead, so each part can still fold loads from them. With
// `import_small_callees`, a part of ordinary functions also gets copies of the small
// functions it calls in other parts, for the inliner only. A part holds declarations of
// only what it uses, so that what it is made of (the key of its object in the parts cache)
// does not change with functions it does not use.
class ModuleSplit {
 public:
  ModuleSplit(llvm::Module& module, const SplitPlan& plan, bool import_small_callees);

  unsigned parts() const { return unsigned(definitions_.size()); }
  // How many instructions (as translated) the functions of `part` hold: what compiling it costs.
  size_t instructions(unsigned part) const { return instructions_[part]; }

  // Reads part `part` into `context`. Safe to call from several threads at once.
  llvm::Expected<std::unique_ptr<llvm::Module>> readPart(unsigned part, llvm::LLVMContext& context) const;

 private:
  llvm::SmallVector<char, 0> bitcode_;  // the whole module, read lazily by each part
  std::vector<llvm::StringSet<>> definitions_;  // per part, the functions it defines
  std::vector<llvm::StringSet<>> imports_;  // per part, the functions it has copies of
  std::vector<size_t> instructions_;  // per part
};

// Joins ELF objects into one relocatable object at `output` (lld -r). Returns an empty
// string on success, else one line.
std::string joinObjects(const std::vector<std::string>& objects, const std::string& output);

}  // namespace lunaticc
