// Native stacks for processes: carved from large reservations, pooled, reused without a
// system call.
//
// There is no guard page between stacks. Linux allows about 65,000 mappings per program
// (vm.max_map_count), and a guard page per stack costs two of them, which would cap the
// runtime near 30,000 processes. Instead generated code checks its frames against the
// stack's limit (abi.h: a compare on entry, and, for a frame of a page or more,
// lunatic_stack_probe before the frame is allocated), so guest code never writes more
// than LUNATIC_STACK_OVERREACH below the limit. Below that, the lowest
// kHostReserve bytes of each stack stay free for host functions and the trap path, which
// are bounded and never recurse into the guest without a new check.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lunatic/abi.h"

namespace lunatic::rt {

struct Stack {
  uint8_t* low = nullptr;  // lowest address; the stack grows down from low + kStackSize
  uint8_t* high() const;
  // low + kHostReserve + LUNATIC_STACK_OVERREACH + guestFrameReserve() (trap.h):
  // instance->stack_limit
  uintptr_t guestLimit() const;
};

inline constexpr size_t kStackSize = 1024 * 1024;
inline constexpr size_t kHostReserve = 64 * 1024;

// A stack from the pool, or one with low == nullptr if no address space is left.
Stack acquireStack();
void releaseStack(Stack stack);

}  // namespace lunatic::rt
