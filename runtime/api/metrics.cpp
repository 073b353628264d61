// The metrics store (metrics.h): per-thread shards of counters and histograms, one table of
// gauges, and the snapshot that sums them.
#include "runtime/api/metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace lunatic::rt::metrics {
namespace {

// A series as a record call names it, looked up without copying it into a Series.
struct SeriesView {
  std::string_view name;
  std::span<const Label> labels;
};

SeriesView viewOf(const Series& s) { return {s.name, s.labels}; }

struct SeriesHash {
  using is_transparent = void;
  size_t operator()(const SeriesView& s) const {
    std::hash<std::string_view> hash;
    size_t h = hash(s.name);
    for (const Label& label : s.labels) h = h * 31 + hash(label.name) * 7 + hash(label.value);
    return h;
  }
  size_t operator()(const Series& s) const { return (*this)(viewOf(s)); }
};

struct SeriesEqual {
  using is_transparent = void;
  bool operator()(const SeriesView& a, const SeriesView& b) const {
    return a.name == b.name && std::equal(a.labels.begin(), a.labels.end(), b.labels.begin(), b.labels.end());
  }
  bool operator()(const Series& a, const SeriesView& b) const { return (*this)(viewOf(a), b); }
  bool operator()(const SeriesView& a, const Series& b) const { return (*this)(a, viewOf(b)); }
  bool operator()(const Series& a, const Series& b) const { return (*this)(viewOf(a), viewOf(b)); }
};

template <typename Value>
using SeriesMap = std::unordered_map<Series, Value, SeriesHash, SeriesEqual>;

bool acceptable(const SeriesView& s) {
  if (s.name.size() > kMaxNameBytes) return false;
  return std::all_of(s.labels.begin(), s.labels.end(), [](const Label& label) {
    return label.name.size() <= kMaxNameBytes && label.value.size() <= kMaxNameBytes;
  });
}

// The value of series `s` in `map`, made if it is new and the map has room; null if not.
template <typename Value>
Value* entryFor(SeriesMap<Value>& map, const SeriesView& s) {
  auto it = map.find(s);
  if (it != map.end()) return &it->second;
  if (map.size() >= kMaxSeries || !acceptable(s)) return nullptr;
  Series owned{std::string(s.name), std::vector<Label>(s.labels.begin(), s.labels.end())};
  return &map.emplace(std::move(owned), Value{}).first->second;
}

// One thread's counters and histograms. Its lock is taken by that thread for every record
// and by a snapshot while it copies the shard, so recording almost never waits.
struct Shard {
  std::mutex mutex;
  SeriesMap<uint64_t> counters;
  SeriesMap<Histogram> histograms;
};

// Every shard ever made. Threads are few (the workers, and a few others), and a shard
// outlives its thread, so what that thread recorded is still summed.
std::mutex shards_mutex;
std::vector<std::unique_ptr<Shard>> shards;

thread_local Shard* thread_shard = nullptr;

// Not inlined: a process may move to another worker between two records, and each record
// must use the shard of the thread it runs on (scheduler.h on thread-locals).
__attribute__((noinline)) Shard& ownShard() {
  asm volatile("");
  if (!thread_shard) {
    std::lock_guard lock(shards_mutex);
    thread_shard = shards.emplace_back(std::make_unique<Shard>()).get();
  }
  return *thread_shard;
}

std::mutex gauges_mutex;
SeriesMap<double> gauges;

template <typename Value>
std::vector<std::pair<Series, Value>> sorted(SeriesMap<Value> map) {
  std::vector<std::pair<Series, Value>> list(std::make_move_iterator(map.begin()), std::make_move_iterator(map.end()));
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return list;
}

}  // namespace

void Histogram::record(double value) {
  if (std::isnan(value)) return;
  min = count == 0 ? value : std::min(min, value);
  max = count == 0 ? value : std::max(max, value);
  ++count;
  sum += value;
  int bucket = kInfinite;
  if (value <= 0) {
    bucket = kAtMostZero;
  } else if (std::isfinite(value)) {
    // value = m * 2^e with 0.5 <= m < 1, so 2^(e-1) <= value < 2^e; a power of two itself
    // (m = 0.5) belongs to the bucket it bounds.
    int exponent = 0;
    double mantissa = std::frexp(value, &exponent);
    bucket = mantissa == 0.5 ? exponent - 1 : exponent;
  }
  ++buckets[bucket];
}

void Histogram::merge(const Histogram& other) {
  if (other.count == 0) return;
  min = count == 0 ? other.min : std::min(min, other.min);
  max = count == 0 ? other.max : std::max(max, other.max);
  count += other.count;
  sum += other.sum;
  for (const auto& [bucket, n] : other.buckets) buckets[bucket] += n;
}

bool addToCounter(std::string_view name, std::span<const Label> labels, uint64_t amount) {
  Shard& shard = ownShard();
  std::lock_guard lock(shard.mutex);
  uint64_t* value = entryFor(shard.counters, {name, labels});
  if (!value) return false;
  *value += amount;
  return true;
}

bool recordInHistogram(std::string_view name, std::span<const Label> labels, double value) {
  Shard& shard = ownShard();
  std::lock_guard lock(shard.mutex);
  Histogram* histogram = entryFor(shard.histograms, {name, labels});
  if (!histogram) return false;
  histogram->record(value);
  return true;
}

bool setGauge(std::string_view name, std::span<const Label> labels, double value) {
  std::lock_guard lock(gauges_mutex);
  double* gauge = entryFor(gauges, {name, labels});
  if (!gauge) return false;
  *gauge = value;
  return true;
}

bool addToGauge(std::string_view name, std::span<const Label> labels, double amount) {
  std::lock_guard lock(gauges_mutex);
  double* gauge = entryFor(gauges, {name, labels});
  if (!gauge) return false;
  *gauge += amount;
  return true;
}

Snapshot snapshot() {
  SeriesMap<uint64_t> counters;
  SeriesMap<Histogram> histograms;
  {
    std::lock_guard list_lock(shards_mutex);
    for (const std::unique_ptr<Shard>& shard : shards) {
      std::lock_guard lock(shard->mutex);
      for (const auto& [series, value] : shard->counters) counters[series] += value;
      for (const auto& [series, histogram] : shard->histograms) histograms[series].merge(histogram);
    }
  }
  Snapshot result;
  result.counters = sorted(std::move(counters));
  result.histograms = sorted(std::move(histograms));
  {
    std::lock_guard lock(gauges_mutex);
    result.gauges = sorted(gauges);
  }
  return result;
}

}  // namespace lunatic::rt::metrics
