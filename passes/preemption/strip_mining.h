// Strip-mining a loop that charges reductions: its checks go, and it runs in slices the
// budget pays for before each starts (the design is described at the top of
// strip_mining.cpp). Loop versioning (loop_versioning.h) strip-mines the checked version of
// the loops it can.
#pragma once

#include <cstdint>
#include <optional>

#include "passes/preemption/charged_loop.h"

namespace llvm {
class AssumptionCache;
class CallInst;
class DominatorTree;
class Function;
class LoopInfo;
class ScalarEvolution;
class SCEV;
class TargetTransformInfo;
class Value;
}  // namespace llvm

namespace lunaticc {

// What strip-mining a loop needs: its exact trip count less one, and how its charges yield.
struct Sliceable {
  const llvm::SCEV* exit_count;  // of the latch, the one exit that does not trap
  uint64_t most;                 // the most it can be when the loop runs, below 2^62
  llvm::Value* budget_field;     // the instance's reductions_left, where a yield stores the budget
  llvm::CallInst* yield;         // a charge's call of lunatic_yield
};

// Whether `loop` (in loop-simplify form) can be strip-mined: its trip count is exact, cheap
// to compute in its preheader, and below 2^32; it leaves only through its latch, or to a
// trap.
std::optional<Sliceable> sliceable(llvm::Loop& loop, const ChargedLoop& charged, llvm::ScalarEvolution& se,
                                   const llvm::TargetTransformInfo& tti);

// Strip-mines `loop` (in LCSSA form, with `charged` its analysis and `how` what sliceable
// found), where it is: its preheader leads to the slices, and their end to its exit.
void stripMine(llvm::Loop& loop, const ChargedLoop& charged, const Sliceable& how, llvm::Function& f,
               llvm::LoopInfo& li, llvm::DominatorTree& dt, llvm::ScalarEvolution& se, llvm::AssumptionCache& ac);

}  // namespace lunaticc
