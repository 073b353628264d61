/* Monitors: one-way, never kill, and report every end (normal, trap, kill) as a
 * PROCESS_DIED message with the process's id and tag 0; stop_monitoring cancels one.
 *
 * expect-stdout: normal end of (?P<normal>\d+): PROCESS_DIED, get_process_id \d+, tag 0
 * expect-stdout: trap of (?P<trapper>\d+): PROCESS_DIED, the root lives on
 * expect-stdout: kill: PROCESS_DIED
 * expect-stdout: PROCESS_DIED matches no tag filter
 * expect-stdout: stop_monitoring: no message
 * expect-stdout: two watchers both told
 * expect-stdout: monitor of an ended process: PROCESS_DIED at once
 * expect-stdout: monitors: all ok
 * expect-stderr: lunatic: process {{trapper}} failed: unreachable at .*\btrap_when_told\b.*
 */
#include "common.h"

enum { TAG_GO = 1, TAG_WATCHED = 2 };

TEST_ENTRY(return_when_told) { (void)expect_u64(TAG_GO); }

TEST_ENTRY(trap_when_told) {
  (void)expect_u64(TAG_GO);
  __builtin_trap();
}

/* Monitors process `arg`, tells the parent it does, and reports the id that died. */
TEST_ENTRY(watcher) {
  uint64_t target = (uint64_t)arg;
  lunatic_monitor(target);
  send_u64(parent, TAG_WATCHED, 0);
  lunatic_message_info info;
  CHECK_EQ(lunatic_receive(NULL, 0, 5000, NULL, 0, &info), LUNATIC_RECEIVE_PROCESS_DIED);
  send_u64(parent, TAG_WATCHED, info.process);
}

/* Waits (up to 5 s) until `pid` no longer exists. */
static void wait_gone(uint64_t pid) {
  for (int i = 0; i < 1000 && lunatic_exists(pid); ++i) lunatic_sleep_ms(5);
  CHECK(!lunatic_exists(pid));
}

int main(void) {
  uint64_t child = spawn_ok("return_when_told", 0);
  lunatic_monitor(child);
  CHECK(lunatic_exists(child));
  send_u64(child, TAG_GO, 0);
  CHECK_EQ(lunatic_raw_message_receive(NULL, 0, 5000), LUNATIC_RECEIVE_PROCESS_DIED);
  CHECK_EQ(lunatic_raw_message_get_process_id(), child);
  CHECK_EQ(lunatic_raw_message_get_tag(), 0);
  CHECK(!lunatic_exists(child));
  say("normal end of %llu: PROCESS_DIED, get_process_id %llu, tag 0", (unsigned long long)child,
      (unsigned long long)lunatic_raw_message_get_process_id());

  child = spawn_ok("trap_when_told", 0);
  lunatic_monitor(child);
  send_u64(child, TAG_GO, 0);
  expect_died(child);
  say("trap of %llu: PROCESS_DIED, the root lives on", (unsigned long long)child);

  child = spawn_ok("return_when_told", 0);
  lunatic_monitor(child);
  lunatic_kill(child);
  expect_died(child);
  say("kill: PROCESS_DIED");

  child = spawn_ok("return_when_told", 0);
  lunatic_monitor(child);
  send_u64(child, TAG_GO, 0);
  wait_gone(child);
  lunatic_tag tags[2] = {TAG_GO, TAG_WATCHED};
  CHECK_EQ(lunatic_receive(tags, 2, 100, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  expect_died(child);
  say("PROCESS_DIED matches no tag filter");

  child = spawn_ok("return_when_told", 0);
  lunatic_monitor(child);
  lunatic_stop_monitoring(child);
  send_u64(child, TAG_GO, 0);
  wait_gone(child);
  CHECK_EQ(lunatic_receive(NULL, 0, 200, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("stop_monitoring: no message");

  CHECK(lunatic_self() < 0x7FFFFFFF);
  child = spawn_ok("return_when_told", 0);
  CHECK(child < 0x7FFFFFFF);
  (void)spawn_ok("watcher", (int32_t)child);
  (void)spawn_ok("watcher", (int32_t)child);
  CHECK_EQ(expect_u64(TAG_WATCHED), 0);
  CHECK_EQ(expect_u64(TAG_WATCHED), 0);
  send_u64(child, TAG_GO, 0);
  CHECK_EQ(expect_u64(TAG_WATCHED), child);
  CHECK_EQ(expect_u64(TAG_WATCHED), child);
  say("two watchers both told");

  /* docs/abi.md, Deviations: monitoring a process that is gone reports its death at once. */
  lunatic_monitor(child);
  expect_died(child);
  say("monitor of an ended process: PROCESS_DIED at once");

  CHECK_EQ(lunatic_receive(NULL, 0, 100, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("monitors: all ok");
  return 0;
}
