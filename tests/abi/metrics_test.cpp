// lunatic::metrics records what guests report: the host functions, called through
// their lunatic_host_function as a compiled module calls them, from several threads at
// once, and the metrics store's snapshot (runtime/api/metrics.h), which must sum the threads'
// shards exactly. Also the store's limits, and histogram buckets.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "runtime/api/metrics.h"
#include "runtime/host.h"
#include "lunatic/abi.h"

using namespace lunatic::rt;

namespace {

int failures = 0;

#define EXPECT(condition)                                                        \
  do {                                                                           \
    if (!(condition)) {                                                          \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #condition);          \
      ++failures;                                                                \
    }                                                                            \
  } while (0)

// An instance with a linear memory and no process, as an embedding has: lunatic::metrics
// needs nothing else. The names live at offset 0.
struct GuestWithNames {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(LUNATIC_WASM_PAGE_SIZE);
  lunatic_memory memory{};
  lunatic_instance instance{};
  GuestWithNames() {
    memory.base = bytes.data();
    memory.size = bytes.size();
    memory.max_pages = 1;
    instance.memory = &memory;
  }
  uint32_t put(uint32_t at, const char* text) {
    std::memcpy(bytes.data() + at, text, std::strlen(text));
    return uint32_t(std::strlen(text));
  }
};

// The code of a host function, as a compiled module reaches it: through its
// lunatic_host_function (abi.h).
template <typename F>
F* hostCode(const lunatic_host_function& f) {
  return reinterpret_cast<F*>(const_cast<void*>(f.code));
}

// How many samples bucket `k` of `h` holds (0 if it has none).
uint64_t inBucket(const metrics::Histogram& h, int k) {
  auto it = h.buckets.find(k);
  return it == h.buckets.end() ? 0 : it->second;
}

const metrics::Histogram* histogramNamed(const metrics::Snapshot& s, const std::string& name) {
  for (const auto& [series, histogram] : s.histograms) {
    if (series.name == name && series.labels.empty()) return &histogram;
  }
  return nullptr;
}

template <typename Value>
const Value* valueNamed(const std::vector<std::pair<metrics::Series, Value>>& list, const std::string& name) {
  for (const auto& [series, value] : list) {
    if (series.name == name && series.labels.empty()) return &value;
  }
  return nullptr;
}

void threadsThroughTheAbi() {
  auto counter = hostCode<void(lunatic_instance*, uint32_t, uint32_t, uint64_t)>(host_code::metrics_counter);
  auto increment_counter = hostCode<void(lunatic_instance*, uint32_t, uint32_t)>(host_code::metrics_increment_counter);
  auto gauge = hostCode<void(lunatic_instance*, uint32_t, uint32_t, double)>(host_code::metrics_gauge);
  auto increment_gauge = hostCode<void(lunatic_instance*, uint32_t, uint32_t, double)>(host_code::metrics_increment_gauge);
  auto decrement_gauge = hostCode<void(lunatic_instance*, uint32_t, uint32_t, double)>(host_code::metrics_decrement_gauge);
  auto histogram = hostCode<void(lunatic_instance*, uint32_t, uint32_t, double)>(host_code::metrics_histogram);

  constexpr int kThreads = 4, kRounds = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      GuestWithNames guest;
      uint32_t requests = guest.put(0, "test.requests");
      uint32_t bytes = guest.put(100, "test.bytes");
      uint32_t level = guest.put(200, "test.level");
      uint32_t latency = guest.put(300, "test.latency");
      for (int i = 0; i < kRounds; ++i) {
        increment_counter(&guest.instance, 0, requests);
        counter(&guest.instance, 100, bytes, 3);
        increment_gauge(&guest.instance, 200, level, 2.0);
        decrement_gauge(&guest.instance, 200, level, 1.0);
        histogram(&guest.instance, 300, latency, double(i % 4 + 1));  // 1, 2, 3, 4
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  metrics::Snapshot s = metrics::snapshot();
  const uint64_t* requests = valueNamed(s.counters, "test.requests");
  const uint64_t* bytes = valueNamed(s.counters, "test.bytes");
  const double* level = valueNamed(s.gauges, "test.level");
  const metrics::Histogram* latency = histogramNamed(s, "test.latency");
  EXPECT(requests && *requests == uint64_t(kThreads) * kRounds);
  EXPECT(bytes && *bytes == uint64_t(kThreads) * kRounds * 3);
  EXPECT(level && *level == double(kThreads) * kRounds);
  EXPECT(latency && latency->count == uint64_t(kThreads) * kRounds);
  if (latency) {
    EXPECT(latency->sum == 2.5 * kThreads * kRounds);
    EXPECT(latency->min == 1 && latency->max == 4);
    // 1 = 2^0, 2 = 2^1, 3 and 4 in (2^1, 2^2]
    uint64_t quarter = uint64_t(kThreads) * kRounds / 4;
    EXPECT(latency->buckets.size() == 3);
    EXPECT(inBucket(*latency, 0) == quarter);
    EXPECT(inBucket(*latency, 1) == quarter);
    EXPECT(inBucket(*latency, 2) == 2 * quarter);
  }

  // A gauge set last wins over what was added before it.
  GuestWithNames guest;
  uint32_t level_len = guest.put(0, "test.level");
  gauge(&guest.instance, 0, level_len, -7.5);
  s = metrics::snapshot();
  level = valueNamed(s.gauges, "test.level");
  EXPECT(level && *level == -7.5);
}

void histogramBuckets() {
  metrics::Histogram h;
  for (double v : {0.0, -3.0, 0.25, 0.3, 1.0, 1.5, 1024.0, HUGE_VAL, std::nan("")}) h.record(v);
  EXPECT(h.count == 8);  // the NaN is not recorded
  EXPECT(h.min == -3.0);
  EXPECT(std::isinf(h.max));
  EXPECT(inBucket(h, metrics::Histogram::kAtMostZero) == 2);
  EXPECT(inBucket(h, -2) == 1);  // 0.25 = 2^-2
  EXPECT(inBucket(h, -1) == 1);  // 0.3 in (2^-2, 2^-1]
  EXPECT(inBucket(h, 0) == 1);   // 1
  EXPECT(inBucket(h, 1) == 1);   // 1.5 in (1, 2]
  EXPECT(inBucket(h, 10) == 1);  // 1024 = 2^10
  EXPECT(inBucket(h, metrics::Histogram::kInfinite) == 1);
}

void limits() {
  std::string long_name(metrics::kMaxNameBytes + 1, 'x');
  EXPECT(!metrics::addToCounter(long_name, {}, 1));
  EXPECT(metrics::addToCounter(std::string(metrics::kMaxNameBytes, 'y'), {}, 1));
  // Series are counted per thread (this one's shard); the gauges share one table.
  std::thread([] {
    size_t accepted = 0;
    for (size_t i = 0; i < metrics::kMaxSeries + 10; ++i) {
      accepted += metrics::addToCounter("many." + std::to_string(i), {}, 1);
    }
    EXPECT(accepted == metrics::kMaxSeries);
    // A series the shard already has is still recorded.
    EXPECT(metrics::addToCounter("many.0", {}, 1));
  }).join();
  // Labels make series of their own.
  const metrics::Label a[] = {{"node", "a"}}, b[] = {{"node", "b"}};
  EXPECT(metrics::setGauge("labelled", a, 1) && metrics::setGauge("labelled", b, 2));
  size_t labelled = 0;
  for (const auto& [series, value] : metrics::snapshot().gauges) labelled += series.name == "labelled";
  EXPECT(labelled == 2);
}

}  // namespace

int main() {
  threadsThroughTheAbi();
  histogramBuckets();
  limits();
  std::printf("metrics: %s\n", failures ? "FAILED" : "all ok");
  return failures ? 1 : 0;
}
