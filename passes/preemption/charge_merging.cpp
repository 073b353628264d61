// Folding reduction charges into the charges that dominate them (see charge_merging.h).
//
// After inlining and full unrolling a function holds many charges one after another: its
// own entry or loop header charge, the entry charges of the functions inlined into it, the
// charges of calls (passes/preemption/reductions.cpp), one per unrolled copy of a loop body. Each is a
// subtraction and a branch. A charge B whose check block is dominated by the check block of
// a charge A in the same loop, with no loop header between them, can instead be paid by A:
// A subtracts both costs and B's check goes. The budget then drops earlier by B's cost, and
// on paths from A that never reach B it drops by B's cost for nothing, so a time slice may
// end that much sooner; B's yield point goes, but A's covers it (no loop header lies
// between them, so every run of B's code is preceded by a run of A's check in the same
// iteration).
//
// To keep such overcharging small, B is folded only while A's charge stays within
// kMaxOvercharge times what it pays for on average (weighing each folded charge by how
// often it runs when A's does, from LLVM's block frequencies), or if B costs little anyway.
// Charging more than the code costs only makes time slices end sooner: yields then come a
// few times more often, and a yield with nobody waiting costs tens of nanoseconds. Folding never removes the only check
// of a loop: a loop header's check dominates every other in its loop and is never folded
// into a charge outside it.
#include "passes/preemption/charge_merging.h"

#include <llvm/Analysis/BlockFrequencyInfo.h>
#include <llvm/Analysis/DomTreeUpdater.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/Transforms/Utils/Local.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "passes/preemption/charges.h"

namespace lunaticc {
namespace {

using llvm::BasicBlock;

// A charge of at most this much is folded however rarely it runs.
constexpr uint64_t kFoldedAnyway = 8;

// How much more than the code it pays for, on average, a charge may subtract.
constexpr double kMaxOvercharge = 4.0;

// A charge that can be folded: its subtraction is `add budget, -cost` in its check block.
struct Foldable {
  Charge charge;
  llvm::BinaryOperator* subtraction;
  uint64_t cost;
  Foldable* into = nullptr;  // the charge that pays for this one, once decided
  uint64_t added = 0;        // what this charge pays for others
  double expected = 0;       // of `added`, what runs on average per run of this charge
};

std::optional<Foldable> matchFoldable(BasicBlock* yield) {
  std::optional<Charge> charge = matchCharge(yield);
  std::optional<Subtraction> subtraction = charge ? subtractionOf(*charge) : std::nullopt;
  if (!subtraction || subtraction->add->getParent() != charge->check) return std::nullopt;
  return Foldable{*charge, subtraction->add, subtraction->cost};
}

class ChargeMerging {
 public:
  ChargeMerging(llvm::Function& f, llvm::FunctionAnalysisManager& fam)
      : dt_(fam.getResult<llvm::DominatorTreeAnalysis>(f)),
        li_(fam.getResult<llvm::LoopAnalysis>(f)),
        bfi_(fam.getResult<llvm::BlockFrequencyAnalysis>(f)) {}

  bool run(llvm::Function& f, unsigned kind) {
    std::vector<Foldable> charges;
    for (BasicBlock& block : f) {
      if (!isYieldBlock(block, kind)) continue;
      if (std::optional<Foldable> charge = matchFoldable(&block)) charges.push_back(*charge);
    }
    if (charges.size() < 2) return false;
    dt_.updateDFSNumbers();
    // Dominators before the blocks they dominate, so that a charge's payer is decided
    // before the charge itself is looked at.
    std::sort(charges.begin(), charges.end(), [&](const Foldable& a, const Foldable& b) {
      return dt_.getNode(a.charge.check)->getDFSNumIn() < dt_.getNode(b.charge.check)->getDFSNumIn();
    });
    std::unordered_map<BasicBlock*, Foldable*> by_check;
    for (Foldable& charge : charges) by_check[charge.charge.check] = &charge;
    bool changed = false;
    for (Foldable& charge : charges) {
      if (!fold(charge, by_check)) continue;
      changed = true;
    }
    if (!changed) return false;
    for (Foldable& charge : charges) {
      if (charge.into) {
        removeCheck(charge);
      } else if (charge.added) {
        auto* type = llvm::cast<llvm::IntegerType>(charge.subtraction->getType());
        charge.subtraction->setOperand(1, llvm::ConstantInt::get(type, -int64_t(charge.cost + charge.added)));
      }
    }
    return true;
  }

 private:
  // Lets the nearest charge whose check block dominates that of `charge`, in the same loop
  // and no deeper one (or whichever pays for that one), pay for it, if that is worth it.
  bool fold(Foldable& charge, const std::unordered_map<BasicBlock*, Foldable*>& by_check) {
    llvm::Loop* loop = li_.getLoopFor(charge.charge.check);
    for (llvm::DomTreeNode* node = dt_.getNode(charge.charge.check)->getIDom(); node; node = node->getIDom()) {
      BasicBlock* block = node->getBlock();
      if (loop && !loop->contains(block)) return false;  // the search left our loop
      if (li_.getLoopFor(block) != loop) continue;         // a loop nested in ours
      auto it = by_check.find(block);
      if (it == by_check.end()) continue;
      Foldable* payer = it->second;
      while (payer->into) payer = payer->into;
      double ours = double(bfi_.getBlockFreq(charge.charge.check).getFrequency());
      double theirs = double(bfi_.getBlockFreq(payer->charge.check).getFrequency());
      double runs = theirs > 0 ? std::min(ours / theirs, 1.0) : 1.0;
      double charged = double(payer->cost + payer->added + charge.cost);
      double expected = double(payer->cost) + payer->expected + double(charge.cost) * runs;
      if (charge.cost > kFoldedAnyway && charged > kMaxOvercharge * expected) return false;
      charge.into = payer;
      payer->added += charge.cost;
      payer->expected += double(charge.cost) * runs;
      return true;
    }
    return false;
  }

  // The charge's subtraction and branch go; its yield block goes with them.
  void removeCheck(Foldable& charge) {
    auto* branch = llvm::cast<llvm::BranchInst>(charge.charge.check->getTerminator());
    llvm::Value* condition = branch->getCondition();
    llvm::BranchInst::Create(charge.charge.run, charge.charge.check);
    branch->eraseFromParent();
    llvm::RecursivelyDeleteTriviallyDeadInstructions(condition);
    charge.subtraction->replaceAllUsesWith(charge.subtraction->getOperand(0));
    charge.subtraction->eraseFromParent();
    BasicBlock* yield = charge.charge.yield;
    llvm::DomTreeUpdater dtu(dt_, llvm::DomTreeUpdater::UpdateStrategy::Eager);
    dtu.applyUpdates({{llvm::DominatorTree::Delete, charge.charge.check, yield}});
    li_.removeBlock(yield);
    llvm::DeleteDeadBlock(yield, &dtu);
  }

  llvm::DominatorTree& dt_;
  llvm::LoopInfo& li_;
  llvm::BlockFrequencyInfo& bfi_;
};

class ChargeMergingPass : public llvm::PassInfoMixin<ChargeMergingPass> {
 public:
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& fam) {
    unsigned kind = f.getContext().getMDKindID(kReductionsYieldMetadata);
    if (!ChargeMerging(f, fam).run(f, kind)) return llvm::PreservedAnalyses::all();
    llvm::PreservedAnalyses kept;
    kept.preserve<llvm::DominatorTreeAnalysis>();
    kept.preserve<llvm::LoopAnalysis>();
    return kept;
  }
};

}  // namespace

void registerChargeMerging(llvm::PassBuilder& builder) {
  builder.registerVectorizerStartEPCallback(
      [](llvm::FunctionPassManager& passes, llvm::OptimizationLevel) { passes.addPass(ChargeMergingPass()); });
}

}  // namespace lunaticc
