// Reduction counting, as Erlang's BEAM does it: a Binaryen pass that charges every function
// entry and every loop header with the cost of the code that follows, so a process that
// runs long gives up its thread (abi.h: lunatic_instance.reductions_left, lunatic_yield).
// The cost model and where charges go are described at the top of reductions.cpp.
//
// The pass works on Binaryen's C API only (Binaryen 108 installs no C++ headers). It marks
// each charge as a call `(call $marker (i32.const COST))` to an import it adds,
// "lunatic_internal"."reductions" of type (i32) -> (); the translator lowers those calls
// inline and never calls the import. The import is no part of the compiled module's
// interface: user modules may not import anything from "lunatic_internal" (the driver
// refuses them before this pass runs), and the descriptor does not list it.
#pragma once

#include <binaryen-c.h>

#include <cstdint>
#include <span>

namespace lunaticc {

inline constexpr const char kInternalImportModule[] = "lunatic_internal";
inline constexpr const char kReductionsImportBase[] = "reductions";

// A function that cannot be re-entered before it returns is charged by its callers, with
// what it costs outside its loops, unless that is more than this: then it charges on entry.
// Small beside the time slice (runtime/process/scheduler.h, kSliceReductions), so that a
// charge that covers a call it may skip yields at most a little early.
inline constexpr uint64_t kMaxFoldedCost = 2000;

struct ReductionCounting {
  uint32_t entry_charges = 0;  // functions charged on entry
  uint32_t loop_charges = 0;   // loops charged at their header
  uint32_t call_charges = 0;   // calls charged just before they run
};

// Adds the charges to every function `module` defines (at function entries, loop headers
// and calls, as reductions.cpp describes), and the marker import if any charge was added.
// `referenced`: the indices of the functions that element segments name (Binaryen never
// sees those segments; compiler/frontend/binaryen_compat.h), which may be called indirectly. Run it
// on a validated module, once.
ReductionCounting addReductionCounting(BinaryenModuleRef module, std::span<const uint32_t> referenced);

// Whether `function` is the marker import addReductionCounting adds.
bool isReductionsMarker(BinaryenFunctionRef function);

}  // namespace lunaticc
