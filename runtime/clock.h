// The one clock deadlines are measured on: steady, in nanoseconds. Timers, parks and I/O
// deadlines all compare against it.
#pragma once

#include <time.h>

#include <cstdint>

namespace lunatic::rt {

inline uint64_t nowNanoseconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}

}  // namespace lunatic::rt
