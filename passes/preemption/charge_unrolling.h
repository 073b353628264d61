// One reduction check per several iterations of a small loop that must stay checked, or of
// an interpreter's dispatch loop: an LLVM pass run after loop versioning (the design is at
// the top of charge_unrolling.cpp; the charges it finds are described in charges.h).
#pragma once

namespace llvm {
class Loop;
class PassBuilder;
}

namespace lunaticc {

// Whether the pass unrolls `loop` if it still charges then: small, its header charging
// (yield calls marked with metadata of kind `kind`).
bool smallChargedLoop(const llvm::Loop& loop, unsigned kind);

// Adds the pass, followed by charge merging again, at the vectoriser's start of every
// pipeline `builder` builds from now on (register it after the loop versioning pass). With
// `bounds_checked`, only small loops are unrolled, not medium or dispatch loops.
void registerChargeUnrolling(llvm::PassBuilder& builder, bool bounds_checked);

}  // namespace lunaticc
