// Host stacks (process/host_stack.h): a call runs on a stack of its own, mapped with a guard
// page below it, and stacks are reused rather than mapped again.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/process/host_stack.h"

using namespace lunatic::rt;

namespace {

struct Seen {
  uintptr_t local = 0;
  int depth_reached = 0;
};

uintptr_t addressOfALocal() {
  volatile int here = 0;
  return reinterpret_cast<uintptr_t>(&here);
}

// Recurses `depth` frames of about 1 KiB each, deeper than the 64 KiB host functions may use
// of a process's stack.
int recurse(int depth) {
  volatile char frame[1024];
  frame[0] = char(depth);
  return depth == 0 ? frame[0] : recurse(depth - 1) + 1 + frame[0] * 0;
}

// The mapping of /proc/self/maps that holds `address`: its start, end and permissions.
struct Mapping {
  uintptr_t start = 0, end = 0;
  std::string permissions;
};
Mapping mappingOf(uintptr_t address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream in(line);
    std::string range, permissions;
    in >> range >> permissions;
    uintptr_t start = std::stoull(range.substr(0, range.find('-')), nullptr, 16);
    uintptr_t end = std::stoull(range.substr(range.find('-') + 1), nullptr, 16);
    if (address >= start && address < end) return {start, end, permissions};
  }
  return {};
}

}  // namespace

TEST_CASE("a call runs on a host stack with a guard page below it") {
  Seen seen;
  auto work = [&] {
    seen.local = addressOfALocal();
    seen.depth_reached = recurse(500);
  };
  REQUIRE(runOnHostStack(nullptr, work));
  CHECK(seen.depth_reached == 500);
  uintptr_t caller_local = addressOfALocal();
  Mapping stack = mappingOf(seen.local);
  REQUIRE(stack.end != 0);
  CHECK(!(caller_local >= stack.start && caller_local < stack.end));  // not the caller's stack
  CHECK(stack.permissions.substr(0, 2) == "rw");
  CHECK(stack.end - stack.start >= kHostStackSize);
  Mapping guard = mappingOf(stack.start - 1);
  CHECK(guard.end == stack.start);
  CHECK(guard.permissions.substr(0, 3) == "---");
}

TEST_CASE("host stacks are reused") {
  uintptr_t first = 0, second = 0;
  auto one = [&] { first = addressOfALocal(); };
  auto two = [&] { second = addressOfALocal(); };
  REQUIRE(runOnHostStack(nullptr, one));
  REQUIRE(runOnHostStack(nullptr, two));
  CHECK(first == second);
}

TEST_CASE("a call on a host stack can make another") {
  uintptr_t outer = 0, inner = 0;
  auto nested = [&] { inner = addressOfALocal(); };
  auto work = [&] {
    outer = addressOfALocal();
    REQUIRE(runOnHostStack(nullptr, nested));
  };
  REQUIRE(runOnHostStack(nullptr, work));
  CHECK(outer != 0);
  CHECK(inner != 0);
  CHECK(mappingOf(outer).start != 0);
}
