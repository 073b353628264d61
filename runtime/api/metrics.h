// Metrics that guests record through lunatic::metrics (metrics_api.cpp): counters, gauges
// and histograms, each a series named by a name and labels. They are kept here for an
// exporter (a Prometheus endpoint, say) to read with snapshot().
//
// Recording must cost a process little and never wait for other processes: counters and
// histograms are kept per thread (a worker records into its own shard) and summed when read.
// A gauge is set as well as moved, and the last value set wins across threads, so gauges are
// kept once, behind one lock.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lunatic::rt::metrics {

struct Label {
  std::string name, value;
  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

// One series. lunatic::metrics names series without labels, as upstream's guests do; labels
// are for the runtime's own metrics and for what a later ABI may add.
struct Series {
  std::string name;
  std::vector<Label> labels;
  friend bool operator==(const Series&, const Series&) = default;
  friend auto operator<=>(const Series&, const Series&) = default;
};

// What a histogram holds: the samples' count and sum, their extremes, and how many fell
// into each power-of-two bucket. Bucket k counts the samples v with 2^(k-1) < v <= 2^k;
// kAtMostZero the samples <= 0 and kInfinite those above every finite bound. A NaN sample
// is not recorded. An exporter turns the buckets into its own (cumulative, "le" bounds).
struct Histogram {
  static constexpr int kAtMostZero = -2000;
  static constexpr int kInfinite = 2000;
  uint64_t count = 0;
  double sum = 0, min = 0, max = 0;
  std::map<int, uint64_t> buckets;

  void record(double value);
  void merge(const Histogram& other);
};

// Limits that keep a guest from filling the host's memory with series: a name or label of
// more than kMaxNameBytes bytes, or a new series beyond kMaxSeries of its kind in a thread's
// shard (or among the gauges), is refused: the record functions return false.
inline constexpr size_t kMaxNameBytes = 1024;
inline constexpr size_t kMaxSeries = 4096;

// Recording. `name` and labels are taken as they are (lunatic::metrics checks them for
// UTF-8); a counter wraps around at 2^64, as upstream's.
bool addToCounter(std::string_view name, std::span<const Label> labels, uint64_t amount);
bool setGauge(std::string_view name, std::span<const Label> labels, double value);
bool addToGauge(std::string_view name, std::span<const Label> labels, double amount);
bool recordInHistogram(std::string_view name, std::span<const Label> labels, double value);

// Everything recorded so far, summed over threads, each list sorted by series. Safe to call
// from any thread at any time; it holds each shard's lock only while copying it.
struct Snapshot {
  std::vector<std::pair<Series, uint64_t>> counters;
  std::vector<std::pair<Series, double>> gauges;
  std::vector<std::pair<Series, Histogram>> histograms;
};
Snapshot snapshot();

}  // namespace lunatic::rt::metrics
