// The runtime's own figures (stats.h): each thread's counters, and the list a scrape sums.
#include "runtime/stats.h"

#include <memory>
#include <mutex>
#include <vector>

namespace lunatic::rt::stats {

bool recording = false;

namespace {

std::mutex threads_mutex;
std::vector<std::unique_ptr<ThreadCounters>> threads;  // never shrinks: a thread's counts outlive it

thread_local ThreadCounters* thread_counters = nullptr;

__attribute__((noinline, cold)) ThreadCounters& makeLocal() {
  std::lock_guard lock(threads_mutex);
  thread_counters = threads.emplace_back(std::make_unique<ThreadCounters>()).get();
  return *thread_counters;
}

}  // namespace

void setEnabled() { recording = true; }

__attribute__((noinline)) ThreadCounters& local() {
  asm volatile("");  // keeps the thread-local's address from being reused across a switch
  ThreadCounters* counters = thread_counters;
  return __builtin_expect(counters != nullptr, 1) ? *counters : makeLocal();
}

void forEachThreadImpl(void (*visit)(const ThreadCounters&, void*), void* context) {
  std::lock_guard lock(threads_mutex);
  for (const std::unique_ptr<ThreadCounters>& counters : threads) visit(*counters, context);
}

const char* ioKindName(IoKind kind) {
  static constexpr const char* kNames[] = {"read", "write", "receive", "send", "accept", "connect", "poll", "call"};
  return kNames[size_t(kind)];
}

const char* ioPathName(IoPath path) {
  static constexpr const char* kNames[] = {"direct", "uring", "epoll", "pool", "thread"};
  return kNames[size_t(path)];
}

const char* endCauseName(EndCause cause) {
  static constexpr const char* kNames[] = {"normal", "exit_nonzero", "trap", "killed", "out_of_fuel", "host_memory"};
  return kNames[size_t(cause)];
}

void countServeRequest(int status, uint64_t latency_ns) {
  if (!recording) return;
  ThreadCounters& counters = local();
  size_t s = 0;
  while (s < kStatusCount && kStatuses[s] != status) ++s;
  counters.serve_requests[s].add();
  double seconds = double(latency_ns) / 1e9;
  size_t b = 0;
  while (b < kLatencyBuckets && seconds > kLatencyBounds[b]) ++b;
  counters.serve_latency[b].add();
  counters.serve_latency_sum_us.add(latency_ns / 1000);
}

}  // namespace lunatic::rt::stats
