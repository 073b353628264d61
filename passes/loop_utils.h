// What the loop passes share: two versions of one loop chosen between in its preheader
// (loop_versioning makes a copy without reduction checks, address_widening one with 64-bit
// addresses), a bound on a loop's trips such a choice can rely on, and how traps look.
#pragma once

#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <optional>
#include <utility>
#include <vector>

namespace llvm {
class BasicBlock;
class DominatorTree;
class Instruction;
class Loop;
class LoopInfo;
class ScalarEvolution;
class SCEV;
class SCEVExpander;
class SCEVPredicate;
class TargetTransformInfo;
class Twine;
class Value;
class ZExtInst;
class ICmpInst;
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

// The most times `loop` may take its backedge, an integer of at most 64 bits: as
// ScalarEvolution bounds it, or else under assumptions (`predicates`, such as "this
// induction variable does not wrap", "n is at most 2^32 - 4") that the preheader must
// check at run time. Wasm's adds carry no no-wrap flags, so `for (i = 0; i < n; i += 4)` has
// a bound only if i + 4 cannot wrap past n, and `for (p = a; p != end; p += 16)` only if 16
// divides end - a.
struct TripBound {
  const llvm::SCEV* max_backedges;
  llvm::SmallVector<const llvm::SCEVPredicate*, 4> predicates;
  // The latch's test of a counter against an end (eq or ne), when the bound is the exact
  // number of times it lets the loop go round, which ScalarEvolution cannot count: a copy
  // of the loop run under the predicates may test an i64 counter against the bound
  // instead (countLatch), which LLVM can count, and so vectorise.
  llvm::ICmpInst* uncounted_test = nullptr;
};
// None for a loop bounded only by its traps (boundedOnlyByTraps).
std::optional<TripBound> tripBound(llvm::ScalarEvolution& se, const llvm::Loop& loop);

// Whether `loop` can be bounded only through exits that trap: it has one, and each exit that
// does not trap has no exit count and tests no recurrence of the loop against an invariant
// (it tests what the loop reads or computes). In bounds-checked mode a loop that leaves
// only where a byte it reads is not a digit (`while (isdigit(*p)) p++`) is bounded by the
// check of *p, at the end of memory. Such a bound is of no use to a
// version of the loop chosen in its preheader: its copy without bounds checks would need
// every address up to the end of memory in bounds, which the last one is not, and its copy
// without reduction checks a budget for running to the end of memory, which a time slice
// never covers; the test would be paid on every entry for nothing. Such loops are treated
// as of unknown trip count.
bool boundedOnlyByTraps(llvm::ScalarEvolution& se, const llvm::Loop& loop);

// Whether computing `values` in the preheader of `loop` costs more than `budget` basic
// operations each time the loop is entered: the parts that do not change in the enclosing
// loop are free, as LICM moves them out of it after the loop passes.
bool costlyOnEntry(llvm::ArrayRef<const llvm::SCEV*> values, const llvm::Loop& loop, unsigned budget,
                   llvm::ScalarEvolution& se, llvm::SCEVExpander& expander, const llvm::TargetTransformInfo& tti,
                   const llvm::Instruction* at);

// Makes the latch of `loop` (run only where the predicates of `bound` hold) test an i64
// counter from 0 against the bound, expanded by `expander` in the preheader, in place of
// `bound.uncounted_test`.
void countLatch(const TripBound& bound, llvm::Loop& loop, llvm::SCEVExpander& expander);

// An i1 that is true when every predicate of `bound` holds, computed before `at`.
llvm::Value* assumptionsHold(const TripBound& bound, llvm::SCEVExpander& expander, llvm::Instruction* at);

// Whether `block` leads straight to a trap: it is one of the translator's trap blocks (a
// call of lunatic_trap, then `unreachable`), or an empty block (a loop exit) that goes on to
// one.
bool leadsToTrap(const llvm::BasicBlock* block);

// A bounds check of bounds-checked mode on an access at memory's base + `zext` (an
// address zero-extended to i64): a compare of zext + k against the memory's size that
// decides a branch to a trap. The translator emits `zext + offset + bytes > size`;
// InstCombine turns it into any of ugt, uge, ult and ule with either side first.
struct BoundsCheck {
  llvm::ICmpInst* compare;
  int64_t end;       // the access is in bounds when zext + end <= size
  bool in_bounds;    // what `compare` yields then
  llvm::Value* size;  // loop-invariant
};
std::vector<BoundsCheck> boundsChecksOf(llvm::ZExtInst& zext, const llvm::Loop& loop);

// The constant k if `sum` adds k to `to`: an add, or an `or disjoint`, as InstCombine
// writes an add of a constant to a value whose low bits it knows are clear (an 8-byte
// access's end `zext(a) + 8`, `a` a multiple of 16); or null.
const llvm::ConstantInt* addedConstant(const llvm::Value& sum, const llvm::Value& to);

// The bounds check `compare` makes on `value` (an address + k), if it is one in `loop`.
std::optional<BoundsCheck> boundsCheckOn(llvm::ICmpInst& compare, const llvm::Value& value, int64_t k,
                                         const llvm::Loop& loop);

// Every bounds check in `loop` that decides a branch by itself, with the i64 value it tests
// (an address + k, k = 0 in the check): what is left of the translator's checks once LLVM
// has turned the zero-extended addresses of a loop into i64 recurrences of its own.
std::vector<std::pair<BoundsCheck, llvm::Value*>> boundsChecksIn(const llvm::Loop& loop);

}  // namespace lunaticc
