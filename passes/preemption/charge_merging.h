// Fewer reduction checks: an LLVM pass that folds a charge into the charge that dominates
// it within the same loop iteration (the design is at the top of charge_merging.cpp; the
// charges it finds are described in charges.h).
#pragma once

namespace llvm {
class PassBuilder;
}

namespace lunaticc {

// Adds the pass at the vectoriser's start of every pipeline `builder` builds from now on,
// ahead of the loop versioning pass (register this one first).
void registerChargeMerging(llvm::PassBuilder& builder);

}  // namespace lunaticc
