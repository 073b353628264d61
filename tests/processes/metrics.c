/* lunatic::metrics from a guest: every function records without disturbing the process
 * (tests/abi/metrics_test.cpp checks what is recorded); a name outside the caller's memory or
 * not UTF-8 ends only the caller, as upstream traps.
 *
 * expect-stdout: recorded 6 kinds of metrics
 * expect-stdout: name outside memory: (?P<p1>\d+) died
 * expect-stdout: name not UTF-8: (?P<p2>\d+) died
 * expect-stdout: metrics: all ok
 * expect-stderr: lunatic: process {{p1}} failed: counter: the name is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p2}} failed: histogram: the name is not UTF-8 at .*
 */
#include "common.h"

TEST_ENTRY(name_outside) { lunatic_raw_metrics_counter((const char*)(uintptr_t)0xFFFFFFF0u, 32, 1); }

TEST_ENTRY(name_not_utf8) { lunatic_raw_metrics_histogram("bad\xff", 4, 1.0); }

int main(void) {
  for (int i = 0; i < 100; ++i) {
    lunatic_metrics_counter("guest.bytes", 10);
    lunatic_raw_metrics_increment_counter("guest.requests", 14);
    lunatic_metrics_gauge("guest.level", i);
    lunatic_metrics_gauge_add("guest.level", 0.5);
    lunatic_raw_metrics_decrement_gauge("guest.level", 11, 0.5);
    lunatic_metrics_histogram("guest.latency", i * 0.25);
  }
  say("recorded 6 kinds of metrics");
  expect_entry_dies("name_outside", "name outside memory");
  expect_entry_dies("name_not_utf8", "name not UTF-8");
  say("metrics: all ok");
  return 0;
}
