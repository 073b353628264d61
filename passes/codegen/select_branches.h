// Selects on a loop-invariant condition whose one side takes real work become branches: an
// LLVM pass run last in the optimisation pipeline (see select_branches.cpp).
#pragma once

namespace llvm {
class PassBuilder;
}

namespace lunaticc {

// Adds the pass at the end of every optimisation pipeline `builder` builds from now on.
void registerSelectBranches(llvm::PassBuilder& builder);

}  // namespace lunaticc
