// Native stacks for processes: carved from large reservations, pooled, reused without a
// system call.
//
// There is no guard page between stacks. Linux allows about 65,000 mappings per program
// (vm.max_map_count), and a guard page per stack costs two of them, which would cap the
// runtime near 30,000 processes. Instead every generated function compares its frame with
// instance->stack_limit on entry (abi.h), and the lowest kHostReserve bytes of each stack
// stay free for host functions and the trap path, which are bounded and never recurse
// into the guest without a new check.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lunatic::rt {

struct Stack {
  uint8_t* low = nullptr;  // lowest address; the stack grows down from low + kStackSize
  uint8_t* high() const;
  uintptr_t guestLimit() const;  // what generated code may not go below
};

inline constexpr size_t kStackSize = 1024 * 1024;
inline constexpr size_t kHostReserve = 64 * 1024;

// A stack from the pool, or one with low == nullptr if no address space is left.
Stack acquireStack();
void releaseStack(Stack stack);

}  // namespace lunatic::rt
