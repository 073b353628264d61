// Trap delivery inside the runtime: guarded execution of guest code, unwinding to the
// innermost guard, the signal handlers that turn guard-page faults into traps, and the
// frames captured for backtraces. See abi.h for what generated code expects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lunatic/abi.h"

namespace lunatic::rt {

// Not Wasm traps, but ends of a process that share the unwinding path with traps: the
// guest called proc_exit; another process killed it; it spent its fuel; messages sent to
// it took it past its host memory budget; a host function it called could not allocate.
constexpr uint32_t kExitKind = 0x10000;
constexpr uint32_t kKilledKind = 0x10001;
constexpr uint32_t kOutOfFuelKind = 0x10002;
constexpr uint32_t kOverHostBudgetKind = 0x10003;
constexpr uint32_t kHostOutOfMemoryKind = 0x10004;

struct GuardResult {
  uint32_t kind = 0;   // 0: completed; a lunatic_trap_kind; or kExitKind
  int32_t exit_code = 0;
};

struct Guard;

// The trap state of one stack that guest code runs on: a thread's own stack, or a process's.
// A process carries its own across worker threads; the scheduler makes it current.
struct GuestStack {
  Guard* innermost = nullptr;  // where a trap unwinds to
  uint32_t kind = 0;           // what the last unwinding was for
  int32_t exit_code = 0;
  uintptr_t limit = 0;         // the stack's limit for guest frames (abi.h), 0 if unknown
};

// Makes `stack` (null: the thread's own) the one traps on this thread unwind on, and its
// limit the one lunatic_stack_probe checks frames against.
void setCurrentGuestStack(GuestStack* stack);

// Runs fn(context) so that a trap or proc_exit inside it returns here instead. Nests. The
// guest may switch threads inside fn (a process migrating); the result is still right.
GuardResult runGuarded(void (*fn)(void*), void* context);

// The name of the Wasm function whose code holds `pc`, or null (runtime or host code, or a
// function without a name); any thread.
const char* guestFunctionAt(uintptr_t pc);
// The address ranges [start, end) of the Wasm code of every module registered so far.
std::vector<std::pair<uintptr_t, uintptr_t>> guestCodeRanges();

// The backtrace of the last trap on this thread, innermost first: as "f <- g <- h", or
// as lines "  at f"; each frame with its guest source line, "f (file.c:12)", where the
// module was compiled with -g.
std::string formatTrapBacktrace(bool one_line);

[[noreturn]] void unwindWithTrap(uint32_t kind);
[[noreturn]] void unwindWithExit(int32_t code);

// Whether a guard stopped a Wasm trap (in guest code or a host function it called), rather
// than an exit, a kill or spent fuel.
inline bool isWasmTrap(uint32_t kind) { return kind != 0 && kind < kExitKind; }

// Carries an unwinding that runGuarded stopped (its `result`) on to the next guard out, as if
// the inner guard had not been there; the frames kept for the backtrace stay those of the
// original trap. For a guard that stops only some kinds of unwinding (lunatic::trap::catch).
[[noreturn]] void resumeUnwinding(const GuardResult& result);

// What every stack limit keeps free for guest frames the code generator does not check
// before it allocates them (abi.h, LUNATIC_FRAME_SIZES_SECTION): twice the largest frame,
// for a function's frame is allocated, and may be written to, before its entry check, and
// the caller that passed its own check may lie a frame below the limit. 0 on x86-64.
uintptr_t guestFrameReserve();

// The stack limit for guest code running on this thread's own stack (not a process stack).
uintptr_t threadStackLimit();

// Address ranges whose faults are out-of-bounds memory accesses (guard-page memories).
void registerGuardRegion(const void* start, size_t size);
void unregisterGuardRegion(const void* start);

// Module descriptors whose code may appear in backtraces.
void registerModuleCode(const lunatic_module* module);

}  // namespace lunatic::rt
