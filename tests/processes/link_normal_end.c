/* Links carry only failures: linked children that return normally, or call exit(0), leave
 * a parent in the default mode (die when a link dies) running, and send it nothing.
 *
 * expect-stdout: 3 linked children ended normally
 * expect-stdout: root still running, mailbox empty
 */
#include "common.h"

TEST_ENTRY(report_and_return) { send_u64(parent, 1, (uint64_t)arg); }

TEST_ENTRY(report_and_exit0) {
  send_u64(parent, 1, (uint64_t)arg);
  exit(0);
}

LUNATIC_ENTRY(quiet) { (void)arg; }

int main(void) {
  uint64_t a, b, c;
  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 11, "report_and_return", 1, &a), 0);
  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 12, "report_and_exit0", 2, &b), 0);
  CHECK(lunatic_spawn_link("quiet", 3, 13, &c)); /* the SDK's own wrapper */
  lunatic_monitor(a);
  lunatic_monitor(b);
  lunatic_monitor(c);
  uint64_t sum = 0;
  for (int i = 0; i < 2; ++i) sum += expect_u64(1);
  CHECK_EQ(sum, 3);
  /* The three PROCESS_DIED messages, in any order. */
  for (int i = 0; i < 3; ++i) {
    lunatic_message_info info;
    CHECK_EQ(lunatic_receive(NULL, 0, 5000, NULL, 0, &info), LUNATIC_RECEIVE_PROCESS_DIED);
    CHECK(info.process == a || info.process == b || info.process == c);
  }
  say("3 linked children ended normally");
  lunatic_sleep_ms(100);
  CHECK_EQ(lunatic_receive(NULL, 0, 100, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("root still running, mailbox empty");
  return 0;
}
