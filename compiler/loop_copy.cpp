// Two versions of one loop (see loop_copy.h).
#include "loop_copy.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <vector>

namespace lunaticc {
namespace {

using llvm::BasicBlock;

// The exits of `loop` are now also exits of its copy: LCSSA phis take the copy's values
// too, and blocks the loop dominated are now dominated by `preheader` (where the two
// versions part).
void joinExits(llvm::Loop& loop, llvm::ValueToValueMapTy& vmap, BasicBlock* preheader, llvm::DominatorTree& dt,
               llvm::ScalarEvolution& se) {
  llvm::SmallVector<BasicBlock*, 4> exits;
  loop.getUniqueExitBlocks(exits);
  for (BasicBlock* exit : exits) {
    for (llvm::PHINode& phi : exit->phis()) {
      for (unsigned i = 0, n = phi.getNumIncomingValues(); i < n; ++i) {
        BasicBlock* from = phi.getIncomingBlock(i);
        if (!loop.contains(from)) continue;
        llvm::Value* value = phi.getIncomingValue(i);
        auto mapped = vmap.find(value);
        phi.addIncoming(mapped == vmap.end() ? value : static_cast<llvm::Value*>(mapped->second),
                        llvm::cast<BasicBlock>(vmap[from]));
      }
      se.forgetValue(&phi);
    }
  }
  std::vector<BasicBlock*> dominated;
  for (BasicBlock* block : loop.blocks()) {
    for (llvm::DomTreeNode* child : dt.getNode(block)->children()) {
      if (!loop.contains(child->getBlock())) dominated.push_back(child->getBlock());
    }
  }
  for (BasicBlock* block : dominated) dt.changeImmediateDominator(block, preheader);
}

}  // namespace

LoopCopy copyLoop(llvm::Loop& loop, llvm::Instruction* at, const llvm::Twine& original_suffix,
                  const llvm::Twine& copy_suffix, llvm::ValueToValueMapTy& vmap, llvm::DominatorTree& dt,
                  llvm::LoopInfo& li, llvm::ScalarEvolution& se) {
  BasicBlock* preheader = loop.getLoopPreheader();
  BasicBlock* original_ph =
      llvm::SplitBlock(preheader, at, &dt, &li, nullptr, loop.getHeader()->getName() + original_suffix + ".ph");
  llvm::SmallVector<BasicBlock*, 16> blocks;
  llvm::Loop* copy = llvm::cloneLoopWithPreheader(original_ph, preheader, &loop, vmap, copy_suffix, &li, &dt, blocks);
  llvm::remapInstructionsInBlocks(blocks, vmap);
  joinExits(loop, vmap, preheader, dt, se);
  return {copy, original_ph, llvm::cast<BasicBlock>(vmap[original_ph])};
}

}  // namespace lunaticc
