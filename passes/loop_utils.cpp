// What the loop passes share (see loop_utils.h).
#include "passes/loop_utils.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
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

// The latch's exit as "go round while `counter` PREDICATE `limit`": a counter that is a
// recurrence {a,+,t} of `loop` with a constant step, and a loop-invariant limit.
struct LatchTest {
  llvm::ICmpInst* compare;
  llvm::ICmpInst::Predicate predicate;
  const llvm::SCEVAddRecExpr* counter;
  const llvm::APInt* step;
  const llvm::SCEV* limit;
  bool masked;  // the counter is the low bits of the compared value (maskedCounter)
};

// The counter and limit of a latch test `(v & mask) PREDICATE limit` as the same test on
// the low k bits of v, where mask's set bits are bits s to k - 1 of it and v, a recurrence
// of `loop`, has its s lowest bits clear at every iteration: then v & mask is v mod 2^k.
// LLVM's induction variable widening makes such tests of a 32-bit counter that counts up
// to 0 (clang's loops over static arrays, `for (j = -N; j != 0; j += 16)`): the i64
// counter runs from 2^32 - N to 2^32, and ScalarEvolution bounds it only by 2^64.
std::optional<std::pair<const llvm::SCEV*, const llvm::SCEV*>> maskedCounter(llvm::ScalarEvolution& se,
                                                                            llvm::Value* counter,
                                                                            llvm::Value* limit,
                                                                            const llvm::Loop& loop) {
  using namespace llvm::PatternMatch;
  llvm::Value* masked = nullptr;
  const llvm::APInt *mask = nullptr, *end = nullptr;
  if (!match(counter, m_And(m_Value(masked), m_APInt(mask))) || !match(limit, m_APInt(end))) return std::nullopt;
  unsigned low = mask->countr_zero(), bits = mask->getActiveBits();
  if (bits > 32 || bits <= low || *mask != llvm::APInt::getBitsSet(mask->getBitWidth(), low, bits) ||
      end->getActiveBits() > bits) {
    return std::nullopt;
  }
  auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(se.getSCEV(masked));
  if (!rec || rec->getLoop() != &loop || se.getMinTrailingZeros(rec) < low) return std::nullopt;
  llvm::Type* narrow = llvm::Type::getIntNTy(counter->getContext(), bits);
  return std::pair{se.getTruncateExpr(rec, narrow), se.getConstant(end->trunc(bits))};
}

std::optional<LatchTest> latchTest(llvm::ScalarEvolution& se, const llvm::Loop& loop) {
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
  if (!counter->getType()->isIntegerTy()) return std::nullopt;
  auto masked = maskedCounter(se, counter, limit, loop);
  auto [counter_scev, limit_scev] = masked.value_or(std::pair{se.getSCEV(counter), se.getSCEV(limit)});
  auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(counter_scev);
  if (!rec || rec->getLoop() != &loop || !rec->isAffine() || !se.isLoopInvariant(limit_scev, &loop) ||
      rec->getType()->getIntegerBitWidth() > 32) {
    return std::nullopt;
  }
  auto* step = llvm::dyn_cast<llvm::SCEVConstant>(rec->getStepRecurrence(se));
  if (!step || step->getAPInt().isZero()) return std::nullopt;
  return LatchTest{llvm::cast<llvm::ICmpInst>(llvm::cast<llvm::BranchInst>(latch->getTerminator())->getCondition()),
                   predicate, rec, &step->getAPInt(), limit_scev, masked.has_value()};
}

// A latch that goes round while a counter {a,+,t} (t > 0) is below an invariant limit (ult,
// ule, slt or sle), and stops the first time it is not. With no-wrap flags on the counter's
// add, which Wasm never has, ScalarEvolution would count that itself; without them the
// counter might wrap past the limit. It cannot if the limit is at most the type's maximum + 1
// - t, which becomes the predicate; then the latch goes round at most
// ceil((max(limit, a) - a) / t) times.
std::optional<TripBound> belowLimitBound(llvm::ScalarEvolution& se, const LatchTest& test) {
  llvm::ICmpInst::Predicate predicate = test.predicate;
  if (!test.step->isStrictlyPositive()) return std::nullopt;
  bool is_signed = llvm::ICmpInst::isSigned(predicate);
  bool inclusive = predicate == llvm::ICmpInst::ICMP_ULE || predicate == llvm::ICmpInst::ICMP_SLE;
  if (!llvm::ICmpInst::isLT(predicate) && !llvm::ICmpInst::isLE(predicate)) return std::nullopt;
  unsigned width = test.limit->getType()->getIntegerBitWidth();
  const llvm::APInt& t = *test.step;
  // The counter cannot wrap while it goes round: limit (+ 1 if inclusive) + t fits the type.
  llvm::APInt most = is_signed ? llvm::APInt::getSignedMaxValue(width) : llvm::APInt::getMaxValue(width);
  most -= t;
  if (!inclusive) most += 1;
  const llvm::SCEV* limit_scev = test.limit;
  TripBound bound;
  bound.predicates.push_back(se.getComparePredicate(is_signed ? llvm::ICmpInst::ICMP_SLE : llvm::ICmpInst::ICMP_ULE,
                                                    limit_scev, se.getConstant(most)));
  llvm::Type* i64 = llvm::Type::getInt64Ty(test.compare->getContext());
  auto widen = [&](const llvm::SCEV* value) {
    return is_signed ? se.getSignExtendExpr(value, i64) : se.getZeroExtendExpr(value, i64);
  };
  const llvm::SCEV* start = widen(test.counter->getStart());
  const llvm::SCEV* end = widen(limit_scev);
  if (inclusive) end = se.getAddExpr(end, se.getOne(i64));
  const llvm::SCEV* span = se.getMinusSCEV(is_signed ? se.getSMaxExpr(end, start) : se.getUMaxExpr(end, start), start);
  const llvm::SCEV* divisor = se.getConstant(i64, t.getZExtValue());
  bound.max_backedges = se.getUDivExpr(se.getAddExpr(span, se.getMinusSCEV(divisor, se.getOne(i64))), divisor);
  return bound;
}

// A latch that goes round while a counter {a,+,t} is not equal to an invariant limit L, with
// |t| a power of two: clang's loops unrolled by two, which step a pointer by 16 up to an
// end it made a multiple of 16 away (after a peeled odd iteration). ScalarEvolution counts
// them only if it can prove that t divides L - a; modulo 2^w (w the width) the counter then
// reaches L after exactly (L - a) / t steps (with t > 0; (a - L) / -t with t < 0), the
// first n for which a + n t = L, as t divides 2^w. The predicate is that divisibility,
// checked at run time; where it fails, the counter may wrap round before it meets L.
std::optional<TripBound> equalLimitBound(llvm::ScalarEvolution& se, const LatchTest& test) {
  if (test.predicate != llvm::ICmpInst::ICMP_NE) return std::nullopt;
  llvm::APInt magnitude = test.step->abs();
  if (!magnitude.isPowerOf2()) return std::nullopt;
  const llvm::SCEV* limit = test.limit;
  const llvm::SCEV* start = test.counter->getStart();
  const llvm::SCEV* distance =
      test.step->isStrictlyPositive() ? se.getMinusSCEV(limit, start) : se.getMinusSCEV(start, limit);
  const llvm::SCEV* divisor = se.getConstant(magnitude);
  TripBound bound;
  bound.max_backedges = se.getUDivExpr(distance, divisor);
  bound.uncounted_test = test.compare;
  if (!magnitude.isOne()) {
    bound.predicates.push_back(se.getComparePredicate(llvm::ICmpInst::ICMP_EQ, se.getURemExpr(distance, divisor),
                                                      se.getZero(distance->getType())));
  }
  return bound;
}

// A bound from the latch's exit when ScalarEvolution finds none, or (`only_masked`) a
// better one than it finds for a masked counter, which it bounds only by its type's range.
std::optional<TripBound> latchBound(llvm::ScalarEvolution& se, const llvm::Loop& loop, bool only_masked) {
  std::optional<LatchTest> test = latchTest(se, loop);
  if (!test || (only_masked && !test->masked)) return std::nullopt;
  if (std::optional<TripBound> bound = belowLimitBound(se, *test)) return bound;
  return equalLimitBound(se, *test);
}

}  // namespace

std::optional<TripBound> tripBound(llvm::ScalarEvolution& se, const llvm::Loop& loop) {
  TripBound bound{se.getSymbolicMaxBackedgeTakenCount(&loop), {}};
  if (llvm::isa<llvm::SCEVCouldNotCompute>(bound.max_backedges)) {
    bound.max_backedges = se.getPredicatedSymbolicMaxBackedgeTakenCount(&loop, bound.predicates);
  }
  bool counted = !llvm::isa<llvm::SCEVCouldNotCompute>(bound.max_backedges);
  if (std::optional<TripBound> latch = latchBound(se, loop, counted)) bound = *latch;
  else if (!counted || boundedOnlyByTraps(se, loop)) return std::nullopt;
  if (!bound.max_backedges->getType()->isIntegerTy() || bound.max_backedges->getType()->getIntegerBitWidth() > 64) {
    return std::nullopt;
  }
  return bound;
}

namespace {

// Whether the exit of `block` from `loop` may count iterations: its branch compares a
// recurrence of the loop (perhaps extended or truncated) with a loop-invariant value, or
// has a shape not looked into. A test of a value read or computed in the loop (`c > 9` on
// a byte read) counts nothing.
bool mayCount(const BasicBlock* block, const llvm::Loop& loop, llvm::ScalarEvolution& se) {
  auto* branch = llvm::dyn_cast<llvm::BranchInst>(block->getTerminator());
  if (!branch || !branch->isConditional()) return true;
  auto* compare = llvm::dyn_cast<llvm::ICmpInst>(branch->getCondition());
  if (!compare || !se.isSCEVable(compare->getOperand(0)->getType())) return true;
  auto recurrence = [&](const llvm::SCEV* value) {
    while (auto* cast = llvm::dyn_cast<llvm::SCEVCastExpr>(value)) value = cast->getOperand();
    auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(value);
    return rec && rec->getLoop() == &loop;
  };
  const llvm::SCEV* left = se.getSCEV(compare->getOperand(0));
  const llvm::SCEV* right = se.getSCEV(compare->getOperand(1));
  return (recurrence(left) && se.isLoopInvariant(right, &loop)) ||
         (recurrence(right) && se.isLoopInvariant(left, &loop));
}

}  // namespace

bool boundedOnlyByTraps(llvm::ScalarEvolution& se, const llvm::Loop& loop) {
  llvm::SmallVector<BasicBlock*, 4> exiting;
  loop.getExitingBlocks(exiting);
  bool traps = false;
  for (BasicBlock* block : exiting) {
    bool leaves = false;  // other than to a trap
    for (BasicBlock* successor : llvm::successors(block)) {
      if (loop.contains(successor)) continue;
      bool trap = leadsToTrap(successor);
      traps |= trap;
      leaves |= !trap;
    }
    if (leaves && (!llvm::isa<llvm::SCEVCouldNotCompute>(
                       se.getExitCount(&loop, block, llvm::ScalarEvolution::SymbolicMaximum)) ||
                   mayCount(block, loop, se))) {
      return false;
    }
  }
  return traps;
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

std::optional<BoundsCheck> boundsCheckOn(llvm::ICmpInst& compare, const llvm::Value& value, int64_t k,
                                         const llvm::Loop& loop) {
  if (!loop.contains(&compare)) return std::nullopt;
  // As value PREDICATE size.
  bool first = compare.getOperand(0) == &value;
  llvm::Value* size = compare.getOperand(first ? 1 : 0);
  llvm::ICmpInst::Predicate predicate = first ? compare.getPredicate() : compare.getSwappedPredicate();
  if (!loop.isLoopInvariant(size) || !size->getType()->isIntegerTy(64) || !decidesTrap(compare)) return std::nullopt;
  switch (predicate) {
    case llvm::ICmpInst::ICMP_UGT: return BoundsCheck{&compare, k, false, size};
    case llvm::ICmpInst::ICMP_UGE: return BoundsCheck{&compare, k + 1, false, size};
    case llvm::ICmpInst::ICMP_ULT: return BoundsCheck{&compare, k + 1, true, size};
    case llvm::ICmpInst::ICMP_ULE: return BoundsCheck{&compare, k, true, size};
    default: return std::nullopt;
  }
}

std::vector<BoundsCheck> boundsChecksOf(llvm::ZExtInst& zext, const llvm::Loop& loop) {
  std::vector<BoundsCheck> found;
  auto consider = [&](llvm::Value* address, int64_t k) {
    for (llvm::User* user : address->users()) {
      auto* compare = llvm::dyn_cast<llvm::ICmpInst>(user);
      if (!compare) continue;
      if (std::optional<BoundsCheck> check = boundsCheckOn(*compare, *address, k, loop)) found.push_back(*check);
    }
  };
  consider(&zext, 0);
  for (llvm::User* user : zext.users()) {
    const llvm::ConstantInt* k = addedConstant(*user, zext);
    if (k && !k->isNegative()) consider(user, k->getSExtValue());
  }
  return found;
}

const llvm::ConstantInt* addedConstant(const llvm::Value& sum, const llvm::Value& to) {
  using namespace llvm::PatternMatch;
  llvm::ConstantInt* k = nullptr;
  if (!match(&sum, m_AddLike(m_Specific(&to), m_ConstantInt(k)))) return nullptr;
  return k;
}

namespace {

// The compares whose disjunction `condition` is (InstCombine merges the checks of one
// iteration into `or`s, or `select a, true, b`).
void disjuncts(llvm::Value* condition, std::vector<llvm::ICmpInst*>& found, int depth = 0) {
  using namespace llvm::PatternMatch;
  llvm::Value *a = nullptr, *b = nullptr;
  if (auto* compare = llvm::dyn_cast<llvm::ICmpInst>(condition)) {
    found.push_back(compare);
  } else if (depth < 8 && match(condition, m_LogicalOr(m_Value(a), m_Value(b)))) {
    disjuncts(a, found, depth + 1);
    disjuncts(b, found, depth + 1);
  }
}

}  // namespace

std::vector<std::pair<BoundsCheck, llvm::Value*>> boundsChecksIn(const llvm::Loop& loop) {
  std::vector<std::pair<BoundsCheck, llvm::Value*>> found;
  std::vector<llvm::ICmpInst*> compares;
  for (llvm::BasicBlock* block : loop.blocks()) {
    auto* branch = llvm::dyn_cast<llvm::BranchInst>(block->getTerminator());
    if (!branch || !branch->isConditional()) continue;
    compares.clear();
    disjuncts(branch->getCondition(), compares);
    for (llvm::ICmpInst* compare : compares) {
      for (llvm::Value* value : compare->operands()) {
        if (!value->getType()->isIntegerTy(64) || loop.isLoopInvariant(value)) continue;
        if (std::optional<BoundsCheck> check = boundsCheckOn(*compare, *value, 0, loop)) found.emplace_back(*check, value);
      }
    }
  }
  return found;
}

namespace {

// `s` with each part that the loop `outer` does not change (but constants) replaced by one
// opaque value, which costs nothing to expand.
class OuterInvariantsHidden : public llvm::SCEVRewriteVisitor<OuterInvariantsHidden> {
 public:
  OuterInvariantsHidden(llvm::ScalarEvolution& se, const llvm::Loop& outer) : SCEVRewriteVisitor(se), outer_(outer) {}

  const llvm::SCEV* visit(const llvm::SCEV* s) {
    if (!llvm::isa<llvm::SCEVConstant>(s) && SE.isLoopInvariant(s, &outer_)) {
      return SE.getUnknown(llvm::PoisonValue::get(s->getType()));
    }
    return SCEVRewriteVisitor::visit(s);
  }

 private:
  const llvm::Loop& outer_;
};

}  // namespace

bool costlyOnEntry(llvm::ArrayRef<const llvm::SCEV*> values, const llvm::Loop& loop, unsigned budget,
                   llvm::ScalarEvolution& se, llvm::SCEVExpander& expander, const llvm::TargetTransformInfo& tti,
                   const llvm::Instruction* at) {
  llvm::SmallVector<const llvm::SCEV*, 16> paid(values.begin(), values.end());
  if (const llvm::Loop* outer = loop.getParentLoop()) {
    OuterInvariantsHidden hide(se, *outer);
    for (const llvm::SCEV*& value : paid) value = hide.visit(value);
  }
  return expander.isHighCostExpansion(paid, const_cast<llvm::Loop*>(&loop), budget, &tti, at);
}

void countLatch(const TripBound& bound, llvm::Loop& loop, llvm::SCEVExpander& expander) {
  llvm::ICmpInst* test = bound.uncounted_test;
  llvm::BasicBlock* preheader = loop.getLoopPreheader();
  llvm::BasicBlock* latch = loop.getLoopLatch();
  llvm::Type* i64 = llvm::Type::getInt64Ty(test->getContext());
  llvm::Value* last = expander.expandCodeFor(bound.max_backedges, nullptr, preheader->getTerminator());
  last = llvm::IRBuilder<>(preheader->getTerminator()).CreateZExt(last, i64, "trips.last");
  llvm::IRBuilder<> b(&loop.getHeader()->front());
  llvm::PHINode* index = b.CreatePHI(i64, 2, "trips.index");
  b.SetInsertPoint(latch->getTerminator());
  llvm::Value* next = b.CreateAdd(index, b.getInt64(1), "trips.next", true, true);
  index->addIncoming(b.getInt64(0), preheader);
  index->addIncoming(next, latch);
  // The counter meets the end first at the bound's iteration: counter == end exactly when
  // index == bound, at every iteration that reaches the test.
  test->setOperand(0, index);
  test->setOperand(1, last);
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
