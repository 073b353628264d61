// Phase timings of a compilation (timings.h).
#include "compiler/backend/timings.h"

#include <cstdio>
#include <ctime>

namespace lunaticc {
namespace {

double processCpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return double(now.tv_sec) + double(now.tv_nsec) * 1e-9;
}

}  // namespace

void Timings::restart() {
  wall_ = std::chrono::steady_clock::now();
  cpu_ = processCpuSeconds();
}

void Timings::endPhase(std::string_view phase) {
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
  const double cpu = processCpuSeconds() - cpu_;
  char line[160];
  std::snprintf(line, sizeof line, "%-24.*s %8.3f s wall %8.3f s cpu\n", int(phase.size()), phase.data(), wall, cpu);
  report_ += line;
  restart();
}

void Timings::note(std::string_view line) {
  report_.append("  ").append(line).append(1, '\n');
}

}  // namespace lunaticc
