// Unrolling small checked loops (see charge_unrolling.h).
//
// A loop whose trip count is unknown (a scan until a sentinel, a probe sequence, a
// partition step) keeps a check in its header: a subtraction and a branch each iteration,
// as much as the rest of a tight loop's body. Unrolled K times with every exit kept, such a loop runs K copies of its
// body per trip around, each copy with its own exits and its own charge; charge merging
// (charge_merging.h), run again after this pass, then folds the copies' charges into the
// first, so one check pays for K iterations. A trip that leaves early has paid for the
// copies it skipped, at most K - 1 iterations' worth, once per run of the loop.
//
// Loops with a known bound are left alone: loop versioning gave them a check-free copy for
// the runs the budget covers (a bound that only traps give, the end of memory, is no
// bound here: passes/loop_utils.h, boundedOnlyByTraps), and the copies' induction variables would cost their outer
// loop (strength reduction hoists one per copy into it) more than the checks saved. Search
// loops, which versioning leaves to this pass (charged_loop.h, searchesInput), are the
// exception.
#include "passes/preemption/charge_unrolling.h"

#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/OptimizationRemarkEmitter.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/TargetTransformInfo.h>
#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/Utils/LCSSA.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Utils/UnrollLoop.h>

#include <vector>

#include "passes/loop_utils.h"
#include "passes/preemption/charge_merging.h"
#include "passes/preemption/charged_loop.h"
#include "passes/preemption/charges.h"

namespace lunaticc {
namespace {

// Copies of the body per trip around the loop.
constexpr unsigned kCopies = 4;

// Loops larger than this (instructions, yield blocks left out) are not unrolled: their
// check is a small part of an iteration already, and the copies would cost code size.
constexpr unsigned kMaxBodyInstructions = 24;
// Except loops up to this size that call nothing and have no bound (mediumUnboundedLoop): a
// merge step or a sift-down (bench/suite's mergesort, heapsort) is 35 to 50 IR instructions
// but 15 to 20 x86 instructions an iteration, of which the check is still a tenth. A call in such a loop costs more than the check, and
// its copies store and reload the budget around it.
constexpr unsigned kMaxCallFreeBodyInstructions = 64;

// Instructions (yield blocks left out) that the copies of a dispatch loop may come to.
constexpr unsigned kMaxDispatchInstructions = 2400;

// A switch with at least this many cases that stay in the loop makes it a dispatch loop.
constexpr unsigned kDispatchCases = 4;

struct LoopSize {
  unsigned instructions = 0;  // yield blocks left out
  bool charged = false;       // it has a yield block
  bool calls = false;         // it calls anything but intrinsics (the yields left out)
};

LoopSize loopSize(const llvm::Loop& loop, unsigned kind) {
  LoopSize size;
  for (const llvm::BasicBlock* block : loop.blocks()) {
    if (isYieldBlock(*block, kind)) {
      size.charged = true;
      continue;
    }
    size.instructions += unsigned(block->size());
    for (const llvm::Instruction& inst : *block) {
      size.calls |= llvm::isa<llvm::CallBase>(inst) && !llvm::isa<llvm::IntrinsicInst>(inst);
    }
  }
  return size;
}

// Whether `loop` is of medium size, calls nothing, and has no bound at all, not even one
// its preheader could check: then neither versioning nor address widening can take it,
// whose copies the unrolled loop would not get (a hash's stripe loop, bounded by
// `p + 32 <= end`, keeps its 64-bit addresses that way).
bool mediumUnboundedLoop(const llvm::Loop& loop, unsigned kind, llvm::ScalarEvolution& se) {
  LoopSize size = loopSize(loop, kind);
  return size.charged && !size.calls && size.instructions <= kMaxCallFreeBodyInstructions && !tripBound(se, loop);
}

// How many copies of `loop` to make if it is a dispatch loop (see the top of this file),
// else 0.
unsigned dispatchCopies(const llvm::Loop& loop, unsigned kind, llvm::ScalarEvolution& se) {
  const llvm::BasicBlock* header = loop.getHeader();
  bool charged_header = llvm::any_of(llvm::successors(header),
                                     [&](const llvm::BasicBlock* next) { return isYieldBlock(*next, kind); });
  if (!charged_header || !llvm::isa<llvm::SCEVCouldNotCompute>(se.getSymbolicMaxBackedgeTakenCount(&loop))) return 0;
  bool dispatches = false;
  for (const llvm::BasicBlock* block : loop.blocks()) {
    auto* choice = llvm::dyn_cast<llvm::SwitchInst>(block->getTerminator());
    if (!choice) continue;
    llvm::SmallPtrSet<const llvm::BasicBlock*, 16> staying;
    for (const llvm::BasicBlock* next : llvm::successors(choice)) {
      if (loop.contains(next)) staying.insert(next);
    }
    dispatches |= staying.size() >= kDispatchCases;
  }
  if (!dispatches) return 0;
  unsigned size = loopSize(loop, kind).instructions;
  unsigned copies = kCopies;
  while (copies > 1 && copies * size > kMaxDispatchInstructions) copies /= 2;
  return copies > 1 ? copies : 0;
}

class ChargeUnrollingPass : public llvm::PassInfoMixin<ChargeUnrollingPass> {
 public:
  explicit ChargeUnrollingPass(bool bounds_checked) : bounds_checked_(bounds_checked) {}

  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& fam) {
    unsigned kind = f.getContext().getMDKindID(kReductionsYieldMetadata);
    auto& li = fam.getResult<llvm::LoopAnalysis>(f);
    auto& se = fam.getResult<llvm::ScalarEvolutionAnalysis>(f);
    std::vector<std::pair<llvm::Loop*, unsigned>> candidates;
    for (llvm::Loop* loop : li.getLoopsInPreorder()) {
      if (unsigned copies = copiesOf(*loop, kind, se)) candidates.emplace_back(loop, copies);
    }
    if (candidates.empty()) return llvm::PreservedAnalyses::all();
    auto& dt = fam.getResult<llvm::DominatorTreeAnalysis>(f);
    auto& ac = fam.getResult<llvm::AssumptionAnalysis>(f);
    auto& tti = fam.getResult<llvm::TargetIRAnalysis>(f);
    auto& ore = fam.getResult<llvm::OptimizationRemarkEmitterAnalysis>(f);
    bool changed = false;
    // Loops nested in a dispatch loop before it, so that its copies copy them unrolled.
    for (auto [loop, copies] : llvm::reverse(candidates)) {
      if (!loop->isLoopSimplifyForm()) changed |= simplifyLoop(loop, &dt, &li, &se, &ac, nullptr, false);
      if (!loop->isLoopSimplifyForm() || !loop->isSafeToClone()) continue;
      changed |= formLCSSA(*loop, dt, &li, &se);
      llvm::UnrollLoopOptions options{};
      options.Count = copies;
      options.Force = true;
      options.Runtime = false;  // no remainder loop: every copy keeps its exits
      options.AllowExpensiveTripCount = false;
      options.UnrollRemainder = false;
      options.ForgetAllSCEV = false;
      changed |= UnrollLoop(loop, options, &li, &se, &dt, &ac, &tti, &ore, true) != llvm::LoopUnrollResult::Unmodified;
    }
    return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }

 private:
  // How many copies of `loop` to make, or 0 to leave it alone.
  unsigned copiesOf(const llvm::Loop& loop, unsigned kind, llvm::ScalarEvolution& se) const {
    if (loop.isInnermost() && smallChargedLoop(loop, kind) &&
        (llvm::isa<llvm::SCEVCouldNotCompute>(se.getSymbolicMaxBackedgeTakenCount(&loop)) ||
         boundedOnlyByTraps(se, loop) || searchesInput(loop, se))) {
      return kCopies;
    }
    if (bounds_checked_) return 0;
    if (loop.isInnermost() && mediumUnboundedLoop(loop, kind, se)) return kCopies;
    return dispatchCopies(loop, kind, se);
  }

  // Medium and dispatch loops are unrolled only with guard pages: with bounds checks their
  // copies ran fewer instructions but more slowly, side by side (docs/benchmarks.md,
  // "reduction counting's instructions": stackvm 9% and heapsort 13% slower).
  bool bounds_checked_;
};

}  // namespace

bool smallChargedLoop(const llvm::Loop& loop, unsigned kind) {
  LoopSize size = loopSize(loop, kind);
  return size.charged && size.instructions <= kMaxBodyInstructions;
}

void registerChargeUnrolling(llvm::PassBuilder& builder, bool bounds_checked) {
  builder.registerVectorizerStartEPCallback([bounds_checked](llvm::FunctionPassManager& passes, llvm::OptimizationLevel) {
    passes.addPass(ChargeUnrollingPass(bounds_checked));
  });
  registerChargeMerging(builder);
}

}  // namespace lunaticc
