// Byte-compare loops (a naive memcmp) that skip equal 16-byte blocks: an LLVM pass run
// before the loop vectoriser (the design is described at the top of byte_compare.cpp).
#pragma once

namespace llvm {
class PassBuilder;
}

namespace lunaticc {

// Adds the pass at the vectoriser's start of every pipeline `builder` builds from now on,
// after the passes registered there before it. `bounds_checked`: memories have explicit
// bounds checks rather than guard pages (lunaticc --bounds-checks).
void registerByteCompare(llvm::PassBuilder& builder, bool bounds_checked);

}  // namespace lunaticc
