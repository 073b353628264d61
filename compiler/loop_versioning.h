// Check-free versions of loops that charge reductions: an LLVM pass run before the loop
// vectoriser (the design is described at the top of loop_versioning.cpp).
//
// The translator lowers every reduction charge (passes/reductions.h) to a subtraction from
// the budget and a branch to a block that calls lunatic_yield. It marks that call with
// metadata of kind kReductionsYieldMetadata, which is how the pass finds the charges: calls
// keep their metadata through LLVM's transformations, while branches are often rebuilt.
#pragma once

namespace llvm {
class PassBuilder;
}

namespace lunaticc {

inline constexpr char kReductionsYieldMetadata[] = "lunatic.reductions";

// Adds the pass at the vectoriser's start of every pipeline `builder` builds from now on.
void registerChargeVersioning(llvm::PassBuilder& builder);

}  // namespace lunaticc
