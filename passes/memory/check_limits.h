// Bounds checks compare an address with a limit computed once, instead of the address's
// end with the memory's size: an LLVM pass run last in the optimisation pipeline (see
// check_limits.cpp).
#pragma once

namespace llvm {
class PassBuilder;
}

namespace lunaticc {

// Marks a memory's size for the pass, which then knows it is at most 4 GiB: metadata of
// this kind on the translator's loads of lunatic_memory.size, a string attribute of this
// name on the size argument of functions that take it (compiler/translate/module.cpp).
// LLVM's passes ignore both, so nothing else changes with them.
inline constexpr char kMemorySizeMarker[] = "lunatic.memory.size";

// Adds the pass at the end of every optimisation pipeline `builder` builds from now on.
void registerCheckLimits(llvm::PassBuilder& builder);

}  // namespace lunaticc
