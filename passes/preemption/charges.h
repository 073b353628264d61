// Reduction charges in LLVM IR: how the translator lowers them, recognised again by the
// LLVM passes that make them cheaper (charge_merging.h, loop_versioning.h).
//
// The translator lowers every reduction charge (passes/preemption/reductions.h) to
//   check:  rest = add budget, -COST ; br (icmp slt rest, 0), yield, run
//   yield:  store rest to the instance; call lunatic_yield; reload the budget; br run
// and marks the call to lunatic_yield with metadata of kind kReductionsYieldMetadata, which
// is how the passes find the charges: calls keep their metadata through LLVM's
// transformations, while branches are often rebuilt. Between charges the budget is an i64
// SSA value, never below zero: every subtraction is checked at once, and lunatic_yield
// refills it. Once they are done, charge_branches.h rewrites each check into the form x86
// fuses (`add nsw`, `icmp slt rest, 1`), which these passes no longer recognise.
#pragma once

#include <cstdint>
#include <optional>

namespace llvm {
class BasicBlock;
class BinaryOperator;
class Value;
}  // namespace llvm

namespace lunaticc {

inline constexpr char kReductionsYieldMetadata[] = "lunatic.reductions";

// One charge: `check` ends in `br (icmp slt rest, 0), yield, run`, and the yield block
// branches to `run`.
struct Charge {
  llvm::BasicBlock* check;
  llvm::BasicBlock* yield;
  llvm::BasicBlock* run;
  llvm::Value* rest;
};

// Whether `block` holds a call marked with metadata of kind `kind`.
bool isYieldBlock(const llvm::BasicBlock& block, unsigned kind);

// The charge whose yield block is `yield`, if the blocks around it still have the shape
// above.
std::optional<Charge> matchCharge(llvm::BasicBlock* yield);

// A charge's subtraction, `rest = add budget, -cost`.
struct Subtraction {
  llvm::BinaryOperator* add;
  llvm::Value* budget;
  uint64_t cost;
};

// The subtraction that `charge.rest` is, if it still has that shape.
std::optional<Subtraction> subtractionOf(const Charge& charge);

}  // namespace lunaticc
