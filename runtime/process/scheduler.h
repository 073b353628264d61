// The M:N scheduler: worker threads, a FIFO run queue each, work stealing when a worker
// runs dry, and timers. Processes switch with Boost.Context's fcontext, which saves only
// callee-saved registers; a switch costs tens of nanoseconds and no system call.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "runtime/process/process.h"

namespace lunatic::rt::scheduler {

// Reductions in one time slice: about as many Wasm instructions, well under a
// millisecond of work (bench/processes/lunatic/slice.c measures it; docs/benchmarks.md).
// Long enough that the yield path, a few hundred instructions, costs little beside it;
// passes/preemption/loop_versioning.cpp's kEarlyYieldLimit is chosen against it.
inline constexpr int64_t kSliceReductions = 500'000;

// Starts `workers` worker threads (at least one). Call once.
void start(unsigned workers);

// Makes a Runnable process run soon: on the calling worker's queue, or spread over the
// workers when called from elsewhere. A queued process is alive, so the reference it holds
// on itself until it ends keeps it valid.
void enqueue(Process* p);

// The calling thread's worker index, or -1 if it is not a worker thread.
int currentWorkerIndex();
// The process running on the calling worker (null on other threads). Read it again after
// any park: a process may resume on another worker. (The worker's I/O engine is
// io::currentEngine, io/waiter.h.)
Process* currentProcess();

// Has the calling worker run `flush` once the process running on it hands it back (parks,
// yields or ends), before it runs anything else: for writes a process's host calls gather
// and send in one system call (distributed/node.cpp corks a connection's frames so). Call
// from a process's host call; a flush registered twice before a switch runs twice.
void flushAtSwitch(void (*flush)());

// Whether the calling worker has other processes waiting to run (after firing the timers
// that are due, which may make some).
bool othersWaiting();

// Timers. A timer either wakes a process (for a park with a deadline) or delivers a
// message to it (send_after). Ids are unique for the program's lifetime.
uint64_t addWakeTimer(uint64_t deadline_ns, ProcessId process);
// The message counts against the receiver's host memory budget from now on, as if queued
// (a timer that would take it past the budget is not made, and the receiver fails, as
// Process::deliver), and the timer goes when the receiver ends (Erlang cancels the timers
// of a process that exits). A message to a process that is gone is dropped at once.
uint64_t addMessageTimer(uint64_t deadline_ns, ProcessId process, MessagePtr message);
// True if the timer was still pending (and now never fires).
bool cancelTimer(uint64_t id);
// Cancels the timers `ids` of a process that ended (Process::pending_timers).
void dropTimers(const std::unordered_set<uint64_t>& ids);

// What each worker has done, for the metrics endpoint (runtime/observe/), read while it runs:
// its run queue's length now, the time it has not spent asleep waiting for work since it
// started, and the time slices its processes gave up.
struct WorkerFigures {
  unsigned index = 0;
  uint64_t queue_length = 0;
  uint64_t busy_ns = 0;
  uint64_t yields = 0;
};
std::vector<WorkerFigures> workerFigures();
// The processes on a worker now (a glance: one may have switched by the time it is read).
std::vector<ProcessId> runningProcesses();

// watch(id) before a process can end lets a non-worker thread waitFor(id) its end.
void watch(ProcessId id);
void ended(ProcessId id, const Death& death);  // called as each process ends
Death waitFor(ProcessId id);
// As waitFor, for whichever of `ids` (all watched) ends first: its id and death, after which
// it is no longer watched. At the deadline (steady-clock nanoseconds; 0: none) if none has
// ended: id 0.
std::pair<ProcessId, Death> waitForAny(std::span<const ProcessId> ids, uint64_t deadline_ns);

}  // namespace lunatic::rt::scheduler
