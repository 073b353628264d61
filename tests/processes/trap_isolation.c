/* A trap ends only the process that traps: workers spawned before and after it finish their
 * work, the root completes, and the runtime logs one line per trapped process naming the
 * trap and a function of the guest.
 *
 * expect-stdout: divider (?P<div>\d+) died: PROCESS_DIED
 * expect-stdout: unreachable (?P<unr>\d+) died: PROCESS_DIED
 * expect-stdout: out of bounds (?P<oob>\d+) died: PROCESS_DIED
 * expect-stdout: 8 workers finished: sum 1021800
 * expect-stdout: trap isolation: all ok
 * expect-stderr: lunatic: process {{div}} failed: integer divide by zero at .*\bdivider\b.*
 * expect-stderr: lunatic: process {{unr}} failed: unreachable at .*\bhit_unreachable\b.*
 * expect-stderr: lunatic: process {{oob}} failed: out of bounds memory access at .*\bout_of_bounds\b.*
 */
#include "common.h"

enum { TAG_GO = 1, TAG_RESULT = 2 };

static volatile int zero = 0;

TEST_ENTRY(divider) { say("quotient %d", (arg + 100) / zero); }

TEST_ENTRY(hit_unreachable) { __builtin_unreachable(); }

TEST_ENTRY(out_of_bounds) {
  volatile uint32_t* far = (volatile uint32_t*)(uintptr_t)0xFFFFFFF0u;
  say("read %u", *far);
}

/* Waits for a go, then reports the sum of 1 .. 100 * arg. */
TEST_ENTRY(worker) {
  (void)expect_u64(TAG_GO);
  uint64_t sum = 0;
  for (uint64_t i = 1; i <= 100 * (uint64_t)arg; ++i) sum += i;
  send_u64(parent, TAG_RESULT, sum);
}

static void run_and_expect_death(const char* entry, const char* what) {
  uint64_t id = spawn_ok(entry, 0);
  lunatic_monitor(id);
  expect_died(id);
  CHECK(!lunatic_exists(id));
  say("%s %llu died: PROCESS_DIED", what, (unsigned long long)id);
}

int main(void) {
  uint64_t workers[8];
  for (int i = 0; i < 4; ++i) workers[i] = spawn_ok("worker", i + 1);
  run_and_expect_death("divider", "divider");
  run_and_expect_death("hit_unreachable", "unreachable");
  run_and_expect_death("out_of_bounds", "out of bounds");
  for (int i = 4; i < 8; ++i) workers[i] = spawn_ok("worker", i + 1);
  for (int i = 0; i < 8; ++i) {
    CHECK(lunatic_exists(workers[i]));
    send_u64(workers[i], TAG_GO, 0);
  }
  uint64_t total = 0;
  for (int i = 0; i < 8; ++i) total += expect_u64(TAG_RESULT);
  CHECK_EQ(total, 1021800); /* the sum over arg 1..8 of 100arg(100arg + 1) / 2 */
  say("8 workers finished: sum %llu", (unsigned long long)total);
  say("trap isolation: all ok");
  return 0;
}
