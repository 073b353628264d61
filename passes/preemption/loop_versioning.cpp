// Check-free versions of loops that charge reductions (see loop_versioning.h).
//
// A charge in a loop header is cheap by itself (a subtraction and a branch on a register),
// but its branch leads to a call, and LLVM vectorises no loop that holds a call. Yet most
// runs of an innermost loop cannot yield: if the budget on entry covers every iteration the
// loop can run, no charge in it can take the budget below zero. So for an innermost loop
// whose trips can be bounded (passes/loop_utils.h: by ScalarEvolution, perhaps under assumptions
// the preheader checks; when they fail, the loop runs checked), the pass builds
//
//   preheader:    need = max iterations * cost per iteration + cost before a check
//                 budget >= need ? fast loop : need <= kEarlyYieldLimit ? early yield
//                                                                        : checked loop
//   fast loop:    a copy without the charges: need is subtracted once, before it, for all
//                 the iterations it may run (a run that leaves early has paid for a few
//                 iterations it did not run, as if the time slice were that much shorter).
//   early yield:  the header charge's yield block, run before the first iteration: the loop
//                 would fit in a fresh time slice, so yielding a little early lets all of it
//                 run check-free (the fast loop if the refilled budget covers it, else the
//                 checked one). Time slices end at most kEarlyYieldLimit reductions sooner.
//   checked loop: the loop as it was.
//
// The fast loop is the checked loop minus branches its entry condition proves never taken,
// so both compute the same values. A loop whose trip count is unknown, or that reads the
// budget back from the instance (it calls code that may spend it), keeps its checks; so do
// loops whose iterations together may charge more than kEarlyYieldLimit and start on a
// smaller budget (they run checked until the end, at least one time slice's work).
//
// Three shapes are handled otherwise. A loop of small constant bound is charged whole before
// it starts (chargeWhole), which costs less than computing and testing its need. A search
// bounded only by its input (charged_loop.h, searchesInput) and small enough for charge
// unrolling is left to that pass: its bound, the length of what it searches, is rarely
// covered, so the fast copy would rarely run while every entry paid for the test. And a
// loop that works on what a search in the same iteration of the enclosing loop found (a
// word, a field, a key: boundedBySearch) and that no copy of could vectorise (mayVectorize)
// keeps its checks: it runs a few trips per entry, on which the fast copy saves a check each
// while the test choosing it costs a dozen instructions every time.
//
// The budget is the i64 SSA value the translator keeps between calls: a phi in the loop
// header, reduced by `add budget, -cost` at every charge, merged by phis. The pass follows
// only that shape (anything else makes it leave the loop alone) and bounds how much it can
// drop per iteration by the most expensive path.
#include "passes/preemption/loop_versioning.h"

#include "passes/loop_utils.h"
#include "passes/preemption/charge_unrolling.h"
#include "passes/preemption/charged_loop.h"
#include "passes/preemption/strip_mining.h"

#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/DomTreeUpdater.h>
#include <llvm/Analysis/IVDescriptors.h>
#include <llvm/Analysis/InstructionSimplify.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/Analysis/TargetTransformInfo.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/PatternMatch.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/Local.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Utils/LoopUtils.h>
#include <llvm/Transforms/Utils/ScalarEvolutionExpander.h>

#include <map>
#include <optional>
#include <vector>

namespace lunaticc {
namespace {

using llvm::BasicBlock;
using llvm::Value;

// A loop whose whole run may charge at most this much yields first if the budget does not
// cover it, then runs check-free. About a quarter of the runtime's time slice
// (kSliceReductions, 500,000 in runtime/process/scheduler.h): the refilled budget then
// covers the loop, and a slice still runs at least three quarters of its length. Larger
// loops run checked when they start on a budget too small for them.
constexpr uint64_t kEarlyYieldLimit = 131072;

// A loop that can go round at most this many times, and charge at most kMaxWholeCost in all,
// is charged as a whole before it starts (chargeWhole). Both small: a run that leaves after
// one iteration pays for all of them.
constexpr uint64_t kWholeTrips = 8;
constexpr uint64_t kMaxWholeCost = 1024;

class ChargeVersioning {
 public:
  ChargeVersioning(llvm::Function& f, llvm::FunctionAnalysisManager& fam, unsigned kind)
      : f_(f),
        kind_(kind),
        li_(fam.getResult<llvm::LoopAnalysis>(f)),
        dt_(fam.getResult<llvm::DominatorTreeAnalysis>(f)),
        se_(fam.getResult<llvm::ScalarEvolutionAnalysis>(f)),
        ac_(fam.getResult<llvm::AssumptionAnalysis>(f)),
        tti_(fam.getResult<llvm::TargetIRAnalysis>(f)) {}

  bool run() {
    std::vector<llvm::Loop*> candidates;
    for (llvm::Loop* loop : li_.getLoopsInPreorder()) {
      if (!loop->isInnermost()) continue;
      for (BasicBlock* block : loop->blocks()) {
        if (isYieldBlock(*block, kind_)) {
          candidates.push_back(loop);
          break;
        }
      }
    }
    bool changed = false;
    for (llvm::Loop* loop : candidates) changed |= version(*loop);
    return changed;
  }

 private:
  bool version(llvm::Loop& loop) {
    if (!loop.isLoopSimplifyForm()) simplifyLoop(&loop, &dt_, &li_, &se_, &ac_, nullptr, false);
    if (!loop.isLoopSimplifyForm()) return false;
    std::optional<ChargedLoop> charged = analyzeChargedLoop(loop, kind_);
    if (charged && chargeWhole(loop, *charged)) return true;
    if (searchesInput(loop, se_) && smallChargedLoop(loop, kind_)) return false;  // charge unrolling's
    std::optional<TripBound> trips = charged ? tripBound(se_, loop) : std::nullopt;
    if (!trips) return false;
    BasicBlock* preheader = loop.getLoopPreheader();
    llvm::Instruction* at = preheader->getTerminator();
    llvm::SCEVExpander expander(se_, f_.getDataLayout(), "charge.trips");
    const llvm::SCEV* max_backedges = trips->max_backedges;
    if (!expander.isSafeToExpandAt(max_backedges, at) ||
        expander.isHighCostExpansion({max_backedges}, &loop, kTripCountBudget, &tti_, at)) {
      return false;
    }
    if (boundedBySearch(loop, max_backedges) && !mayVectorize(loop, *charged)) return false;
    std::optional<Sliceable> slices = worthSlicing(loop, *charged) ? sliceable(loop, *charged, se_, tti_) : std::nullopt;
    formLCSSA(loop, dt_, &li_, &se_);

    // need = max backedges * per iteration + before check; the fast loop may run when the
    // budget on entry is at least that (and the trip count is small enough to multiply).
    llvm::IRBuilder<> b(at);
    Value* backedges = expander.expandCodeFor(max_backedges, nullptr, at);
    Value* wide = b.CreateZExt(backedges, b.getInt64Ty(), "charge.backedges");
    Value* need = b.CreateAdd(b.CreateMul(wide, b.getInt64(charged->per_iteration)),
                              b.getInt64(charged->before_check), "charge.need");
    Value* entry_budget = charged->budget->getIncomingValueForBlock(preheader);
    // Neither the fast loop nor the early yield before it unless the trip count can be trusted.
    Value* trusted = assumptionsHold(*trips, expander, at);
    Value* fits = b.CreateAnd(trusted, b.CreateICmpSGE(entry_budget, need, "charge.fits"));
    if (backedges->getType()->getIntegerBitWidth() > 32) {
      fits = b.CreateAnd(fits, b.CreateICmpULT(wide, b.getInt64(kMaxTrips)));
    }

    // preheader -> checked.ph -> header; the fast copy gets a copy of checked.ph.
    llvm::ValueToValueMapTy vmap;
    LoopCopy copy = copyLoop(loop, at, ".checked", ".fast", vmap, dt_, li_, se_);
    BasicBlock* checked_ph = copy.original_ph;
    BasicBlock* fast_ph = copy.copy_ph;
    llvm::Loop* fast = copy.copy;

    llvm::Instruction* old_branch = preheader->getTerminator();
    b.SetInsertPoint(old_branch);
    BasicBlock* slow = slices ? nullptr : earlyYield(loop, *charged, vmap, preheader, checked_ph, fast_ph, need, trusted);
    b.CreateCondBr(fits, fast_ph, slow ? slow : checked_ph);
    old_branch->eraseFromParent();
    if (slow) dt_.changeImmediateDominator(checked_ph, slow);

    // The fast copy pays for all it may run before it starts; its charges subtract nothing.
    auto* budget = llvm::cast<llvm::PHINode>(vmap[charged->budget]);
    b.SetInsertPoint(fast_ph->getTerminator());
    budget->setIncomingValueForBlock(fast_ph, b.CreateSub(budget->getIncomingValueForBlock(fast_ph), need, "charge.spent"));
    removeCharges(*charged, *fast, vmap, llvm::SimplifyQuery(f_.getDataLayout(), &dt_, &ac_), dt_, li_);
    if (slices) {
      stripMine(loop, *charged, *slices, f_, li_, dt_, se_, ac_);
    } else {
      se_.forgetLoop(&loop);
      se_.forgetBlockAndLoopDispositions();
    }
    return true;
  }

  // A loop that goes round at most a few times whatever its inputs (the remainder of a loop
  // unrolled by hand or by clang: at most 3 or 7 iterations) costs little more than straight
  // code: it is charged once, before it starts, for the most it can run, by a charge of the
  // translator's shape that charge merging may fold into the one that dominates it, and runs
  // without its checks. Returns whether it did that.
  bool chargeWhole(llvm::Loop& loop, const ChargedLoop& charged) {
    auto* most = llvm::dyn_cast<llvm::SCEVConstant>(se_.getConstantMaxBackedgeTakenCount(&loop));
    if (!most || most->getAPInt().uge(kWholeTrips)) return false;
    uint64_t need = most->getAPInt().getZExtValue() * charged.per_iteration + charged.before_check;
    BasicBlock* preheader = loop.getLoopPreheader();
    std::optional<YieldCall> yield = matchYieldCall(*charged.charges.front().yield, loop);
    if (need > kMaxWholeCost || !yield) return false;

    // preheader: rest = budget - need; rest < 0 ? yield : run.   run: the loop's preheader.
    BasicBlock* run = llvm::SplitBlock(preheader, preheader->getTerminator(), &dt_, &li_);
    BasicBlock* pay = BasicBlock::Create(f_.getContext(), loop.getHeader()->getName() + ".yield.whole", &f_, run);
    if (llvm::Loop* parent = loop.getParentLoop()) parent->addBasicBlockToLoop(pay, li_);
    llvm::IRBuilder<> b(preheader->getTerminator());
    Value* rest = b.CreateAdd(charged.budget->getIncomingValueForBlock(run), b.getInt64(-int64_t(need)), "charge.whole");
    llvm::MDBuilder md(f_.getContext());
    b.CreateCondBr(b.CreateICmpSLT(rest, b.getInt64(0)), pay, run, md.createBranchWeights(1, 1 << 20));
    preheader->getTerminator()->eraseFromParent();
    b.SetInsertPoint(pay);
    b.CreateStore(rest, yield->budget_field);
    b.Insert(yield->call->clone());
    Value* refilled = b.CreateLoad(b.getInt64Ty(), yield->budget_field, "charge.refilled");
    b.CreateBr(run);
    dt_.addNewBlock(pay, preheader);
    b.SetInsertPoint(run, run->begin());
    llvm::PHINode* left = b.CreatePHI(b.getInt64Ty(), 2, "charge.left");
    left->addIncoming(rest, preheader);
    left->addIncoming(refilled, pay);
    charged.budget->setIncomingValueForBlock(run, left);
    removeCharges(charged, loop, llvm::ValueToValueMapTy(), llvm::SimplifyQuery(f_.getDataLayout(), &dt_, &ac_), dt_,
                  li_);
    se_.forgetLoop(&loop);
    se_.forgetBlockAndLoopDispositions();
    return true;
  }

  // Whether `bound` depends on where a search stopped: it reads a value that leaves another
  // innermost loop, not enclosing `loop`, that may leave from more than one place
  // (charged_loop.h, leavesEarly). `loop` then works on what the search found (a word of a
  // text, a field of a line, a key), whose length is that of one token: a few trips, most
  // runs. Neither this nor mayVectorize asks ScalarEvolution anything, whose cached answers
  // later transformations read, so the loops they let through get the code they got before.
  bool boundedBySearch(const llvm::Loop& loop, const llvm::SCEV* bound) {
    return llvm::SCEVExprContains(bound, [&](const llvm::SCEV* part) {
      auto* unknown = llvm::dyn_cast<llvm::SCEVUnknown>(part);
      auto* phi = unknown ? llvm::dyn_cast<llvm::PHINode>(unknown->getValue()) : nullptr;
      if (!phi) return false;
      for (BasicBlock* from : phi->blocks()) {
        llvm::Loop* search = li_.getLoopFor(from);
        if (search && search != &loop && search->getParentLoop() == loop.getParentLoop() && search->isInnermost() &&
            !search->contains(phi->getParent()) && leavesEarly(*search)) {
          return true;
        }
      }
      return false;
    });
  }

  // Whether every phi of the loop's header but the budget's is of a kind the loop
  // vectoriser handles: an induction (a phi the latch adds an invariant to), a reduction or
  // a fixed-order recurrence. A value carried from one iteration to the next in any other
  // way (a hash `h = (h ^ c) * k`, a state machine's state) keeps the loop scalar, as
  // LoopVectorizationLegality refuses it.
  bool mayVectorize(const llvm::Loop& loop, const ChargedLoop& charged) {
    using namespace llvm::PatternMatch;
    for (llvm::PHINode& phi : loop.getHeader()->phis()) {
      if (&phi == charged.budget) continue;
      Value* next = phi.getIncomingValueForBlock(loop.getLoopLatch());
      Value* step = nullptr;
      if ((match(next, m_c_Add(m_Specific(&phi), m_Value(step))) || match(next, m_Sub(m_Specific(&phi), m_Value(step))) ||
           match(next, m_GEP(m_Specific(&phi), m_Value(step)))) &&
          loop.isLoopInvariant(step)) {
        continue;
      }
      llvm::RecurrenceDescriptor reduction;
      if (!llvm::RecurrenceDescriptor::isReductionPHI(&phi, const_cast<llvm::Loop*>(&loop), reduction) &&
          !llvm::RecurrenceDescriptor::isFixedOrderRecurrence(&phi, const_cast<llvm::Loop*>(&loop), &dt_)) {
        return false;
      }
    }
    return true;
  }

  // Whether the loop may run longer than the early yield covers: a loop ScalarEvolution
  // bounds to fewer iterations (the remainder of an unrolled loop) keeps its checked
  // version, whose code is smaller.
  bool worthSlicing(llvm::Loop& loop, const ChargedLoop& charged) {
    const llvm::SCEV* most = se_.getConstantMaxBackedgeTakenCount(&loop);
    auto* constant = llvm::dyn_cast<llvm::SCEVConstant>(most);
    if (!constant || constant->getAPInt().getActiveBits() > 32) return true;
    uint64_t iterations = constant->getAPInt().getZExtValue() + 1;
    return iterations * charged.per_iteration + charged.before_check > kEarlyYieldLimit;
  }

  // Builds the early yield between `preheader` and the two loops, if the header charge's
  // yield block can run there; returns its first block, or null.
  BasicBlock* earlyYield(llvm::Loop& loop, const ChargedLoop& charged, llvm::ValueToValueMapTy& vmap,
                         BasicBlock* preheader, BasicBlock* checked_ph, BasicBlock* fast_ph, Value* need,
                         Value* trusted) {
    BasicBlock* header = loop.getHeader();
    const Charge* first = nullptr;
    for (const Charge& charge : charged.charges) {
      if (charge.check == header) first = &charge;
    }
    if (!first || first->run->hasNPredecessorsOrMore(3)) return nullptr;

    // What the yield block reads of the loop: header phis take their entry values, and the
    // budget it stores is the budget on entry (nothing of the loop is charged yet).
    llvm::ValueToValueMapTy entry;
    for (llvm::PHINode& phi : header->phis()) entry[&phi] = phi.getIncomingValueForBlock(checked_ph);
    entry[first->rest] = entry[charged.budget];
    for (llvm::Instruction& inst : *first->yield) {
      for (Value* operand : inst.operands()) {
        auto* def = llvm::dyn_cast<llvm::Instruction>(operand);
        if (def && loop.contains(def) && def->getParent() != first->yield && !entry.count(def)) return nullptr;
      }
    }
    // What it changes: each phi of `run` that takes a reloaded value stands for a header
    // phi (or for the budget, through the charge's subtraction), whose entry value after an
    // early yield is the reloaded one.
    std::vector<std::pair<llvm::PHINode*, Value*>> reloaded;  // header phi, value in the yield block
    for (llvm::PHINode& phi : first->run->phis()) {
      Value* before = phi.getIncomingValueForBlock(header);
      Value* after = phi.getIncomingValueForBlock(first->yield);
      if (before == after) continue;
      llvm::PHINode* target = before == first->rest ? charged.budget : llvm::dyn_cast<llvm::PHINode>(before);
      if (!target || target->getParent() != header) return nullptr;
      for (const auto& [other, value] : reloaded) {
        if (other == target) return nullptr;
      }
      reloaded.emplace_back(target, after);
    }

    llvm::LLVMContext& context = f_.getContext();
    llvm::Loop* parent = loop.getParentLoop();
    BasicBlock* small = BasicBlock::Create(context, header->getName() + ".small", &f_, checked_ph);
    BasicBlock* yield = BasicBlock::Create(context, header->getName() + ".yield.early", &f_, checked_ph);
    if (parent) {
      parent->addBasicBlockToLoop(small, li_);
      parent->addBasicBlockToLoop(yield, li_);
    }
    llvm::IRBuilder<> b(small);
    b.CreateCondBr(b.CreateAnd(trusted, b.CreateICmpULE(need, b.getInt64(kEarlyYieldLimit), "charge.small")), yield,
                   checked_ph);
    for (llvm::Instruction& inst : *first->yield) {
      if (inst.isTerminator()) break;
      llvm::Instruction* copy = inst.clone();
      copy->insertInto(yield, yield->end());
      llvm::RemapInstruction(copy, entry, llvm::RF_IgnoreMissingLocals | llvm::RF_NoModuleLevelChanges);
      entry[&inst] = copy;
    }
    b.SetInsertPoint(yield);
    auto mapped = [&](Value* v) -> Value* {
      auto it = entry.find(v);
      return it == entry.end() ? v : static_cast<Value*>(it->second);
    };
    Value* refilled = charged.budget->getIncomingValueForBlock(checked_ph);
    for (const auto& [target, value] : reloaded) {
      if (target == charged.budget) refilled = mapped(value);
    }
    b.CreateCondBr(b.CreateICmpSGE(refilled, need, "charge.fits.now"), fast_ph, checked_ph);

    // Both loops start from the entry values or from the reloaded ones.
    for (BasicBlock* ph : {checked_ph, fast_ph}) {
      BasicBlock* straight = ph == checked_ph ? small : preheader;
      for (const auto& [target, value] : reloaded) {
        auto* phi = llvm::PHINode::Create(target->getType(), 2, target->getName() + ".entry");
        phi->insertInto(ph, ph->begin());
        auto* header_phi = ph == checked_ph ? target : llvm::cast<llvm::PHINode>(vmap[target]);
        phi->addIncoming(header_phi->getIncomingValueForBlock(ph), straight);
        phi->addIncoming(mapped(value), yield);
        header_phi->setIncomingValueForBlock(ph, phi);
      }
    }
    dt_.addNewBlock(small, preheader);
    dt_.addNewBlock(yield, small);
    dt_.changeImmediateDominator(fast_ph, preheader);
    return small;
  }

  llvm::Function& f_;
  unsigned kind_;
  llvm::LoopInfo& li_;
  llvm::DominatorTree& dt_;
  llvm::ScalarEvolution& se_;
  llvm::AssumptionCache& ac_;
  llvm::TargetTransformInfo& tti_;
};

class ChargeVersioningPass : public llvm::PassInfoMixin<ChargeVersioningPass> {
 public:
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& fam) {
    unsigned kind = f.getContext().getMDKindID(kReductionsYieldMetadata);
    bool charged = false;
    for (BasicBlock& block : f) charged |= isYieldBlock(block, kind);
    if (!charged || !ChargeVersioning(f, fam, kind).run()) return llvm::PreservedAnalyses::all();
    return llvm::PreservedAnalyses::none();
  }
};

}  // namespace

void registerChargeVersioning(llvm::PassBuilder& builder) {
  builder.registerVectorizerStartEPCallback(
      [](llvm::FunctionPassManager& passes, llvm::OptimizationLevel) { passes.addPass(ChargeVersioningPass()); });
}

}  // namespace lunaticc
