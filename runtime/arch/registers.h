// What the runtime reads of the machine's registers, which differs by architecture: the
// program counter and frame pointer of a guest that faulted (from the signal's ucontext)
// and of a parked process (from the record Boost.Context's fcontext switch left on its
// stack). Each architecture defines these in runtime/arch/<arch>/registers.cpp, and CMake
// compiles the target's (runtime/CMakeLists.txt). Frame records are laid out alike on
// both: [fp] is the caller's frame pointer, [fp + 8] the return address.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lunatic::rt::arch {

struct Registers {
  uintptr_t pc = 0;
  uintptr_t fp = 0;
};

// From the third argument of a SA_SIGINFO handler (a ucontext_t).
Registers faultRegisters(const void* ucontext);

// The bytes the switch record occupies from a parked process's context pointer up.
extern const size_t kSwitchRecordSize;

// Where a parked process resumes, and its frame pointer there, from its context pointer
// (an fcontext_t: the stack pointer the switch left, kSwitchRecordSize bytes of record).
Registers parkedRegisters(const uintptr_t* record);

}  // namespace lunatic::rt::arch
