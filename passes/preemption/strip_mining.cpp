// Strip-mining loops that charge reductions (see strip_mining.h).
//
// Loop versioning (loop_versioning.cpp) gives a loop a check-free copy for the runs the
// budget on entry covers whole; a loop longer than a time slice's worth never fits and
// would run checked, a check per iteration, which also keeps LLVM from vectorising it. Such
// loops are often the hottest: a row of a large image, a sweep of a 1-D stencil. So a loop
// whose trip count ScalarEvolution knows exactly, which leaves only through its latch (or
// to a trap), is run a slice at a time instead, without its checks:
//
//   preheader:   trips = trip count
//   plan:        remaining = trips - iterations done before
//                remaining * cost per iteration <= budget ? slice = remaining
//                                                         : partial
//   partial:     slice = budget / cost per iteration (rounded down), if not 0; else yield
//   yield:       budget - cost per iteration is stored (the next iteration is paid for in
//                the time slice that ends, as a checked loop's charge would), lunatic_yield,
//                the budget reloaded: slice = 1
//   run:         budget -= slice * cost per iteration
//   loop:        the loop without its charges, its latch going round until it has run
//                `slice` iterations
//   slice end:   iterations done + slice != trips ? plan : the loop's exit
//
// A run that the budget covers is one slice, with one multiplication and a compare more
// than the loop had; a longer one runs as many iterations as the budget pays for, yields
// once the budget cannot pay for one more, and goes on. The slice's trip count is what the
// vectoriser sees, so the loop vectorises whatever its length.
//
// What it keeps of preemption: a slice runs only iterations the budget has paid for (at the
// cost per iteration of the costliest path round the loop, as the checks would have
// charged), so the budget reaches zero no later than with the checks, and the process
// yields before the first iteration the budget cannot pay for. The one exception is the
// iteration after a yield, paid for in the slice that ended; if the refilled budget is
// smaller than one iteration (the process's fuel is almost spent), that iteration takes it
// below zero and the next plan yields again, which ends a process out of fuel. Between two
// yields a process thus runs at most its time slice plus one iteration's cost, as with the
// checks.
//
// Why the loop computes what it did: the latch's exit count E (ScalarEvolution's, exact:
// the latch takes the loop's exit the (E+1)-th time it runs, if no other exit is taken
// first) is the trip count minus one, and the slices together run E + 1 iterations, then
// take the loop's exit with the values of the last iteration. Every iteration runs the same
// body as before (the charges took no part in what it computes; their yield blocks,
// lunatic_yield calls that leave memory as it was, go), and an exit to a trap is kept
// where it was, so an iteration that traps still traps. Exits other than to a trap would
// make the count unknowable (a search loop), and so do loops whose count only holds under
// assumptions: loop versioning handles those.
#include "passes/preemption/strip_mining.h"

#include <llvm/ADT/MapVector.h>
#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/InstructionSimplify.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/TargetTransformInfo.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/Transforms/Utils/Local.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Utils/LoopUtils.h>
#include <llvm/Transforms/Utils/ScalarEvolutionExpander.h>

#include <algorithm>
#include <vector>

#include "passes/loop_utils.h"
#include "passes/preemption/charged_loop.h"

namespace lunaticc {
namespace {

using llvm::BasicBlock;
using llvm::Value;

// The loop of slices around `loop`, with `header` and `others` as its own blocks.
llvm::Loop* nestInSlices(llvm::Loop& loop, llvm::LoopInfo& li, BasicBlock* header,
                         std::initializer_list<BasicBlock*> others) {
  llvm::Loop* slices = li.AllocateLoop();
  if (llvm::Loop* parent = loop.getParentLoop()) {
    parent->replaceChildLoopWith(&loop, slices);
  } else {
    li.changeTopLevelLoop(&loop, slices);
  }
  slices->addChildLoop(&loop);
  slices->addBasicBlockToLoop(header, li);
  for (BasicBlock* block : loop.blocks()) slices->addBlockEntry(block);
  for (BasicBlock* block : others) slices->addBasicBlockToLoop(block, li);
  return slices;
}

}  // namespace

std::optional<Sliceable> sliceable(llvm::Loop& loop, const ChargedLoop& charged, llvm::ScalarEvolution& se,
                                   const llvm::TargetTransformInfo& tti) {
  BasicBlock* latch = loop.getLoopLatch();
  auto* branch = llvm::dyn_cast<llvm::BranchInst>(latch->getTerminator());
  if (!branch || !branch->isConditional()) return std::nullopt;
  llvm::SmallVector<BasicBlock*, 4> exiting;
  loop.getExitingBlocks(exiting);
  for (BasicBlock* block : exiting) {
    if (block == latch) continue;
    for (BasicBlock* successor : llvm::successors(block)) {
      if (!loop.contains(successor) && !leadsToTrap(successor)) return std::nullopt;
    }
  }
  Sliceable how{se.getExitCount(&loop, latch), 0, nullptr, nullptr};
  if (llvm::isa<llvm::SCEVCouldNotCompute>(how.exit_count) || !how.exit_count->getType()->isIntegerTy() ||
      how.exit_count->getType()->getIntegerBitWidth() > 64) {
    return std::nullopt;
  }
  // A count near 2^64 would wrap when the trip count is computed from it. The count's own
  // range often allows that where the loop never runs (n - 1 when n is 0, excluded by the
  // guard before the loop); what ScalarEvolution bounds it to under the loop's guards is
  // what the slices see.
  how.most = se.getUnsignedRangeMax(how.exit_count).getLimitedValue();
  const llvm::SCEV* guarded = se.getExitCount(&loop, latch, llvm::ScalarEvolution::ConstantMaximum);
  if (auto* constant = llvm::dyn_cast<llvm::SCEVConstant>(guarded)) {
    how.most = std::min(how.most, constant->getAPInt().getLimitedValue());
  }
  if (how.most >= (uint64_t(1) << 62)) {
    return std::nullopt;
  }
  llvm::Instruction* at = loop.getLoopPreheader()->getTerminator();
  llvm::SCEVExpander expander(se, at->getDataLayout(), "slice.count");
  std::optional<YieldCall> yield = matchYieldCall(*charged.charges.front().yield, loop);
  if (!expander.isSafeToExpandAt(how.exit_count, at) ||
      expander.isHighCostExpansion({how.exit_count}, &loop, kTripCountBudget, &tti, at) ||
      !yield) {
    return std::nullopt;
  }
  how.budget_field = yield->budget_field;
  how.yield = yield->call;
  return how;
}

void stripMine(llvm::Loop& loop, const ChargedLoop& charged, const Sliceable& how, llvm::Function& f,
               llvm::LoopInfo& li, llvm::DominatorTree& dt, llvm::ScalarEvolution& se, llvm::AssumptionCache& ac) {
  BasicBlock* preheader = loop.getLoopPreheader();
  BasicBlock* header = loop.getHeader();
  BasicBlock* latch = loop.getLoopLatch();
  auto* latch_branch = llvm::cast<llvm::BranchInst>(latch->getTerminator());
  BasicBlock* exit = latch_branch->getSuccessor(latch_branch->getSuccessor(0) == header ? 1 : 0);
  llvm::MapVector<llvm::PHINode*, const llvm::APInt*> steps;  // the header's counters
  for (llvm::PHINode& phi : header->phis()) {
    auto* counter = llvm::dyn_cast<llvm::SCEVAddRecExpr>(se.getSCEV(&phi));
    if (&phi == charged.budget || !phi.getType()->isIntegerTy() || !counter || counter->getLoop() != &loop ||
        !counter->isAffine() || !llvm::isa<llvm::ConstantInt>(phi.getIncomingValueForBlock(preheader))) {
      continue;
    }
    if (auto* step = llvm::dyn_cast<llvm::SCEVConstant>(counter->getStepRecurrence(se))) steps[&phi] = &step->getAPInt();
  }
  se.forgetTopmostLoop(&loop);

  llvm::LLVMContext& context = f.getContext();
  llvm::IRBuilder<> b(preheader->getTerminator());
  llvm::Type* i64 = b.getInt64Ty();
  Value* cost = b.getInt64(charged.per_iteration);
  llvm::SCEVExpander expander(se, f.getDataLayout(), "slice.count");
  Value* exit_count = expander.expandCodeFor(how.exit_count, nullptr, preheader->getTerminator());
  Value* trips = b.CreateAdd(b.CreateZExt(exit_count, i64), b.getInt64(1), "slice.trips", true, true);

  auto block = [&](const char* name, BasicBlock* before) {
    return BasicBlock::Create(context, header->getName() + name, &f, before);
  };
  BasicBlock* plan = block(".plan", header);
  BasicBlock* partial = block(".partial", header);
  BasicBlock* yield = block(".yield.slice", header);
  BasicBlock* run = block(".slice", header);
  BasicBlock* slice_end = block(".slice.end", exit);
  llvm::MDBuilder md(context);

  // plan: where each slice starts, the header's phis (the budget's among them) taking the
  // values of the loop's entry or of the slice before; the slice is all that remains if
  // the budget pays for it.
  b.SetInsertPoint(plan);
  llvm::PHINode* done_before = b.CreatePHI(i64, 2, "slice.before");
  done_before->addIncoming(b.getInt64(0), preheader);
  // A counter {start,+,step} starts a slice at start + iterations done * step, which lets
  // ScalarEvolution see how far the slice is from the loop's start (and fold constants in
  // the addresses computed from it); any other phi carries its value over.
  std::vector<std::pair<llvm::PHINode*, Value*>> carried;  // header phi, its value at plan
  Value* budget = nullptr;
  for (llvm::PHINode& phi : header->phis()) {
    if (steps.count(&phi)) continue;
    llvm::PHINode* at_plan = b.CreatePHI(phi.getType(), 2, phi.getName() + ".slice");
    at_plan->addIncoming(phi.getIncomingValueForBlock(preheader), preheader);
    carried.emplace_back(&phi, at_plan);
    if (&phi == charged.budget) budget = at_plan;
  }
  Value* remaining = b.CreateSub(trips, done_before, "slice.remaining", true, true);
  for (const auto& [phi, step] : steps) {
    Value* iterations = b.CreateZExtOrTrunc(done_before, phi->getType());
    Value* start = b.CreateAdd(phi->getIncomingValueForBlock(preheader), b.CreateMul(iterations, b.getInt(*step)),
                               phi->getName() + ".slice");
    carried.emplace_back(phi, start);
  }
  // At most kMaxTrips a slice, so that `slice * cost` cannot overflow.
  Value* most = remaining;
  if (how.most >= kMaxTrips) {
    most = b.CreateBinaryIntrinsic(llvm::Intrinsic::umin, remaining, b.getInt64(kMaxTrips), nullptr, "slice.most");
  }
  Value* whole = b.CreateMul(most, cost, "slice.whole", true, true);
  Value* whole_left = b.CreateSub(budget, whole, "slice.left");
  b.CreateCondBr(b.CreateICmpSGE(budget, whole, "slice.fits"), run, partial, md.createBranchWeights(1 << 10, 1));

  // partial: as many iterations as the budget pays for.
  b.SetInsertPoint(partial);
  Value* afford =
      b.CreateUDiv(b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, budget, b.getInt64(0)), cost, "slice.afford");
  Value* partial_left = b.CreateSub(budget, b.CreateMul(afford, cost, "", true, true));
  b.CreateCondBr(b.CreateICmpEQ(afford, b.getInt64(0)), yield, run, md.createBranchWeights(1, 1 << 10));

  // yield: the next iteration is charged to the time slice that ends.
  b.SetInsertPoint(yield);
  b.CreateStore(b.CreateSub(budget, cost), how.budget_field);
  b.Insert(how.yield->clone());
  Value* refilled = b.CreateLoad(i64, how.budget_field, "slice.refilled");
  b.CreateBr(run);

  // run: the slice is paid for.
  b.SetInsertPoint(run);
  llvm::PHINode* slice = b.CreatePHI(i64, 3, "slice.trips");
  slice->addIncoming(most, plan);
  slice->addIncoming(afford, partial);
  slice->addIncoming(b.getInt64(1), yield);
  llvm::PHINode* left = b.CreatePHI(i64, 3, "slice.left");
  left->addIncoming(whole_left, plan);
  left->addIncoming(partial_left, partial);
  left->addIncoming(refilled, yield);
  b.CreateBr(header);

  // The loop starts each slice where the last one ended, the budget paid for the slice.
  for (const auto& [phi, at_plan] : carried) {
    int from_preheader = phi->getBasicBlockIndex(preheader);
    phi->setIncomingValue(from_preheader, phi == charged.budget ? static_cast<Value*>(left) : at_plan);
    phi->setIncomingBlock(from_preheader, run);
  }
  preheader->getTerminator()->setSuccessor(0, plan);

  // The latch counts the slice's iterations, and leaves after the last.
  llvm::PHINode* done = llvm::PHINode::Create(i64, 2, "slice.done");
  done->insertBefore(header->begin());
  b.SetInsertPoint(latch_branch);
  Value* next = b.CreateAdd(done, b.getInt64(1), "slice.done.next", true, true);
  done->addIncoming(b.getInt64(0), run);
  done->addIncoming(next, latch);
  Value* old_condition = latch_branch->getCondition();
  b.CreateCondBr(b.CreateICmpEQ(next, slice, "slice.over"), slice_end, header);
  latch_branch->eraseFromParent();
  llvm::RecursivelyDeleteTriviallyDeadInstructions(old_condition);

  // slice end: on to the next slice, or out of the loop.
  b.SetInsertPoint(slice_end);
  Value* done_after = b.CreateAdd(done_before, slice, "slice.after", true, true);
  b.CreateCondBr(b.CreateICmpEQ(done_after, trips), exit, plan);
  for (llvm::PHINode& phi : exit->phis()) phi.setIncomingBlock(phi.getBasicBlockIndex(latch), slice_end);
  done_before->addIncoming(done_after, slice_end);
  for (const auto& [phi, at_plan] : carried) {
    if (auto* carried_over = llvm::dyn_cast<llvm::PHINode>(at_plan); carried_over && carried_over->getParent() == plan) {
      carried_over->addIncoming(phi->getIncomingValueForBlock(latch), slice_end);
    }
  }

  llvm::Loop* slices = nestInSlices(loop, li, plan, {partial, yield, run, slice_end});
  dt.recalculate(f);
  removeCharges(charged, loop, llvm::ValueToValueMapTy(), llvm::SimplifyQuery(f.getDataLayout(), &dt, &ac), dt, li);
  formLCSSARecursively(*slices, dt, &li, &se);
  se.forgetBlockAndLoopDispositions();
}

}  // namespace lunaticc
