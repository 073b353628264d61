// Check-free versions of loops that charge reductions: an LLVM pass run before the loop
// vectoriser (the design is described at the top of loop_versioning.cpp; the charges it
// finds are described in charges.h).
#pragma once

namespace llvm {
class PassBuilder;
}

namespace lunaticc {

// Adds the pass at the vectoriser's start of every pipeline `builder` builds from now on.
void registerChargeVersioning(llvm::PassBuilder& builder);

}  // namespace lunaticc
