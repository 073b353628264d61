// Trap delivery inside the runtime: guarded execution of guest code, unwinding to the
// innermost guard, the signal handlers that turn guard-page faults into traps, and the
// frames captured for backtraces. See abi.h for what generated code expects.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lunatic/abi.h"

namespace lunatic::rt {

// Not a Wasm trap: the guest called proc_exit. Shares the unwinding path with traps.
constexpr uint32_t kExitKind = 0x10000;

struct GuardResult {
  uint32_t kind = 0;   // 0: completed; a lunatic_trap_kind; or kExitKind
  int32_t exit_code = 0;
};

// Runs fn(context) so that a trap or proc_exit inside it returns here instead. Nests.
GuardResult runGuarded(void (*fn)(void*), void* context);

[[noreturn]] void unwindWithTrap(uint32_t kind);
[[noreturn]] void unwindWithExit(int32_t code);

// The stack limit for guest code running on this thread's own stack (not a process stack).
uintptr_t threadStackLimit();

// Address ranges whose faults are out-of-bounds memory accesses (guard-page memories).
void registerGuardRegion(const void* start, size_t size);
void unregisterGuardRegion(const void* start);

// Module descriptors whose code may appear in backtraces.
void registerModuleCode(const lunatic_module* module);

}  // namespace lunatic::rt
