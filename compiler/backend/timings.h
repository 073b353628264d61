// Where a compilation's time goes, phase by phase (lunaticc --timings): so that a slow
// compilation shows its slow phase without a profiler, and benchmarks can show where a warm
// compilation spends its time (bench/compile/incremental.py).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace lunaticc {

class Timings {
 public:
  Timings() { restart(); }

  // Ends the phase that ran since the previous end (or since construction): a line with its
  // wall time and the CPU time of all the process's threads.
  void endPhase(std::string_view phase);
  // A line on what the phase that just ended did (how many parts the cache had, say).
  void note(std::string_view line);

  const std::string& report() const { return report_; }

 private:
  void restart();
  std::chrono::steady_clock::time_point wall_;
  double cpu_ = 0;  // seconds
  std::string report_;
};

}  // namespace lunaticc
