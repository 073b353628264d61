// Loops that charge reductions, and taking their checks out (see charged_loop.h).
#include "passes/preemption/charged_loop.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/Analysis/DomTreeUpdater.h>
#include <llvm/Analysis/InstructionSimplify.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/ValueHandle.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/Transforms/Utils/Local.h>

#include <map>

#include "passes/loop_utils.h"

namespace lunaticc {
namespace {

using llvm::BasicBlock;
using llvm::Value;

// The charge whose yield block is `yield`, if it lies within `loop`.
std::optional<Charge> matchChargeIn(BasicBlock* yield, const llvm::Loop& loop) {
  std::optional<Charge> charge = matchCharge(yield);
  if (!charge || !loop.contains(charge->check) || !loop.contains(charge->run)) return std::nullopt;
  return charge;
}

// How much less than the header's budget phi `value` can be, following subtractions of
// constants and phis (ignoring what yield blocks bring in, which a loop without checks
// never runs).
class Deficits {
 public:
  Deficits(const llvm::Loop& loop, const llvm::SmallPtrSetImpl<BasicBlock*>& yields)
      : loop_(loop), yields_(yields) {}

  std::optional<uint64_t> of(Value* value) {
    auto known = memo_.find(value);
    if (known != memo_.end()) return known->second;
    std::optional<uint64_t> result = compute(value);
    memo_[value] = result;
    return result;
  }

  llvm::PHINode* budget() const { return budget_; }
  // The charges' subtractions on the way to the values asked about.
  const std::vector<llvm::BinaryOperator*>& subtractions() const { return subtractions_; }

 private:
  std::optional<uint64_t> compute(Value* value) {
    auto* inst = llvm::dyn_cast<llvm::Instruction>(value);
    if (!inst || !loop_.contains(inst) || !inst->getType()->isIntegerTy(64)) return std::nullopt;
    auto* phi = llvm::dyn_cast<llvm::PHINode>(inst);
    if (phi && phi->getParent() == loop_.getHeader()) {
      if (!budget_) budget_ = phi;
      return phi == budget_ ? std::optional<uint64_t>(0) : std::nullopt;
    }
    if (phi) {
      // A phi within one iteration (the loop is innermost): the costliest way in.
      uint64_t most = 0;
      bool any = false;
      for (unsigned i = 0; i < phi->getNumIncomingValues(); ++i) {
        if (yields_.contains(phi->getIncomingBlock(i))) continue;
        std::optional<uint64_t> incoming = of(phi->getIncomingValue(i));
        if (!incoming) return std::nullopt;
        most = std::max(most, *incoming);
        any = true;
      }
      return any ? std::optional<uint64_t>(most) : std::nullopt;
    }
    auto* add = llvm::dyn_cast<llvm::BinaryOperator>(inst);
    auto* amount = add ? llvm::dyn_cast<llvm::ConstantInt>(add->getOperand(1)) : nullptr;
    if (!amount || add->getOpcode() != llvm::Instruction::Add || !amount->isNegative()) return std::nullopt;
    std::optional<uint64_t> base = of(add->getOperand(0));
    uint64_t cost = uint64_t(-amount->getSExtValue());
    if (!base || cost > kMaxChargeCost || *base + cost > kMaxChargeCost) return std::nullopt;
    subtractions_.push_back(add);
    return *base + cost;
  }

  const llvm::Loop& loop_;
  const llvm::SmallPtrSetImpl<BasicBlock*>& yields_;
  llvm::PHINode* budget_ = nullptr;
  std::map<Value*, std::optional<uint64_t>> memo_;
  std::vector<llvm::BinaryOperator*> subtractions_;
};

template <typename T>
T* inCopy(const llvm::ValueToValueMapTy& copy, T* value) {
  auto it = copy.find(value);
  return it == copy.end() ? value : llvm::cast<T>(static_cast<Value*>(it->second));
}

// The charge's branch goes straight on, its yield block goes away.
void removeCheck(const Charge& charge, const llvm::ValueToValueMapTy& copy, llvm::DominatorTree& dt,
                 llvm::LoopInfo& li) {
  // Found through the yield block: merging an earlier charge's blocks may have moved this
  // charge's branch into another block.
  BasicBlock* yield = inCopy(copy, charge.yield);
  BasicBlock* check = yield->getSinglePredecessor();
  BasicBlock* run = yield->getSingleSuccessor();
  llvm::Instruction* branch = check->getTerminator();
  Value* condition = llvm::cast<llvm::BranchInst>(branch)->getCondition();
  llvm::BranchInst::Create(run, check);
  branch->eraseFromParent();
  llvm::RecursivelyDeleteTriviallyDeadInstructions(condition);
  run->removePredecessor(yield);
  dt.eraseNode(yield);
  li.removeBlock(yield);
  yield->dropAllReferences();
  yield->eraseFromParent();
  llvm::DomTreeUpdater dtu(dt, llvm::DomTreeUpdater::UpdateStrategy::Eager);
  MergeBlockIntoPredecessor(run, &dtu, &li);
}

}  // namespace

// A constant bound on a search's trips under which it is versioned as a counted loop.
constexpr uint64_t kSearchBound = 4096;

std::optional<YieldCall> matchYieldCall(BasicBlock& yield, const llvm::Loop& loop) {
  if (yield.size() != 4) return std::nullopt;
  auto it = yield.begin();
  auto* store = llvm::dyn_cast<llvm::StoreInst>(&*it++);
  auto* call = llvm::dyn_cast<llvm::CallInst>(&*it++);
  auto* load = llvm::dyn_cast<llvm::LoadInst>(&*it++);
  if (!store || !call || !load || load->getPointerOperand() != store->getPointerOperand() ||
      !loop.isLoopInvariant(store->getPointerOperand())) {
    return std::nullopt;
  }
  for (Value* argument : call->args()) {
    if (!loop.isLoopInvariant(argument)) return std::nullopt;
  }
  return YieldCall{store->getPointerOperand(), call};
}

bool searchesInput(const llvm::Loop& loop, llvm::ScalarEvolution& se) {
  // Every loop over an i32 counter has a constant bound of some 2^32; a search's is smaller.
  auto* most = llvm::dyn_cast<llvm::SCEVConstant>(se.getConstantMaxBackedgeTakenCount(&loop));
  if (most && most->getAPInt().ult(kSearchBound)) return false;
  return leavesEarly(loop);
}

bool leavesEarly(const llvm::Loop& loop) {
  llvm::SmallVector<llvm::BasicBlock*, 4> exiting;
  loop.getExitingBlocks(exiting);
  unsigned leaving = 0;  // blocks that may leave the loop other than to a trap
  for (llvm::BasicBlock* block : exiting) {
    for (llvm::BasicBlock* successor : llvm::successors(block)) {
      if (!loop.contains(successor) && !leadsToTrap(successor)) {
        ++leaving;
        break;
      }
    }
  }
  return leaving > 1;
}

std::optional<ChargedLoop> analyzeChargedLoop(const llvm::Loop& loop, unsigned kind) {
  ChargedLoop result{};
  llvm::SmallPtrSet<BasicBlock*, 8> yields;
  for (BasicBlock* block : loop.blocks()) {
    if (!isYieldBlock(*block, kind)) continue;
    std::optional<Charge> charge = matchChargeIn(block, loop);
    if (!charge) return std::nullopt;
    result.charges.push_back(*charge);
    yields.insert(block);
  }
  Deficits deficits(loop, yields);
  for (const Charge& charge : result.charges) {
    std::optional<uint64_t> deficit = deficits.of(charge.rest);
    if (!deficit) return std::nullopt;
    result.before_check = std::max(result.before_check, *deficit);
  }
  result.budget = deficits.budget();
  BasicBlock* latch = loop.getLoopLatch();
  if (!result.budget || !latch) return std::nullopt;
  std::optional<uint64_t> per_iteration = deficits.of(result.budget->getIncomingValueForBlock(latch));
  if (!per_iteration || *per_iteration == 0) return std::nullopt;
  result.per_iteration = *per_iteration;
  result.subtractions = deficits.subtractions();
  return result;
}

void removeCharges(const ChargedLoop& charged, llvm::Loop& loop, const llvm::ValueToValueMapTy& copy,
                   const llvm::SimplifyQuery& query, llvm::DominatorTree& dt, llvm::LoopInfo& li) {
  // Handles, as removing a check deletes its compare and perhaps a subtraction only it used.
  std::vector<llvm::WeakTrackingVH> subtractions;
  for (llvm::BinaryOperator* subtraction : charged.subtractions) subtractions.emplace_back(inCopy(copy, subtraction));
  for (const Charge& charge : charged.charges) removeCheck(charge, copy, dt, li);
  for (Value* value : subtractions) {
    if (auto* subtraction = llvm::dyn_cast_or_null<llvm::Instruction>(value)) {
      subtraction->replaceAllUsesWith(subtraction->getOperand(0));
      subtraction->eraseFromParent();
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (BasicBlock* block : loop.blocks()) {
      for (llvm::PHINode& phi : llvm::make_early_inc_range(block->phis())) {
        if (Value* simpler = llvm::simplifyInstruction(&phi, query)) {
          phi.replaceAllUsesWith(simpler);
          phi.eraseFromParent();
          changed = true;
        }
      }
    }
  }
}

}  // namespace lunaticc
