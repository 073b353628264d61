// Stacks of their own for library code called by host functions (SQLite): code whose stack
// depth nothing bounds must not run on a process's stack, where no guard page separates it
// from the next process's (stack.h). A host stack has a guard page below it; a call takes one
// from a pool and gives it back when it returns, so only calls parked at the same moment
// (waiting for I/O) hold one each.
#pragma once

#include <cstddef>
#include <utility>

namespace lunatic::rt {

class Process;

inline constexpr size_t kHostStackSize = 1024 * 1024;

// Runs `call(argument)` on a host stack, for the process `caller` (null: no process, as on a
// thread outside the scheduler). The call may park the process (io.h); a kill, or fuel
// running out, waits until it returns, since a library must not be left in the middle of a
// call: the process dies, if it must, right after. Returns false, the call not made, if no
// stack could be mapped.
bool runOnHostStack(Process* caller, void (*call)(void*), void* argument);

template <typename Work>
bool runOnHostStack(Process* caller, Work& work) {
  return runOnHostStack(caller, [](void* w) { (*static_cast<Work*>(w))(); }, &work);
}

}  // namespace lunatic::rt
