// 64-bit addresses in loops whose 32-bit address arithmetic cannot wrap (see
// address_widening.h).
//
// The translator forms a host address as base + zext(a), where a is the Wasm address: an
// i32, often computed in the loop (p + 8*i, or p + 8*i + 8 when clang unrolled by two).
// Wasm's i32.add wraps, so ScalarEvolution cannot rewrite zext({p,+,8}) as {zext p,+,8}:
// the access has no known stride, two accesses 8 bytes apart have no known distance, and
// LLVM neither vectorises the loop nor folds the constant into the addressing mode. Native
// code has no such wrap; matmul ran at twice native time for it.
//
// For an innermost loop that calls nothing but lunatic_yield (which moves no memory; a loop
// that calls nothing, LLVM may vectorise) and whose trips can be bounded (passes/loop_utils.h), the
// pass rewrites each such i32 recurrence a as an i64
// expression w: loop-invariant parts zero-extended, constants sign-extended, the loop's own
// recurrences kept with their constant steps. By construction w equals a modulo 2^32, and
// w is linear in the iteration number, so if w lies in [0, 2^32) at the first and at the
// last iteration it lies there at every iteration in between, and then w = zext(a). The
// preheader checks exactly that:
//
//   preheader:  w(first) <u 2^32 and w(last) <u 2^32 for every address ? wide : narrow
//   wide:       the loop with w in place of zext(a)
//   narrow:     a copy of the loop as it was
//
// In bounds-checked mode the loop's bounds checks (address + end > size, then a trap) are
// checked the same way: if the highest end of each group lies within the memory's size,
// which such a loop cannot change, no check in the wide loop can trap, and they
// go; a loop that would trap runs the narrow copy, which traps at the same iteration.
//
// Where LLVM has already made the addresses i64 recurrences (ScalarEvolution proved that they
// do not wrap: static arrays), there is nothing to widen, but bounds-checked, their checks
// go the same way, both ends of each range checked (findRecurrenceBoundsChecks). A branch
// to a trap on a condition the loop does not change (the check of a loop-invariant address,
// hoisted by LICM) joins the conditions and goes too (findInvariantTraps). A latch
// that ScalarEvolution can count only under a run-time predicate (a pointer stepping to an
// end) counts an i64 index in the wide loop (countLatch), so that the vectoriser can count
// it too. And a load whose value the next iteration uses before its own copy of that load
// (a stencil's u[i + 1], kept as u[i]) moves first in the wide loop, where no store of the
// loop writes what it reads and no access can trap (findCarriedLoads): LLVM vectorises
// such a recurrence only then. docs/architecture.md says why each keeps Wasm's semantics.
//
// Addresses whose invariant parts differ only by a constant share one check (the lowest
// and highest constant). Loop-invariant parts keep their constants apart from the
// zero-extended rest (p + 8 becomes zext(p) + 8, not zext(p + 8)), so that accesses a
// constant apart stay a constant apart. The check is only ever false for addresses that
// wrap around 4 GiB, which compiled C does not form in practice; the narrow copy keeps
// such code exact.
#include "passes/memory/address_widening.h"

#include "lunatic/abi.h"
#include "passes/loop_utils.h"
#include "passes/preemption/charges.h"

#include <llvm/ADT/MapVector.h>
#include <llvm/ADT/SetVector.h>
#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/InstructionSimplify.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/Analysis/TargetTransformInfo.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Utils/LoopRotationUtils.h>
#include <llvm/Transforms/Utils/LoopUtils.h>
#include <llvm/Transforms/Utils/ScalarEvolutionExpander.h>

#include <array>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

namespace lunaticc {
namespace {

using llvm::BasicBlock;
using llvm::SCEV;
using llvm::Value;

// Steps (bytes per iteration) up to this size keep step * trip count far from overflowing
// an i64 (trip counts are checked against kMaxTrips at run time).
constexpr int64_t kMaxStep = int64_t(1) << 24;
constexpr uint64_t kMaxTrips = uint64_t(1) << 32;

// How many basic operations (TTI's TCC_Basic units) the checks may cost to compute. 24 would
// widen n-body's bounds-checked inner loop too (7% faster), but also more of wasi-libc's
// loops, and the code moved by that made the interpreter kernel 15% slower, bounds-checked,
// in code not changed at all; a wash on this machine.
constexpr unsigned kCheckBudget = 16;
// The same for a loop within another, counting only what changes in the enclosing loop (the
// rest is computed once outside it): an inner loop of a loop nest over rows, whose checks
// run once per row. Only for loops the checks make vectorisable (addresses to widen,
// carried loads to move): dropping bounds checks alone pays back once per iteration, and
// short loops of data-dependent length (fannkuch's flips) run only a few.
constexpr unsigned kNestedCheckBudget = 32;

// The largest header (in TTI's size units) a loop is rotated with: it is copied before the
// loop. Twice LLVM's default, as the header holds half of an unrolled body.
constexpr unsigned kMaxRotatedHeader = 32;

// Loops with more addresses to widen than this are left alone (each may need a check).
constexpr size_t kMaxAddresses = 64;

// Whether `loop` calls nothing but intrinsics, and lunatic_yield (a reduction charge's,
// which moves and grows no memory: abi.h) if `yields`, outside blocks that end in
// `unreachable` (traps). No call in such a loop can change memory's base or size, or the
// addresses' parts; without yields LLVM may vectorise it.
bool callsNothingBut(const llvm::Loop& loop, unsigned yield_kind, bool yields) {
  for (const BasicBlock* block : loop.blocks()) {
    if (llvm::isa<llvm::UnreachableInst>(block->getTerminator())) continue;
    for (const llvm::Instruction& inst : *block) {
      if (llvm::isa<llvm::CallBase>(inst) && !llvm::isa<llvm::IntrinsicInst>(inst) &&
          !(yields && inst.getMetadata(yield_kind))) {
        return false;
      }
    }
  }
  return true;
}

// Whether the zero-extension `zext` forms a memory address: a GEP uses it, directly or
// after the addition of an access's constant offset.
bool formsAddress(const llvm::ZExtInst& zext) {
  for (const llvm::User* user : zext.users()) {
    if (llvm::isa<llvm::GetElementPtrInst>(user)) return true;
    if (addedConstant(*user, zext)) {
      for (const llvm::User* next : user->users()) {
        if (llvm::isa<llvm::GetElementPtrInst>(next)) return true;
      }
    }
  }
  return false;
}

// An address to widen: its zero-extension and the i64 recurrence that replaces it.
struct WideAddress {
  llvm::ZExtInst* zext;
  const llvm::SCEVAddRecExpr* wide;
  bool proven;  // ScalarEvolution proved that zext is wide: nothing to check or replace
};

// A bounds check on a widened address.
struct WideBoundsCheck {
  BoundsCheck check;
  const llvm::SCEVAddRecExpr* wide;  // the address
  // The address is an i64 recurrence of LLVM's own (not one this pass widened, which lies
  // in [0, 2^32)): its lowest end must be checked too (see conditions()).
  bool two_sided;
};

// A branch of the loop to a trap on a loop-invariant condition, which does not trap when
// the condition is `passes_if`.
struct InvariantTrap {
  llvm::BranchInst* branch;
  bool passes_if;
};

// A load or store at an affine offset from memory's base: `offset` for the first byte.
struct AffineAccess {
  llvm::Instruction* access;
  const llvm::SCEVAddRecExpr* offset;
  uint64_t bytes;
};

// Addresses w = rest + c + step * i with the same rest and step form a group: they lie
// constants apart throughout the loop.
struct GroupKey {
  const SCEV* rest;
  int64_t step;
  bool operator<(const GroupKey& other) const { return std::tie(rest, step) < std::tie(other.rest, other.step); }
};

// The base pointers of the widened loop: memory's base plus an address's invariant part,
// one for each invariant part, made in the preheader. Each goes through an integer, so
// that LLVM takes it for an object of its own: the loop vectoriser then checks accesses
// from different bases against each other at run time, and proves accesses from one base
// (p + 8i and p + 8i + 8) independent by their distance. From one shared base it would
// check every pair at run time, and accesses a few bytes apart always overlap.
class Bases {
 public:
  Bases(llvm::Instruction* at, llvm::SCEVExpander& expander) : b_(at), at_(at), expander_(expander) {}

  Value* of(Value* memory, const SCEV* rest) {
    Value*& base = made_[{memory, rest}];
    if (!base) {
      Value* start = b_.CreatePtrToInt(memory, b_.getInt64Ty());
      Value* offset = expander_.expandCodeFor(rest, b_.getInt64Ty(), at_);
      base = b_.CreateIntToPtr(b_.CreateAdd(start, offset), memory->getType(), "addr.base");
    }
    return base;
  }

 private:
  llvm::IRBuilder<> b_;
  llvm::Instruction* at_;
  llvm::SCEVExpander& expander_;
  std::map<std::pair<Value*, const SCEV*>, Value*> made_;
};

class AddressWidening {
 public:
  AddressWidening(llvm::Function& f, llvm::FunctionAnalysisManager& fam)
      : f_(f),
        i64_(llvm::Type::getInt64Ty(f.getContext())),
        li_(fam.getResult<llvm::LoopAnalysis>(f)),
        dt_(fam.getResult<llvm::DominatorTreeAnalysis>(f)),
        se_(fam.getResult<llvm::ScalarEvolutionAnalysis>(f)),
        ac_(fam.getResult<llvm::AssumptionAnalysis>(f)),
        tti_(fam.getResult<llvm::TargetIRAnalysis>(f)) {}

  bool run() {
    std::vector<llvm::Loop*> candidates;
    unsigned yield_kind = f_.getContext().getMDKindID(kReductionsYieldMetadata);
    for (llvm::Loop* loop : li_.getLoopsInPreorder()) {
      if (loop->isInnermost() && callsNothingBut(*loop, yield_kind, true)) candidates.push_back(loop);
    }
    bool changed = false;
    for (llvm::Loop* loop : candidates) changed |= widen(*loop);
    return changed;
  }

 private:
  // A constant and the rest of `s`, whose sum `s` is (SCEV puts an add's constant first).
  // An outer loop's recurrence gives up its start's constant too: SCEV folds the constant
  // of `3768 + {0,+,56}<outer>` into `{3768,+,56}<outer>`, and addresses 8 bytes apart in a
  // struct would otherwise fall in different groups.
  std::pair<int64_t, const SCEV*> splitConstant(const SCEV* s) {
    if (auto* constant = llvm::dyn_cast<llvm::SCEVConstant>(s)) {
      return {constant->getAPInt().getSExtValue(), se_.getZero(s->getType())};
    }
    if (auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(s); rec && rec->isAffine()) {
      auto [offset, start] = splitConstant(rec->getStart());
      return {offset, se_.getAddRecExpr(start, rec->getStepRecurrence(se_), rec->getLoop(), SCEV::FlagAnyWrap)};
    }
    auto* add = llvm::dyn_cast<llvm::SCEVAddExpr>(s);
    auto* constant = add ? llvm::dyn_cast<llvm::SCEVConstant>(add->getOperand(0)) : nullptr;
    if (!constant) return {0, s};
    llvm::SmallVector<const SCEV*, 4> rest(add->operands().begin() + 1, add->operands().end());
    return {constant->getAPInt().getSExtValue(), se_.getAddExpr(rest)};
  }

  const SCEV* constant(int64_t value) { return se_.getConstant(i64_, uint64_t(value), true); }

  // An i64 expression equal to the i32 expression `s` modulo 2^32 (see the top of the
  // file), or null.
  const SCEV* widened(const SCEV* s, const llvm::Loop& loop) {
    if (auto* c = llvm::dyn_cast<llvm::SCEVConstant>(s)) return constant(c->getAPInt().getSExtValue());
    if (auto* add = llvm::dyn_cast<llvm::SCEVAddExpr>(s)) {
      llvm::SmallVector<const SCEV*, 4> operands;
      for (const SCEV* operand : add->operands()) {
        const SCEV* wide = widened(operand, loop);
        if (!wide) return nullptr;
        operands.push_back(wide);
      }
      return se_.getAddExpr(operands);
    }
    auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(s);
    if (rec && rec->isAffine() && rec->getLoop() == &loop) {
      auto* step = llvm::dyn_cast<llvm::SCEVConstant>(rec->getStepRecurrence(se_));
      if (!step) return nullptr;
      int64_t bytes = step->getAPInt().getSExtValue();
      const SCEV* start = widened(rec->getStart(), loop);
      if (!start || bytes <= -kMaxStep || bytes >= kMaxStep) return nullptr;
      return se_.getAddRecExpr(start, constant(bytes), &loop, SCEV::FlagAnyWrap);
    }
    if (!se_.isLoopInvariant(s, &loop)) return nullptr;
    auto* product = llvm::dyn_cast<llvm::SCEVMulExpr>(s);
    auto* factor = product ? llvm::dyn_cast<llvm::SCEVConstant>(product->getOperand(0)) : nullptr;
    if (factor && factor->getAPInt().isNegative()) {
      // A subtracted invariant (`c - w` in `best[i - 1][c - w]` is 4c + -4 * w): zero-
      // extended, -4w mod 2^32 would put every address of the group beyond 4 GiB, and the
      // loop would never run wide. Any extension keeps w = a (mod 2^32); this one keeps
      // the difference small.
      llvm::SmallVector<const SCEV*, 4> rest(product->operands().begin() + 1, product->operands().end());
      return se_.getMulExpr(constant(factor->getAPInt().getSExtValue()),
                            se_.getZeroExtendExpr(se_.getMulExpr(rest), i64_));
    }
    if (rec && rec->isAffine()) {
      // An outer loop's recurrence: its start's constant stays apart.
      auto [offset, rest] = splitConstant(rec->getStart());
      if (offset != 0) {
        const SCEV* moved = se_.getAddRecExpr(rest, rec->getStepRecurrence(se_), rec->getLoop(), SCEV::FlagAnyWrap);
        return se_.getAddExpr(constant(offset), se_.getZeroExtendExpr(moved, i64_));
      }
    }
    return se_.getZeroExtendExpr(s, i64_);
  }

  // An i64 recurrence of `loop` with a constant step that stays small, or null.
  const llvm::SCEVAddRecExpr* steppedIn(const SCEV* s, const llvm::Loop& loop) {
    auto* rec = llvm::dyn_cast_or_null<llvm::SCEVAddRecExpr>(s);
    if (!rec || rec->getLoop() != &loop || !rec->isAffine()) return nullptr;
    auto* step = llvm::dyn_cast<llvm::SCEVConstant>(rec->getStepRecurrence(se_));
    if (!step || step->getAPInt().getSExtValue() <= -kMaxStep || step->getAPInt().getSExtValue() >= kMaxStep) {
      return nullptr;
    }
    return rec;
  }

  std::vector<WideAddress> findAddresses(const llvm::Loop& loop) {
    std::vector<WideAddress> found;
    for (BasicBlock* block : loop.blocks()) {
      for (llvm::Instruction& inst : *block) {
        auto* zext = llvm::dyn_cast<llvm::ZExtInst>(&inst);
        if (!zext || !zext->getType()->isIntegerTy(64) || !zext->getSrcTy()->isIntegerTy(32) ||
            !formsAddress(*zext)) {
          continue;
        }
        auto* narrow = llvm::dyn_cast<llvm::SCEVAddRecExpr>(se_.getSCEV(zext->getOperand(0)));
        if (!narrow || narrow->getLoop() != &loop) continue;
        // Already a recurrence: ScalarEvolution proved that it does not wrap (a static
        // array's rows). Only its bounds checks may go.
        if (const llvm::SCEVAddRecExpr* known = steppedIn(se_.getSCEV(zext), loop)) {
          found.push_back({zext, known, true});
          findBoundsChecks(*zext, known, loop);
          continue;
        }
        if (llvm::isa<llvm::SCEVAddRecExpr>(se_.getSCEV(zext))) continue;
        const llvm::SCEVAddRecExpr* wide = steppedIn(widened(narrow, loop), loop);
        if (!wide) continue;
        found.push_back({zext, wide, false});
        findBoundsChecks(*zext, wide, loop);
      }
    }
    return found;
  }

  void findBoundsChecks(llvm::ZExtInst& zext, const llvm::SCEVAddRecExpr* wide, const llvm::Loop& loop) {
    for (const BoundsCheck& check : boundsChecksOf(zext, loop)) bounds_checks_.push_back({check, wide, false});
  }

  // The branches of `loop` to a trap on a condition the loop does not change, computed
  // before it: an access at an address invariant in the loop (LICM hoists its check's
  // compare, which then lies outside the loop and escapes boundsChecksOf), or any other
  // trap whose condition the loop cannot change.
  void findInvariantTraps(const llvm::Loop& loop, llvm::Instruction* at) {
    for (BasicBlock* block : loop.blocks()) {
      auto* branch = llvm::dyn_cast<llvm::BranchInst>(block->getTerminator());
      if (!branch || !branch->isConditional() || llvm::isa<llvm::Constant>(branch->getCondition())) continue;
      bool traps_if_true = leadsToTrap(branch->getSuccessor(0));
      if (traps_if_true == leadsToTrap(branch->getSuccessor(1))) continue;
      Value* condition = branch->getCondition();
      auto* defined = llvm::dyn_cast<llvm::Instruction>(condition);
      if (!loop.isLoopInvariant(condition) || (defined && !dt_.dominates(defined, at))) continue;
      invariant_traps_.push_back({branch, !traps_if_true});
    }
  }

  // The bounds checks on addresses LLVM has already made i64 recurrences (its induction
  // variable simplification does that where ScalarEvolution proves no wrap: static arrays).
  void findRecurrenceBoundsChecks(const llvm::Loop& loop) {
    std::set<const llvm::ICmpInst*> known;
    for (const WideBoundsCheck& bounds : bounds_checks_) known.insert(bounds.check.compare);
    for (const auto& [check, value] : boundsChecksIn(loop)) {
      if (known.count(check.compare)) continue;
      if (const llvm::SCEVAddRecExpr* rec = steppedIn(se_.getSCEV(value), loop)) {
        bounds_checks_.push_back({check, rec, true});
      }
    }
  }

  // The offset from memory's base of `pointer`, a chain of byte GEPs from a loop-invariant
  // root, as a recurrence of `loop` (with widened addresses in place of their zext), and
  // the root; or null.
  std::pair<const llvm::SCEVAddRecExpr*, Value*> offsetOf(Value* pointer, const llvm::Loop& loop) {
    const SCEV* offset = se_.getZero(i64_);
    while (auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(pointer)) {
      if (gep->getNumIndices() != 1 || !gep->getSourceElementType()->isIntegerTy(8)) return {nullptr, nullptr};
      Value* index = gep->getOperand(1);
      const SCEV* part = nullptr;
      auto* add = llvm::dyn_cast<llvm::BinaryOperator>(index);
      const llvm::ConstantInt* k = add ? addedConstant(*add, *add->getOperand(0)) : nullptr;
      if (auto found = widened_.find(index); found != widened_.end()) {
        part = found->second;
      } else if (k && widened_.count(add->getOperand(0))) {
        part = se_.getAddExpr(widened_[add->getOperand(0)], se_.getConstant(k->getValue()));
      } else {
        part = se_.getSCEV(index);
      }
      if (part->getType() != i64_) return {nullptr, nullptr};
      offset = se_.getAddExpr(offset, part);
      pointer = gep->getPointerOperand();
    }
    if (!loop.isLoopInvariant(pointer)) return {nullptr, nullptr};
    return {steppedIn(offset, loop), pointer};
  }

  // The loads that carry a value round `loop` (clang's wasm32 code keeps a[j + 1], loaded in
  // one iteration, as the next one's a[j]) and that come after a use of that value in the
  // iteration: LLVM vectorises such a fixed-order recurrence only where the load comes
  // first. They may move to the top of the loop body if what they read no store in the
  // loop writes, and no access traps (rotationNeeds); so the loop must store only at
  // affine offsets from the loads' root. Fills stores_ and root_.
  std::vector<AffineAccess> findCarriedLoads(const llvm::Loop& loop) {
    std::vector<AffineAccess> found;
    stores_.clear();
    root_ = nullptr;
    const llvm::DataLayout& layout = f_.getDataLayout();
    BasicBlock* latch = loop.getLoopLatch();
    llvm::Instruction* top = &*loop.getHeader()->getFirstInsertionPt();
    for (llvm::PHINode& phi : loop.getHeader()->phis()) {
      auto* load = llvm::dyn_cast<llvm::LoadInst>(phi.getIncomingValueForBlock(latch));
      if (!load || !load->isSimple() || !loop.contains(load)) continue;
      bool used_before = llvm::any_of(phi.users(), [&](const llvm::User* user) {
        auto* inst = llvm::dyn_cast<llvm::Instruction>(user);
        return inst && loop.contains(inst) && !llvm::isa<llvm::PHINode>(inst) && !dt_.dominates(load, inst);
      });
      if (!used_before || !movable(load->getPointerOperand(), top, loop, 0)) continue;
      auto [offset, root] = offsetOf(load->getPointerOperand(), loop);
      if (!offset || (root_ && root != root_)) continue;
      root_ = root;
      found.push_back({load, offset, layout.getTypeStoreSize(load->getType())});
    }
    if (found.empty()) return found;
    for (BasicBlock* block : loop.blocks()) {
      if (llvm::isa<llvm::UnreachableInst>(block->getTerminator())) continue;
      for (llvm::Instruction& inst : *block) {
        if (!inst.mayWriteToMemory()) continue;
        auto* store = llvm::dyn_cast<llvm::StoreInst>(&inst);
        if (!store || !store->isSimple()) return {};
        auto [offset, root] = offsetOf(store->getPointerOperand(), loop);
        if (!offset || root != root_) return {};
        stores_.push_back({store, offset, layout.getTypeStoreSize(store->getValueOperand()->getType())});
      }
    }
    return found;
  }

  // Whether `value` and what it is computed from in the loop can move before `top` (which
  // the header's phis dominate): no memory access, nothing that may trap.
  bool movable(Value* value, llvm::Instruction* top, const llvm::Loop& loop, int depth) {
    auto* inst = llvm::dyn_cast<llvm::Instruction>(value);
    if (!inst || !loop.contains(inst) || llvm::isa<llvm::PHINode>(inst)) return true;
    if (depth > 8 || inst->mayReadOrWriteMemory() || !llvm::isSafeToSpeculativelyExecute(inst)) return false;
    return llvm::all_of(inst->operands(), [&](Value* operand) { return movable(operand, top, loop, depth + 1); });
  }

  // What `value` is computed from in `loop` (but phis), and `value`, operands first.
  void computation(Value* value, const llvm::Loop& loop, llvm::SetVector<llvm::Instruction*>& found) {
    auto* inst = llvm::dyn_cast<llvm::Instruction>(value);
    if (!inst || !loop.contains(inst) || llvm::isa<llvm::PHINode>(inst) || found.contains(inst)) return;
    for (Value* operand : inst->operands()) computation(operand, loop, found);
    found.insert(inst);
  }

  // Moves `load` and what its address is computed from in `loop` to the top of the loop's
  // header, in order.
  void moveToTop(llvm::Instruction* load, const llvm::Loop& loop) {
    llvm::SetVector<llvm::Instruction*> moved;
    computation(load, loop, moved);
    llvm::Instruction* top = &*loop.getHeader()->getFirstInsertionPt();
    for (llvm::Instruction* inst : moved) {
      if (inst == top) top = inst->getNextNode();  // already in place, before all that follows
      else inst->moveBefore(top);
    }
  }

  // The group of a widened address w = rest + c + step * i: (rest, step), and c.
  std::pair<GroupKey, int64_t> groupOf(const llvm::SCEVAddRecExpr* wide) {
    auto [offset, rest] = splitConstant(wide->getStart());
    int64_t step = llvm::cast<llvm::SCEVConstant>(wide->getStepRecurrence(se_))->getAPInt().getSExtValue();
    return {GroupKey{rest, step}, offset};
  }

  // Whether two addresses lie a constant apart (p + 8i and p + 8i + 8): the relation
  // ScalarEvolution loses to the wrap, which keeps LLVM from vectorising them and from
  // folding the constant into the addressing mode. Loops without such a pair are left
  // alone: LLVM vectorises single accesses under its own run-time wrap checks, and a copy
  // of every loop would cost a fifth more compile time for little (a large module's
  // 4,500 small loops).
  bool hasNeighbours(const std::vector<WideAddress>& addresses) {
    std::map<GroupKey, int64_t> first_offset;
    for (const WideAddress& address : addresses) {
      if (address.proven) continue;
      auto [key, offset] = groupOf(address.wide);
      auto [seen, fresh] = first_offset.try_emplace(key, offset);
      if (!fresh && seen->second != offset) return true;
    }
    return false;
  }

  // What the wide loop needs, as (value, limit) pairs: value <u limit must hold. For each
  // group of addresses w = rest + c + step * i (constants c apart), the lowest and the
  // highest any of them takes must lie in [0, 2^32); and the highest end of each group's
  // bounds-checked accesses must not pass the memory's size (bounds-checked mode), so that
  // no check in the loop can trap.
  std::vector<std::pair<const SCEV*, Value*>> conditions(const std::vector<WideAddress>& addresses,
                                                         const SCEV* backedges) {
    // The value of a group's member with constant c at its extreme end (first or last).
    auto extreme = [&](const GroupKey& key, int64_t c, bool highest) {
      const SCEV* value = se_.getAddExpr(key.rest, constant(c));
      bool at_last = (key.step >= 0) == highest;
      return at_last ? se_.getAddExpr(value, se_.getMulExpr(constant(key.step), backedges)) : value;
    };
    // In the order the addresses first name them, so the checks come out the same in every
    // compilation: keys hold pointers, and a plain map would order them by address.
    llvm::MapVector<GroupKey, std::pair<int64_t, int64_t>, std::map<GroupKey, unsigned>> ranges;  // lowest and highest constant
    for (const WideAddress& address : addresses) {
      if (address.proven) continue;
      auto [key, offset] = groupOf(address.wide);
      auto [range, fresh] = ranges.try_emplace(key, offset, offset);
      range->second.first = std::min(range->second.first, offset);
      range->second.second = std::max(range->second.second, offset);
    }
    using GroupAndSize = std::pair<GroupKey, Value*>;
    struct Reach {
      int64_t lowest, highest;  // constant + end
      bool two_sided;
    };
    llvm::MapVector<GroupAndSize, Reach, std::map<GroupAndSize, unsigned>> ends;
    for (const WideBoundsCheck& bounds : bounds_checks_) {
      auto [key, offset] = groupOf(bounds.wide);
      int64_t reach = offset + bounds.check.end;
      auto [end, fresh] = ends.try_emplace({key, bounds.check.size}, Reach{reach, reach, bounds.two_sided});
      end->second.lowest = std::min(end->second.lowest, reach);
      end->second.highest = std::max(end->second.highest, reach);
      end->second.two_sided |= bounds.two_sided;
    }
    Value* four_gib = llvm::ConstantInt::get(i64_, uint64_t(1) << 32);
    std::vector<std::pair<const SCEV*, Value*>> result;
    for (const auto& [key, range] : ranges) {
      result.emplace_back(extreme(key, range.first, false), four_gib);
      result.emplace_back(extreme(key, range.second, true), four_gib);
    }
    for (const auto& [group, reach] : ends) {
      // highest + end <= size, as highest + end - 1 <u size
      result.emplace_back(extreme(group.first, reach.highest - 1, true), group.second);
      // An i64 recurrence whose both ends lie below the size moves less than 2^56 (steps
      // below 2^24, trips below 2^32), so it cannot have wrapped round 2^64 between them:
      // every value it takes lies between its ends.
      if (reach.two_sided) result.emplace_back(extreme(group.first, reach.lowest - 1, false), group.second);
    }
    return result;
  }

  // The memory's size in bytes, for root_ (its base), read before `at`; or null. Bounds-
  // checked, the function keeps it in a value the checks compare with; with guard pages it
  // is read from the memory, which root_ was loaded from (abi.h). No loop this pass changes
  // grows the memory.
  Value* memorySize(llvm::Instruction* at) {
    if (!bounds_checks_.empty()) return bounds_checks_.front().check.size;
    auto* base = llvm::dyn_cast_or_null<llvm::LoadInst>(root_);
    static_assert(offsetof(lunatic_memory, base) == 0);
    if (!base || llvm::isa<llvm::GetElementPtrInst>(base->getPointerOperand()) || !dt_.dominates(base, at)) {
      return nullptr;
    }
    llvm::IRBuilder<> b(at);
    Value* field = b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), base->getPointerOperand(), offsetof(lunatic_memory, size));
    return b.CreateLoad(i64_, field, "memory.size");
  }

  // The byte ranges [lowest, highest end) over the whole loop of `accesses`, one for each
  // group of offsets a constant apart.
  std::vector<std::pair<const SCEV*, const SCEV*>> rangesOf(const std::vector<AffineAccess>& accesses,
                                                            const SCEV* backedges) {
    llvm::MapVector<GroupKey, std::pair<int64_t, int64_t>, std::map<GroupKey, unsigned>> groups;  // lowest, end
    for (const AffineAccess& access : accesses) {
      auto [key, offset] = groupOf(access.offset);
      int64_t end = offset + int64_t(access.bytes);
      auto [group, fresh] = groups.try_emplace(key, offset, end);
      group->second.first = std::min(group->second.first, offset);
      group->second.second = std::max(group->second.second, end);
    }
    std::vector<std::pair<const SCEV*, const SCEV*>> ranges;
    for (const auto& [key, extent] : groups) {
      const SCEV* travel = se_.getMulExpr(constant(key.step), backedges);
      const SCEV* lowest = se_.getAddExpr(key.rest, constant(extent.first));
      const SCEV* end = se_.getAddExpr(key.rest, constant(extent.second));
      if (key.step >= 0) end = se_.getAddExpr(end, travel);
      else lowest = se_.getAddExpr(lowest, travel);
      ranges.emplace_back(lowest, end);
    }
    return ranges;
  }

  // What moving `loads` to the top of the loop body needs, as (lower, upper) pairs of which
  // one of each two must hold lower <= upper (a disjunction; pairs that stand alone are
  // given twice). Every load's and store's range lies within the memory: no access can
  // trap, so moving a load before a store cannot move a trap before that store. No store's
  // range meets a load's: the load reads what it would have read where it was.
  std::optional<std::vector<std::array<const SCEV*, 4>>> rotationNeeds(const std::vector<AffineAccess>& loads,
                                                                     const SCEV* backedges, const SCEV* size) {
    std::vector<std::array<const SCEV*, 4>> result;
    auto within = [&](const std::pair<const SCEV*, const SCEV*>& range) {
      // 0 <= lowest: lowest + 1 <= size holds for an i64 that has not wrapped (both ends
      // below the size: see conditions()); highest end <= size.
      const SCEV* low = se_.getAddExpr(range.first, constant(1));
      result.push_back({low, size, low, size});
      result.push_back({range.second, size, range.second, size});
    };
    std::vector<std::pair<const SCEV*, const SCEV*>> load_ranges = rangesOf(loads, backedges);
    for (const auto& load : load_ranges) within(load);
    for (const auto& store : rangesOf(stores_, backedges)) {
      within(store);
      for (const auto& load : load_ranges) {
        std::optional<bool> apart = apartByConstant(store, load);
        if (apart == false) return std::nullopt;
        if (!apart) result.push_back({store.second, load.first, load.second, store.first});
      }
    }
    return result;
  }

  // Whether the byte ranges `a` and `b` are apart, where their ends differ by constants (a
  // static array's rows: both from one outer-loop recurrence), or nullopt where that needs
  // a test at run time. Under rotationNeeds' other conditions every end lies in [-1, size],
  // far below 2^63, so an end's i64 difference to another is their difference as integers:
  // a constant difference decides the test at compile time.
  std::optional<bool> apartByConstant(const std::pair<const SCEV*, const SCEV*>& a,
                                      const std::pair<const SCEV*, const SCEV*>& b) {
    auto distance = [&](const SCEV* from, const SCEV* to) -> std::optional<int64_t> {
      auto* difference = llvm::dyn_cast<llvm::SCEVConstant>(se_.getMinusSCEV(to, from));
      if (!difference) return std::nullopt;
      return difference->getAPInt().getSExtValue();
    };
    std::optional<int64_t> after = distance(a.second, b.first), before = distance(b.second, a.first);
    if ((after && *after >= 0) || (before && *before >= 0)) return true;
    if (after && before) return false;
    return std::nullopt;
  }

  // Rotates a loop that calls nothing and leaves only from its header, after the first half
  // of its body, to leave from its latch, as the vectoriser requires: clang's wasm32 code
  // unrolls a loop of odd trip count by two and tests for the end between the halves
  // (fdtd2d's `for (j = 1; j < NY; j++)`). LLVM's own rotation ran before the reduction
  // checks left the loop's check-free copy (passes/preemption/loop_versioning.cpp), while
  // the header that checked was not the one that left.
  bool rotate(llvm::Loop& loop) {
    BasicBlock* header = loop.getHeader();
    if (loop.getExitingBlock() != header || loop.getLoopLatch() == header || !callsNothingBut(loop, 0, false)) {
      return false;
    }
    formLCSSA(loop, dt_, &li_, &se_);
    llvm::SimplifyQuery query(f_.getDataLayout(), &dt_, &ac_);
    return llvm::LoopRotation(&loop, &li_, &tti_, &ac_, &dt_, &se_, nullptr, query, true, kMaxRotatedHeader, false);
  }

  bool widen(llvm::Loop& loop) {
    if (!loop.isLoopSimplifyForm()) simplifyLoop(&loop, &dt_, &li_, &se_, &ac_, nullptr, false);
    if (!loop.isLoopSimplifyForm()) return false;
    if (rotate(loop) && !loop.isLoopSimplifyForm()) simplifyLoop(&loop, &dt_, &li_, &se_, &ac_, nullptr, false);
    if (!loop.isLoopSimplifyForm()) return false;
    std::optional<TripBound> bound = tripBound(se_, loop);
    if (!bound) return false;
    const SCEV* max_backedges = bound->max_backedges;
    bounds_checks_.clear();
    widened_.clear();
    std::vector<WideAddress> addresses = findAddresses(loop);
    if (addresses.size() > kMaxAddresses) return false;
    for (const WideAddress& address : addresses) {
      if (!address.proven) widened_[address.zext] = address.wide;
    }
    findRecurrenceBoundsChecks(loop);
    invariant_traps_.clear();
    findInvariantTraps(loop, loop.getLoopPreheader()->getTerminator());
    bool vectorisable = callsNothingBut(loop, 0, false);
    std::vector<AffineAccess> carried = vectorisable ? findCarriedLoads(loop) : std::vector<AffineAccess>{};
    if (carried.size() + stores_.size() > kMaxAddresses) carried.clear();
    if (!hasNeighbours(addresses) && bounds_checks_.empty() && carried.empty()) return false;
    const SCEV* backedges = se_.getNoopOrZeroExtend(max_backedges, i64_);
    std::vector<std::pair<const SCEV*, Value*>> needs = conditions(addresses, backedges);

    BasicBlock* preheader = loop.getLoopPreheader();
    llvm::Instruction* at = preheader->getTerminator();
    std::vector<std::array<const SCEV*, 4>> rotation;
    if (!carried.empty()) {
      Value* size = memorySize(at);
      auto rotated = size ? rotationNeeds(carried, backedges, se_.getSCEV(size)) : std::nullopt;
      if (rotated) rotation = std::move(*rotated);
      else carried.clear();
    }
    const llvm::DataLayout& layout = f_.getDataLayout();
    llvm::SCEVExpander checks(se_, layout, "addr.check");
    bool neighbours = hasNeighbours(addresses);
    // Whether the checks with (or without) moving the carried loads can be afforded.
    auto affordable = [&](bool with_rotation) {
      unsigned budget = loop.getParentLoop() && (neighbours || with_rotation) ? kNestedCheckBudget : kCheckBudget;
      llvm::SmallVector<const SCEV*, 16> values{backedges};
      for (const auto& need : needs) values.push_back(need.first);
      if (with_rotation) {
        for (const auto& need : rotation) values.append(need.begin(), need.end());
      }
      return llvm::all_of(values, [&](const SCEV* value) { return checks.isSafeToExpandAt(value, at); }) &&
             !costlyOnEntry(values, loop, budget, se_, checks, tti_, at);
    };
    if (!rotation.empty() && !affordable(true)) {
      carried.clear();
      rotation.clear();
    }
    if (rotation.empty() && (!affordable(false) || (!neighbours && bounds_checks_.empty()))) {
      return false;
    }
    formLCSSA(loop, dt_, &li_, &se_);

    llvm::IRBuilder<> b(at);
    Value* fits = assumptionsHold(*bound, checks, at);
    auto below = [&](const SCEV* value, Value* limit) {
      return b.CreateICmpULT(checks.expandCodeFor(value, i64_, at), limit, "addr.fits");
    };
    for (const auto& [value, limit] : needs) fits = b.CreateAnd(fits, below(value, limit));
    for (const InvariantTrap& trap : invariant_traps_) {
      Value* condition = trap.branch->getCondition();
      fits = b.CreateAnd(fits, trap.passes_if ? condition : b.CreateNot(condition, "trap.not"));
    }
    auto expand = [&](const SCEV* value) { return checks.expandCodeFor(value, i64_, at); };
    for (const auto& [a, b_, c, d] : rotation) {
      Value* either = b.CreateICmpULE(expand(a), expand(b_), "addr.apart");
      if (a != c || b_ != d) either = b.CreateOr(either, b.CreateICmpULE(expand(c), expand(d), "addr.apart"));
      fits = b.CreateAnd(fits, either);
    }
    if (max_backedges->getType()->getIntegerBitWidth() > 32) {
      fits = b.CreateAnd(fits, below(backedges, b.getInt64(kMaxTrips)));
    }

    llvm::ValueToValueMapTy vmap;
    LoopCopy copy = copyLoop(loop, at, ".wide", ".narrow", vmap, dt_, li_, se_);
    llvm::Instruction* old_branch = preheader->getTerminator();
    b.SetInsertPoint(old_branch);
    // The narrow copy runs only for addresses that wrap round 4 GiB, which compiled code
    // does not form, and for loops that trap: marked unlikely, so that the register
    // allocator gives the wide copy, the one that runs, the registers (bfs's loop over a
    // vertex's edges, in both copies, otherwise reloaded the base of `dist` on every edge).
    llvm::MDBuilder md(f_.getContext());
    b.CreateCondBr(fits, copy.original_ph, copy.copy_ph, md.createLikelyBranchWeights());
    old_branch->eraseFromParent();

    llvm::SCEVExpander rewrite(se_, layout, "addr.wide");
    if (bound->uncounted_test) countLatch(*bound, loop, rewrite);
    // A base per group helps the vectoriser, but costs a register each, which a loop that
    // yields, and so is never vectorised, needs more.
    Bases bases(copy.original_ph->getTerminator(), rewrite);
    for (const WideAddress& address : addresses) {
      if (address.proven) continue;
      auto [offset, rest] = splitConstant(address.wide->getStart());
      const SCEV* within =
          se_.getAddRecExpr(constant(offset), address.wide->getStepRecurrence(se_), &loop, SCEV::FlagAnyWrap);
      Value* whole = nullptr;  // the widened address, for what is not a GEP from an invariant base
      for (llvm::Use& use : llvm::make_early_inc_range(address.zext->uses())) {
        auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(use.getUser());
        if (vectorisable && gep && gep->getNumIndices() == 1 && use.getOperandNo() == 1 &&
            gep->getSourceElementType()->isIntegerTy(8) && loop.isLoopInvariant(gep->getPointerOperand())) {
          gep->setOperand(0, bases.of(gep->getPointerOperand(), rest));
          gep->setOperand(1, rewrite.expandCodeFor(within, i64_, gep));
          continue;
        }
        if (!whole) whole = rewrite.expandCodeFor(address.wide, i64_, address.zext);
        use.set(whole);
      }
      address.zext->eraseFromParent();
    }
    for (const WideBoundsCheck& bounds : bounds_checks_) {
      // Users fold too: a check joined with its neighbours (`or` of two compares, as a
      // select) left as `select false, true, false` keeps the trap exit, and with it the
      // loop from the vectoriser, which takes only a branch on a constant for no exit.
      llvm::replaceAndRecursivelySimplify(
          bounds.check.compare, llvm::ConstantInt::getBool(f_.getContext(), bounds.check.in_bounds), nullptr, &dt_, &ac_);
    }
    // The wide copy runs only where each invariant trap's condition passes, which it then
    // does at every iteration.
    for (const InvariantTrap& trap : invariant_traps_) {
      trap.branch->setCondition(llvm::ConstantInt::getBool(f_.getContext(), trap.passes_if));
    }
    for (const AffineAccess& load : carried) moveToTop(load.access, loop);
    se_.forgetLoop(&loop);
    se_.forgetBlockAndLoopDispositions();
    return true;
  }

  llvm::Function& f_;
  llvm::Type* i64_;
  llvm::LoopInfo& li_;
  llvm::DominatorTree& dt_;
  llvm::ScalarEvolution& se_;
  llvm::AssumptionCache& ac_;
  llvm::TargetTransformInfo& tti_;
  std::vector<WideBoundsCheck> bounds_checks_;  // of the loop being widened
  std::vector<InvariantTrap> invariant_traps_;  // its branches to a trap on invariant conditions
  std::map<Value*, const SCEV*> widened_;       // its widened addresses by their zext
  std::vector<AffineAccess> stores_;            // its stores, if it has carried loads to move
  Value* root_ = nullptr;                       // what their offsets are from
};

class AddressWideningPass : public llvm::PassInfoMixin<AddressWideningPass> {
 public:
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& fam) {
    if (!AddressWidening(f, fam).run()) return llvm::PreservedAnalyses::all();
    return llvm::PreservedAnalyses::none();
  }
};

}  // namespace

void registerAddressWidening(llvm::PassBuilder& builder) {
  builder.registerVectorizerStartEPCallback(
      [](llvm::FunctionPassManager& passes, llvm::OptimizationLevel) { passes.addPass(AddressWideningPass()); });
}

}  // namespace lunaticc
