// What the loop passes share (see loop_utils.h).
#include "passes/loop_utils.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/PatternMatch.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ScalarEvolutionExpander.h>

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

namespace {

// A bound from the latch's exit when ScalarEvolution finds none: the latch goes round while
// a counter {a,+,t} (t > 0) is below an invariant limit (ult, ule, slt or sle), and stops
// the first time it is not. With no-wrap flags on the counter's add, which Wasm never has,
// ScalarEvolution would count that itself; without them the counter might wrap past the
// limit. It cannot if the limit is at most the type's maximum + 1 - t, which becomes the
// predicate; then the latch goes round at most ceil((max(limit, a) - a) / t) times.
std::optional<TripBound> latchBound(llvm::ScalarEvolution& se, const llvm::Loop& loop) {
  using namespace llvm::PatternMatch;
  llvm::BasicBlock* latch = loop.getLoopLatch();
  llvm::Value *counter = nullptr, *limit = nullptr;
  llvm::ICmpInst::Predicate predicate;
  llvm::BasicBlock *if_true = nullptr, *if_false = nullptr;
  if (!latch || !match(latch->getTerminator(), m_Br(m_ICmp(predicate, m_Value(counter), m_Value(limit)), if_true,
                                                    if_false))) {
    return std::nullopt;
  }
  if (if_false == loop.getHeader()) predicate = llvm::ICmpInst::getInversePredicate(predicate);
  else if (if_true != loop.getHeader()) return std::nullopt;
  auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(se.getSCEV(counter));
  if (!rec || rec->getLoop() != &loop || !rec->isAffine() || !loop.isLoopInvariant(limit) ||
      !counter->getType()->isIntegerTy() || counter->getType()->getIntegerBitWidth() > 32) {
    return std::nullopt;
  }
  auto* step = llvm::dyn_cast<llvm::SCEVConstant>(rec->getStepRecurrence(se));
  if (!step || !step->getAPInt().isStrictlyPositive()) return std::nullopt;
  bool is_signed = llvm::ICmpInst::isSigned(predicate);
  bool inclusive = predicate == llvm::ICmpInst::ICMP_ULE || predicate == llvm::ICmpInst::ICMP_SLE;
  if (!llvm::ICmpInst::isLT(predicate) && !llvm::ICmpInst::isLE(predicate)) return std::nullopt;
  unsigned width = counter->getType()->getIntegerBitWidth();
  const llvm::APInt& t = step->getAPInt();
  // The counter cannot wrap while it goes round: limit (+ 1 if inclusive) + t fits the type.
  llvm::APInt most = is_signed ? llvm::APInt::getSignedMaxValue(width) : llvm::APInt::getMaxValue(width);
  most -= t;
  if (!inclusive) most += 1;
  const llvm::SCEV* limit_scev = se.getSCEV(limit);
  TripBound bound;
  bound.predicates.push_back(se.getComparePredicate(is_signed ? llvm::ICmpInst::ICMP_SLE : llvm::ICmpInst::ICMP_ULE,
                                                    limit_scev, se.getConstant(most)));
  llvm::Type* i64 = llvm::Type::getInt64Ty(latch->getContext());
  auto widen = [&](const llvm::SCEV* value) {
    return is_signed ? se.getSignExtendExpr(value, i64) : se.getZeroExtendExpr(value, i64);
  };
  const llvm::SCEV* start = widen(rec->getStart());
  const llvm::SCEV* end = widen(limit_scev);
  if (inclusive) end = se.getAddExpr(end, se.getOne(i64));
  const llvm::SCEV* span = se.getMinusSCEV(is_signed ? se.getSMaxExpr(end, start) : se.getUMaxExpr(end, start), start);
  const llvm::SCEV* divisor = se.getConstant(i64, t.getZExtValue());
  bound.max_backedges = se.getUDivExpr(se.getAddExpr(span, se.getMinusSCEV(divisor, se.getOne(i64))), divisor);
  return bound;
}

}  // namespace

std::optional<TripBound> tripBound(llvm::ScalarEvolution& se, const llvm::Loop& loop) {
  TripBound bound{se.getSymbolicMaxBackedgeTakenCount(&loop), {}};
  if (llvm::isa<llvm::SCEVCouldNotCompute>(bound.max_backedges)) {
    bound.max_backedges = se.getPredicatedSymbolicMaxBackedgeTakenCount(&loop, bound.predicates);
  }
  if (llvm::isa<llvm::SCEVCouldNotCompute>(bound.max_backedges)) {
    std::optional<TripBound> latch = latchBound(se, loop);
    if (!latch) return std::nullopt;
    bound = *latch;
  }
  if (!bound.max_backedges->getType()->isIntegerTy() || bound.max_backedges->getType()->getIntegerBitWidth() > 64) {
    return std::nullopt;
  }
  return bound;
}

bool leadsToTrap(const BasicBlock* block) {
  for (int step = 0; step < 4; ++step) {
    const llvm::Instruction* last = block->getTerminator();
    if (llvm::isa<llvm::UnreachableInst>(last)) {
      // The translator's trap blocks: a call of lunatic_trap, nothing else. (Other blocks end
      // in `unreachable` too, after a call that ends the process, such as proc_exit.)
      auto* call = llvm::dyn_cast_or_null<llvm::CallInst>(last->getPrevNode());
      return call && call == block->getFirstNonPHI() && call->getCalledFunction() &&
             call->getCalledFunction()->getName() == "lunatic_trap";
    }
    if (last != block->getFirstNonPHI() || !block->getSingleSuccessor()) return false;
    block = block->getSingleSuccessor();
  }
  return false;
}

namespace {

// Whether `compare` decides a branch to a trap, directly or combined with other conditions.
bool decidesTrap(const llvm::ICmpInst& compare) {
  for (const llvm::User* user : compare.users()) {
    if (llvm::isa<llvm::SelectInst>(user) || llvm::isa<llvm::BinaryOperator>(user)) return true;
    auto* branch = llvm::dyn_cast<llvm::BranchInst>(user);
    if (branch && branch->isConditional() &&
        (leadsToTrap(branch->getSuccessor(0)) || leadsToTrap(branch->getSuccessor(1)))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<BoundsCheck> boundsChecksOf(llvm::ZExtInst& zext, const llvm::Loop& loop) {
  std::vector<BoundsCheck> found;
  auto consider = [&](llvm::Value* address, int64_t k) {
    for (llvm::User* user : address->users()) {
      auto* compare = llvm::dyn_cast<llvm::ICmpInst>(user);
      if (!compare || !loop.contains(compare)) continue;
      // As address PREDICATE size.
      bool first = compare->getOperand(0) == address;
      llvm::Value* size = compare->getOperand(first ? 1 : 0);
      llvm::ICmpInst::Predicate predicate = first ? compare->getPredicate() : compare->getSwappedPredicate();
      if (!loop.isLoopInvariant(size) || !size->getType()->isIntegerTy(64) || !decidesTrap(*compare)) continue;
      switch (predicate) {
        case llvm::ICmpInst::ICMP_UGT: found.push_back({compare, k, false, size}); break;
        case llvm::ICmpInst::ICMP_UGE: found.push_back({compare, k + 1, false, size}); break;
        case llvm::ICmpInst::ICMP_ULT: found.push_back({compare, k + 1, true, size}); break;
        case llvm::ICmpInst::ICMP_ULE: found.push_back({compare, k, true, size}); break;
        default: break;
      }
    }
  };
  consider(&zext, 0);
  for (llvm::User* user : zext.users()) {
    auto* add = llvm::dyn_cast<llvm::BinaryOperator>(user);
    auto* k = add && add->getOpcode() == llvm::Instruction::Add && add->getOperand(0) == &zext
                  ? llvm::dyn_cast<llvm::ConstantInt>(add->getOperand(1))
                  : nullptr;
    if (k && !k->isNegative()) consider(add, k->getSExtValue());
  }
  return found;
}

llvm::Value* assumptionsHold(const TripBound& bound, llvm::SCEVExpander& expander, llvm::Instruction* at) {
  llvm::IRBuilder<> b(at);
  llvm::Value* hold = b.getTrue();
  // expandCodeForPredicate yields true where the predicate fails (as LLVM's own loop
  // versioning uses it), whatever its comment says.
  for (const llvm::SCEVPredicate* predicate : bound.predicates) {
    hold = b.CreateAnd(hold, b.CreateNot(expander.expandCodeForPredicate(predicate, at)));
  }
  return hold;
}

}  // namespace lunaticc
