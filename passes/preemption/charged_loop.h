// What the loop passes that take reduction checks out of loops (loop_versioning.h,
// strip_mining.h) know about an innermost loop that charges, and how they take its checks
// out of it.
//
// The budget is the i64 SSA value the translator keeps between calls (charges.h): a phi in
// the loop header, reduced by `add budget, -cost` at every charge, merged by phis. Only
// that shape is followed (anything else, such as a loop that reads the budget back from
// the instance because it calls code that may spend it, is left alone), and how much an
// iteration can drop the budget is bounded by its most expensive path.
#pragma once

#include <llvm/Transforms/Utils/ValueMapper.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "passes/preemption/charges.h"

namespace llvm {
class BasicBlock;
class BinaryOperator;
class CallInst;
class DominatorTree;
class Loop;
class LoopInfo;
class PHINode;
class ScalarEvolution;
struct SimplifyQuery;
class Value;
}  // namespace llvm

namespace lunaticc {

struct ChargedLoop {
  std::vector<Charge> charges;
  llvm::PHINode* budget;      // the budget phi in the header
  uint64_t per_iteration;     // the most one iteration that goes round may subtract from it
  uint64_t before_check;      // the most subtracted before any check in an iteration
  std::vector<llvm::BinaryOperator*> subtractions;  // the charges' subtractions of the budget
};

// Costs above this are not followed, so that `trips * cost` stays far from overflowing an
// i64 for any trip count below 2^32.
inline constexpr uint64_t kMaxChargeCost = uint64_t(1) << 28;

// Trip counts are kept below this (checked at run time, or capped per slice), which keeps
// `trips * cost` far from overflowing an i64.
inline constexpr uint64_t kMaxTrips = uint64_t(1) << 32;

// How many basic operations a loop's trip count may cost to compute in its preheader
// (TTI's TCC_Basic units).
inline constexpr unsigned kTripCountBudget = 8;

// What `loop` (innermost, with a latch) charges, if every charge in it, identified by the
// yield metadata `kind`, has the translator's shape.
std::optional<ChargedLoop> analyzeChargedLoop(const llvm::Loop& loop, unsigned kind);

// A charge's yield block as the translator emits it within loops (charges.h): the budget
// stored to the instance's field, the marked call of lunatic_yield, the budget loaded back.
struct YieldCall {
  llvm::Value* budget_field;  // the instance's reductions_left
  llvm::CallInst* call;
};
// The parts of `yield`, a yield block of `loop`, if it has that shape and its call's
// arguments and field do not change in the loop.
std::optional<YieldCall> matchYieldCall(llvm::BasicBlock& yield, const llvm::Loop& loop);

// Whether `loop` is a search bounded only by its input: it may leave from more than one
// place (other than to a trap), and ScalarEvolution knows no small constant bound on its trips
// (`while (i < n && !is_separator(s[i]))`, bounded by n - i). The budget rarely covers such
// a bound (the length of what it searches), so its checks are better thinned by unrolling
// (charge_unrolling.h) than versioned away; a search of constant bound (`iter < 50 &&
// ...`) is versioned like a counted loop.
bool searchesInput(const llvm::Loop& loop, llvm::ScalarEvolution& se);

// Whether `loop` may leave from more than one place other than to a trap: a search, which
// stops where what it reads says so, whatever bounds it besides.
bool leavesEarly(const llvm::Loop& loop);

// Takes the charges of `charged`, or of the copy of its loop that `copy` maps its values to
// (empty: the loop itself), out: each check's branch goes straight on and its yield block
// goes, its subtraction subtracts nothing, and phis left with one value (the budget's, and
// those that held values reloaded after a yield) go, which the vectoriser would not
// recognise. The budget is then loop-invariant: the caller first has the budget phi take,
// from the preheader, what is left once what the loop may charge is paid.
void removeCharges(const ChargedLoop& charged, llvm::Loop& loop, const llvm::ValueToValueMapTy& copy,
                   const llvm::SimplifyQuery& query, llvm::DominatorTree& dt, llvm::LoopInfo& li);

}  // namespace lunaticc
