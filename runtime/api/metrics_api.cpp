// lunatic::metrics: counters, gauges and histograms named by the guest, recorded in the
// runtime's metrics store (metrics.h), as upstream records them with the `metrics` crate.
// A name must be UTF-8 and inside the caller's memory, or the caller fails, as upstream.
#include "runtime/api/api.h"
#include "runtime/api/metrics.h"

namespace lunatic::rt::api {
namespace {

// Records through `record` (a metrics.h function) what the guest named, or fails the caller
// when the store refuses a new series.
template <typename Value>
void recordNamed(lunatic_instance* self, uint32_t ptr, uint32_t len, const char* function,
                 bool (*record)(std::string_view, std::span<const metrics::Label>, Value), Value value) {
  // Metrics need no process: an embedding's instance may record them too.
  std::string_view name = guestText(self, ptr, len, function, "the name");
  if (!record(name, {}, value)) {
    fail(self, function, "too many metric series, or a name longer than 1024 bytes (runtime/api/metrics.h)");
  }
}

void counter(lunatic_instance* self, uint32_t ptr, uint32_t len, uint64_t value) {
  recordNamed(self, ptr, len, "counter", metrics::addToCounter, value);
}

void increment_counter(lunatic_instance* self, uint32_t ptr, uint32_t len) {
  recordNamed(self, ptr, len, "increment_counter", metrics::addToCounter, uint64_t(1));
}

void gauge(lunatic_instance* self, uint32_t ptr, uint32_t len, double value) {
  recordNamed(self, ptr, len, "gauge", metrics::setGauge, value);
}

void increment_gauge(lunatic_instance* self, uint32_t ptr, uint32_t len, double value) {
  recordNamed(self, ptr, len, "increment_gauge", metrics::addToGauge, value);
}

void decrement_gauge(lunatic_instance* self, uint32_t ptr, uint32_t len, double value) {
  recordNamed(self, ptr, len, "decrement_gauge", metrics::addToGauge, -value);
}

void histogram(lunatic_instance* self, uint32_t ptr, uint32_t len, double value) {
  recordNamed(self, ptr, len, "histogram", metrics::recordInHistogram, value);
}

}  // namespace

}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(metrics, counter, api::counter);
LUNATIC_HOST_CODE(metrics, increment_counter, api::increment_counter);
LUNATIC_HOST_CODE(metrics, gauge, api::gauge);
LUNATIC_HOST_CODE(metrics, increment_gauge, api::increment_gauge);
LUNATIC_HOST_CODE(metrics, decrement_gauge, api::decrement_gauge);
LUNATIC_HOST_CODE(metrics, histogram, api::histogram);
