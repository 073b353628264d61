// What the I/O layer needs of whoever waits for an operation, declared here and implemented
// by process/ (process.cpp and scheduler.cpp), so that io/ stays below process/: a waiter is
// a process, which io only ever parks, wakes and keeps alive through these functions.
//
// They are plain functions bound when the runtime is linked, not virtual ones: a park or a
// wake through this interface costs the same direct call it did when io called Process
// itself. Only I/O goes through here; messages, spawns and timers do not.
#pragma once

#include <cstdint>

namespace lunatic::rt::io {

class Engine;  // engine.h

// A process, as io sees it. Process derives from it (an empty base: no size, no vtable).
class Waiter {
 protected:
  Waiter() = default;
};

// The waiter running on the calling thread and its worker's engine; null on a thread that is
// not a scheduler worker (an embedding, a spec test driver), which blocks instead of parking.
// Read them again after any park: a waiter may resume on another worker.
Waiter* currentWaiter();
Engine* currentEngine();

// Parks the calling waiter `self` until wake() or the deadline (steady-clock nanoseconds,
// 0: none) passes, which returns false. A kill does not end the park: io must first stop
// whatever would wake the waiter later.
bool park(Waiter& self, uint64_t deadline_ns);
// Any thread: makes a park() of `waiter` in progress, or its next one, return.
void wake(Waiter& waiter);
// Whether the waiter was asked to die; and, if so, ends it (does not return), after io has
// let go of everything it lent the kernel.
bool killRequested(const Waiter& waiter);
void endIfKilled(Waiter& self);
// A reference that keeps `waiter` from being recycled while held (Operation::complete wakes
// a waiter that may end the moment it sees its result).
void retain(Waiter& waiter);
void release(Waiter& waiter);

}  // namespace lunatic::rt::io
