// Reduction charges in the form x86 runs as one micro-op: an LLVM pass run last, after
// every pass that looks for charges in the form the translator gives them (charges.h).
//
// The translator's `rest = add budget, -COST; br (icmp slt rest, 0)` becomes `add; js` on
// x86, and Intel cores fuse ADD with JL or JLE but never with JS, so a charge costs two
// micro-ops. This pass marks the subtraction `nsw` and branches on `icmp slt rest, 1`
// instead (rest <= 0), which x86 selects as `add; jle`, one fused micro-op. It runs last
// because LLVM's instruction combiner would rewrite that form back into a comparison of
// the budget with COST, a separate instruction. The subtraction cannot wrap: the budget
// stays between minus the largest charge and a time slice. A charge that takes the budget
// to exactly zero now yields too: a time slice ends a charge early.
#pragma once

namespace llvm {
class PassBuilder;
}

namespace lunaticc {

// Adds the pass at the end of the optimisation pipeline `builder` builds from now on.
void registerChargeBranches(llvm::PassBuilder& builder);

}  // namespace lunaticc
