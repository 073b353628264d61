// The runtime's own figures for the metrics endpoint (runtime/observe/): counts of what
// happened (spawns, ends, I/O operations, `--serve` answers), recorded by whichever thread
// saw it into counters of its own and summed only when scraped. What each process counts
// itself (its reductions, the messages it sent: process.h) is summed from the live
// processes when scraped, and kept here for those that ended.
//
// Recording is off unless an exporter asked for it (setEnabled, before the workers start):
// every record is then one predictable branch. On, it is a call to find the thread's
// counters (not inlined: a process may move to another thread between two records) and a
// plain add: a thread's counters are written by that thread alone, as relaxed atomics that
// compile to an ordinary load and store, so no core ever waits for another's cache line.
// A scrape reads them with relaxed loads: each figure is exact, the set of them is not one
// instant's (a message may be counted sent and not yet received).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace lunatic::rt::stats {

// One count, written by its thread only.
class Counter {
 public:
  void add(uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t read() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Kinds of I/O, for the counts by engine and kind.
enum class IoKind : uint8_t { Read, Write, Receive, Send, Accept, Connect, Poll, Call, Count };
// Where an I/O operation was done: at once by a system call that did not wait, or by a
// worker's engine (the process parked), or on the blocking pool, or by blocking the thread
// (an instance outside the scheduler).
enum class IoPath : uint8_t { Direct, Uring, Epoll, Pool, Thread, Count };
const char* ioKindName(IoKind kind);
const char* ioPathName(IoPath path);

// How a process ended, for the counts of ends by cause: normally (returned, or exit 0), an
// exit with another status, a trap (or a host function failing it), a kill (by a process or
// a failed link), spent fuel, or its host memory budget or the host's memory running out.
enum class EndCause : uint8_t { Normal, ExitNonZero, Trap, Killed, OutOfFuel, HostMemory, Count };
const char* endCauseName(EndCause cause);

// `--serve` answers: latency buckets in seconds (Prometheus's defaults, finer at the low end).
inline constexpr double kLatencyBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1,    0.25,  0.5,    1,     2.5,  5,    10};
inline constexpr size_t kLatencyBuckets = sizeof kLatencyBounds / sizeof kLatencyBounds[0];
// The statuses counted one by one; others count as "other".
inline constexpr int kStatuses[] = {200, 201, 204, 301, 302, 304, 400, 404, 408, 413, 431, 500, 501, 503, 504};
inline constexpr size_t kStatusCount = sizeof kStatuses / sizeof kStatuses[0];

struct alignas(64) ThreadCounters {
  Counter spawned;
  Counter ended[size_t(EndCause::Count)];
  // What the processes that ended had counted themselves.
  Counter ended_reductions, ended_messages_sent, ended_message_bytes_sent;
  Counter io[size_t(IoPath::Count)][size_t(IoKind::Count)];
  Counter serve_requests[kStatusCount + 1];  // by kStatuses, then every other status
  Counter serve_latency[kLatencyBuckets + 1];
  Counter serve_latency_sum_us;
};

// Whether figures are recorded. Read before every record; set once, before workers start.
extern bool recording;
void setEnabled();

// The calling thread's counters, made on its first record. Not inlined (see above), and
// its slow path is a call of its own, so that the usual one is a load and a test.
ThreadCounters& local();

// Records `n` into `counter` of the calling thread's counters, if recording.
inline void count(Counter ThreadCounters::*counter, uint64_t n = 1) {
  if (__builtin_expect(recording, 0)) (local().*counter).add(n);
}
inline void countIo(IoPath path, IoKind kind) {
  if (__builtin_expect(recording, 0)) local().io[size_t(path)][size_t(kind)].add();
}
// A process's end: its cause, and what it counted itself while it lived.
inline void countEnd(EndCause cause, uint64_t reductions, uint64_t messages_sent, uint64_t message_bytes_sent) {
  if (__builtin_expect(recording, 0)) {
    ThreadCounters& counters = local();
    counters.ended[size_t(cause)].add();
    counters.ended_reductions.add(reductions);
    counters.ended_messages_sent.add(messages_sent);
    counters.ended_message_bytes_sent.add(message_bytes_sent);
  }
}
void countServeRequest(int status, uint64_t latency_ns);  // tests `recording` itself

// Calls `visit` on the counters of every thread that ever recorded (threads' counters
// outlive them). `visit` runs under a lock that only a thread's first record also takes.
template <typename Visit>
void forEachThread(Visit visit);
void forEachThreadImpl(void (*visit)(const ThreadCounters&, void*), void* context);
template <typename Visit>
void forEachThread(Visit visit) {
  forEachThreadImpl([](const ThreadCounters& c, void* v) { (*static_cast<Visit*>(v))(c); }, &visit);
}

}  // namespace lunatic::rt::stats
