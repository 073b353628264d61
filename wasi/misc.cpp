// WASI functions that touch no descriptor: arguments, environment, clocks, randomness and
// the process's own life (exit, signals, yielding).
//
// Clocks: realtime and monotonic are the host's CLOCK_REALTIME and CLOCK_MONOTONIC (the
// scheduler's steady clock). A Lunatic process has no CPU clock of its own (many share a
// worker thread, and one may move between threads), so both CPU-time clocks read the CPU
// time of the whole executable: they advance while the process runs, and also while others
// do.
#include <signal.h>
#include <sys/random.h>
#include <time.h>

#include <string>
#include <vector>

#include "wasi/context.h"
#include "wasi/errno_table.h"
#include "wasi/marshal.h"
#include "runtime/process/process.h"
#include "runtime/process/scheduler.h"
#include "runtime/trap.h"

namespace lunatic::rt::wasi {
namespace {

// How many bytes `list` takes in guest memory: each string with its NUL.
uint64_t listBytes(const std::vector<std::string>& list) {
  uint64_t bytes = 0;
  for (const std::string& s : list) bytes += s.size() + 1;
  return bytes;
}

// args_sizes_get and environ_sizes_get.
Errno storeListSizes(lunatic_instance* self, const std::vector<std::string>& list, uint32_t count_out,
                     uint32_t size_out) {
  Guest guest(self);
  bool stored = guest.store32(count_out, uint32_t(list.size())) && guest.store32(size_out, uint32_t(listBytes(list)));
  return stored ? Errno::Success : Errno::Fault;
}

// args_get and environ_get: a pointer to each string at `pointers`, the strings with their
// NULs one after another at `buffer`.
Errno storeList(lunatic_instance* self, const std::vector<std::string>& list, uint32_t pointers, uint32_t buffer) {
  Guest guest(self);
  if (!guest.at(pointers, uint64_t(list.size()) * 4) || !guest.at(buffer, listBytes(list))) return Errno::Fault;
  uint32_t at = buffer;
  for (size_t i = 0; i < list.size(); ++i) {
    guest.store32(pointers + uint32_t(i * 4), at);
    guest.copyIn(at, list[i].c_str(), list[i].size() + 1);
    at += uint32_t(list[i].size() + 1);
  }
  return Errno::Success;
}

Errno args_sizes_get(lunatic_instance* self, uint32_t count_out, uint32_t size_out) {
  return storeListSizes(self, configOf(self).arguments, count_out, size_out);
}

Errno args_get(lunatic_instance* self, uint32_t pointers, uint32_t buffer) {
  return storeList(self, configOf(self).arguments, pointers, buffer);
}

Errno environ_sizes_get(lunatic_instance* self, uint32_t count_out, uint32_t size_out) {
  return storeListSizes(self, configOf(self).environment, count_out, size_out);
}

Errno environ_get(lunatic_instance* self, uint32_t pointers, uint32_t buffer) {
  return storeList(self, configOf(self).environment, pointers, buffer);
}

bool hostClock(uint32_t id, clockid_t* out) {
  switch (id) {
    case kClockRealtime: *out = CLOCK_REALTIME; return true;
    case kClockMonotonic: *out = CLOCK_MONOTONIC; return true;
    case kClockProcessCputime:
    case kClockThreadCputime: *out = CLOCK_PROCESS_CPUTIME_ID; return true;  // see the top of the file
    default: return false;
  }
}

uint64_t nanoseconds(const timespec& t) { return uint64_t(t.tv_sec) * 1'000'000'000u + uint64_t(t.tv_nsec); }

Errno clock_res_get(lunatic_instance* self, uint32_t id, uint32_t resolution_out) {
  clockid_t clock;
  if (!hostClock(id, &clock)) return Errno::Inval;
  timespec t;
  if (clock_getres(clock, &t) != 0) return fromHostErrno(errno);
  uint64_t resolution = std::max<uint64_t>(nanoseconds(t), 1);  // the specification wants it non-zero
  return Guest(self).store64(resolution_out, resolution) ? Errno::Success : Errno::Fault;
}

Errno clock_time_get(lunatic_instance* self, uint32_t id, uint64_t /*precision*/, uint32_t time_out) {
  clockid_t clock;
  if (!hostClock(id, &clock)) return Errno::Inval;
  timespec t;
  if (clock_gettime(clock, &t) != 0) return fromHostErrno(errno);
  return Guest(self).store64(time_out, nanoseconds(t)) ? Errno::Success : Errno::Fault;
}

void proc_exit(lunatic_instance*, uint32_t code) { unwindWithExit(int32_t(code)); }

// proc_raise: a signal whose default action ends a process ends this one, as if it had
// exited with 128 + the Linux number of the signal (what a shell reports for one); signals
// ignored by default are ignored, and stopping is not something a Lunatic process can do.
Errno proc_raise(lunatic_instance*, uint32_t signal) {
  enum Action : uint8_t { kIgnore, kTerminate, kStop };
  struct Signal {
    int host;
    Action action;
  };
  // Indexed by WASI's signal enum (none, hup, int, quit, ...).
  static constexpr Signal signals[] = {
      {0, kIgnore},         {SIGHUP, kTerminate},  {SIGINT, kTerminate},  {SIGQUIT, kTerminate},
      {SIGILL, kTerminate}, {SIGTRAP, kTerminate}, {SIGABRT, kTerminate}, {SIGBUS, kTerminate},
      {SIGFPE, kTerminate}, {SIGKILL, kTerminate}, {SIGUSR1, kTerminate}, {SIGSEGV, kTerminate},
      {SIGUSR2, kTerminate}, {SIGPIPE, kIgnore},   {SIGALRM, kTerminate}, {SIGTERM, kTerminate},
      {SIGCHLD, kIgnore},   {SIGCONT, kIgnore},    {SIGSTOP, kStop},      {SIGTSTP, kStop},
      {SIGTTIN, kStop},     {SIGTTOU, kStop},      {SIGURG, kIgnore},     {SIGXCPU, kTerminate},
      {SIGXFSZ, kTerminate}, {SIGVTALRM, kTerminate}, {SIGPROF, kTerminate}, {SIGWINCH, kIgnore},
      {SIGPOLL, kTerminate}, {SIGPWR, kTerminate}, {SIGSYS, kTerminate},
  };
  if (signal >= std::size(signals)) return Errno::Inval;
  switch (signals[signal].action) {
    case kIgnore: return Errno::Success;
    case kStop: return Errno::NotSup;
    case kTerminate: unwindWithExit(128 + signals[signal].host);
  }
  return Errno::Inval;
}

Errno sched_yield(lunatic_instance* self) {
  Process* p = Process::of(self);
  if (p && scheduler::othersWaiting()) p->suspend(Switch::Yield);
  return Errno::Success;
}

Errno random_get(lunatic_instance* self, uint32_t buffer, uint32_t length) {
  uint8_t* out = Guest(self).at(buffer, length);
  if (!out) return Errno::Fault;
  for (uint32_t done = 0; done < length;) {
    int64_t n = retryingSyscall([&] { return getrandom(out + done, length - done, 0); });
    if (n < 0) return fromHostErrno(int(-n));
    done += uint32_t(n);
  }
  return Errno::Success;
}

}  // namespace

}  // namespace lunatic::rt::wasi

LUNATIC_HOST_CODE(wasi_snapshot_preview1, args_get, wasi::args_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, args_sizes_get, wasi::args_sizes_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, environ_get, wasi::environ_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, environ_sizes_get, wasi::environ_sizes_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, clock_res_get, wasi::clock_res_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, clock_time_get, wasi::clock_time_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, proc_exit, wasi::proc_exit);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, proc_raise, wasi::proc_raise);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, sched_yield, wasi::sched_yield);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, random_get, wasi::random_get);
