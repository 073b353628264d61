// Host code that runs as a process: `--serve`'s listener and connection handlers (serve/)
// and the readers of a node's distribution connections (distributed/) are C++, yet they must
// wait for sockets the way guest code does, parking only themselves on their worker's I/O
// engine (io/io.h) while the worker runs other processes, the ones they feed among them.
// The scheduler runs processes only, so a host task is a process of a built-in module that
// has no memory, no table and one exported function, whose code calls the task.
//
// A host task must never be killed: its C++ frames hold objects that a trap's unwinding would
// skip. Nothing kills it: it is nobody's link, and its id is never handed to a guest.
#pragma once

#include <functional>
#include <string>

#include "runtime/process/process.h"

namespace lunatic::rt {

// Runs `task` as a new process on the workers (scheduler::start must have been called).
// Null, with `error` set, if no process could be made.
ProcessRef spawnHostTask(std::function<void()> task, std::string* error);

// Waits, parked, until process `id` (which the calling host task watches: monitorProcess)
// ends, or until the deadline (steady-clock nanoseconds; 0: none). False on timeout.
bool awaitProcessEnd(ProcessId id, uint64_t deadline_ns);

// Makes the calling process (a host task) get a ProcessDied message when `target` ends,
// at once if it has ended already.
void monitorProcess(Process& target);

}  // namespace lunatic::rt
