// Two versions of one loop, chosen between in its preheader: what loop_versioning (a copy
// without reduction checks) and address_widening (a copy with 64-bit addresses) share.
#pragma once

#include <llvm/Transforms/Utils/ValueMapper.h>

namespace llvm {
class BasicBlock;
class DominatorTree;
class Instruction;
class Loop;
class LoopInfo;
class ScalarEvolution;
class Twine;
}  // namespace llvm

namespace lunaticc {

struct LoopCopy {
  llvm::Loop* copy;
  llvm::BasicBlock* original_ph;  // the original loop's preheader from now on
  llvm::BasicBlock* copy_ph;      // the copy's
};

// Splits the preheader of `loop` (in LCSSA form) before `at`, its terminator or an
// instruction before it, and copies the loop with the part after `at` as the copy's own
// preheader. The old preheader keeps what comes before `at` and ends in a branch to
// `original_ph`, which the caller replaces by the choice between the two versions. Exit
// blocks take the copy's values in their LCSSA phis too, and the dominator tree has the
// old preheader dominate what the loop dominated. `vmap` maps the original's values to
// the copy's.
LoopCopy copyLoop(llvm::Loop& loop, llvm::Instruction* at, const llvm::Twine& original_suffix,
                  const llvm::Twine& copy_suffix, llvm::ValueToValueMapTy& vmap, llvm::DominatorTree& dt,
                  llvm::LoopInfo& li, llvm::ScalarEvolution& se);

}  // namespace lunaticc
