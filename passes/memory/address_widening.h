// 64-bit addresses in loops whose 32-bit address arithmetic cannot wrap: an LLVM pass run
// before the loop vectoriser (the design is described at the top of address_widening.cpp).
#pragma once

namespace llvm {
class PassBuilder;
}

namespace lunaticc {

// Adds the pass at the vectoriser's start of every pipeline `builder` builds from now on,
// after the passes registered there before it.
void registerAddressWidening(llvm::PassBuilder& builder);

}  // namespace lunaticc
