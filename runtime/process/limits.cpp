// Program-wide limits (limits.h), each worked out once, the first time it is asked for.
#include "runtime/process/limits.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "runtime/log.h"

namespace lunatic::rt::limits {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kMaxDefaultHostMemory = 1024 * kMiB;

// The first 4 KiB of a file of the kernel's (procfs, cgroupfs), or "" if it cannot be read.
// Such a file is generated whole by its first read, so one read(2) takes all there is (and
// every executable starts by reading two of them). Not by a stream: <fstream> brings
// libstdc++'s locale machinery, 700 KB, into every executable.
std::string readKernelFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text(4096, '\0');
  ssize_t n;
  do {
    n = read(fd, text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  close(fd);
  text.resize(n > 0 ? size_t(n) : 0);
  return text;
}

// The memory.max of a cgroup v2 directory, or UINT64_MAX if it has none ("max", or no file).
uint64_t cgroupLimit(const std::string& directory) {
  std::string value = readKernelFile(directory + "/memory.max");
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  if (value.empty() || value == "max") return UINT64_MAX;
  char* end = nullptr;
  unsigned long long bytes = std::strtoull(value.c_str(), &end, 10);
  return end && *end == 0 ? bytes : UINT64_MAX;
}

// The least memory.max of this program's cgroup and the cgroups above it, as far as the
// cgroup file system shows them (in a container, up to the container's own). Without /proc
// or /sys (an empty root): no limit from cgroups; physical memory and rlimits still apply.
uint64_t cgroupMemoryLimit() {
  std::string membership = readKernelFile("/proc/self/cgroup");
  std::string path;
  for (size_t start = 0; start < membership.size();) {
    size_t end = membership.find('\n', start);
    if (end == std::string::npos) end = membership.size();
    std::string_view line(membership.data() + start, end - start);
    if (line.substr(0, 3) == "0::") path = line.substr(3);
    start = end + 1;
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
  log::warn(std::string("ignoring ") + name + "=" + value + " (want a positive whole number)");
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
