// Program-wide limits (limits.h), each worked out once, the first time it is asked for.
#include "runtime/process/limits.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace lunatic::rt::limits {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kMaxDefaultHostMemory = 1024 * kMiB;

// The memory.max of a cgroup v2 directory, or UINT64_MAX if it has none ("max", or no file).
uint64_t cgroupLimit(const std::string& directory) {
  std::ifstream file(directory + "/memory.max");
  std::string value;
  if (!(file >> value) || value == "max") return UINT64_MAX;
  char* end = nullptr;
  unsigned long long bytes = std::strtoull(value.c_str(), &end, 10);
  return end && *end == 0 ? bytes : UINT64_MAX;
}

// The least memory.max of this program's cgroup and the cgroups above it, as far as the
// cgroup file system shows them (in a container, up to the container's own).
uint64_t cgroupMemoryLimit() {
  std::ifstream membership("/proc/self/cgroup");
  std::string line, path;
  while (std::getline(membership, line)) {
    if (line.rfind("0::", 0) == 0) path = line.substr(3);
  }
  const std::string root = "/sys/fs/cgroup";
  uint64_t limit = cgroupLimit(root);
  while (!path.empty() && path != "/") {
    limit = std::min(limit, cgroupLimit(root + path));
    path.resize(path.rfind('/'));
  }
  return limit;
}

uint64_t resourceLimit(int resource) {
  rlimit limit{};
  if (getrlimit(resource, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return UINT64_MAX;
  return limit.rlim_cur;
}

// A positive whole number from the environment variable `name`, or `fallback` (with a
// warning if the variable is set to something else).
uint64_t fromEnvironment(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  if (!value) return fallback;
  char* end = nullptr;
  unsigned long long n = std::strtoull(value, &end, 10);
  if (end != value && *end == 0 && n > 0 && value[0] != '-') return n;
  std::fprintf(stderr, "lunatic: warning: ignoring %s=%s (want a positive whole number)\n", name, value);
  return fallback;
}

}  // namespace

uint64_t availableMemory() {
  static const uint64_t bytes = [] {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t physical = pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : UINT64_MAX;
    return std::min({physical, cgroupMemoryLimit(), resourceLimit(RLIMIT_AS), resourceLimit(RLIMIT_DATA)});
  }();
  return bytes;
}

uint64_t maxProcesses() {
  static const uint64_t count =
      fromEnvironment("LUNATIC_MAX_PROCESSES", std::max<uint64_t>(1, availableMemory() / kLeastProcessBytes));
  return count;
}

uint64_t defaultMaxHostMemory() {
  static const uint64_t bytes =
      fromEnvironment("LUNATIC_MAX_HOST_MEMORY", std::min(kMaxDefaultHostMemory, availableMemory() / 8));
  return bytes;
}

uint64_t emergencyReserveBytes() { return std::clamp(availableMemory() / 32, 4 * kMiB, 64 * kMiB); }

}  // namespace lunatic::rt::limits
