/* Timers: send_after delivers the message being built after the delay, to any process;
 * cancel_timer stops a pending one (1) and reports 0 for one fired, cancelled or unknown.
 *
 * expect-stdout: send_after 60 ms: arrived after (?P<ms>\d+) ms, data intact
 * expect-stdout: cancel_timer: 1, again: 0, nothing delivered
 * expect-stdout: cancel after firing: 0
 * expect-stdout: cancel of an unknown timer: 0
 * expect-stdout: shorter delay first: 40 ms before 80 ms
 * expect-stdout: timer to another process: delivered
 * expect-stdout: timers: all ok
 */
#include "common.h"

TEST_ENTRY(relay) {
  uint64_t value = 0;
  lunatic_message_info info;
  CHECK_EQ(receive_tag(20, 5000, &value, &info), LUNATIC_RECEIVE_DATA);
  send_u64(parent, 21, value + 1);
}

int main(void) {
  uint64_t me = lunatic_self();

  int64_t start = now_ms();
  const char text[] = "later";
  lunatic_timer_id timer = lunatic_send_after(me, 11, text, sizeof text, 60);
  char buf[16] = {0};
  lunatic_message_info info;
  lunatic_tag tag = 11;
  CHECK_EQ(lunatic_receive(&tag, 1, 5000, buf, sizeof buf, &info), LUNATIC_RECEIVE_DATA);
  int64_t elapsed = now_ms() - start;
  CHECK(elapsed >= 60);
  CHECK(elapsed < 2000);
  CHECK_EQ(info.size, sizeof text);
  CHECK(strcmp(buf, "later") == 0);
  say("send_after 60 ms: arrived after %lld ms, data intact", (long long)elapsed);
  CHECK_EQ(lunatic_raw_timer_cancel_timer(timer), 0); /* fired already */

  timer = lunatic_send_after(me, 12, "x", 1, 50);
  CHECK_EQ(lunatic_raw_timer_cancel_timer(timer), 1);
  CHECK_EQ(lunatic_raw_timer_cancel_timer(timer), 0);
  CHECK_EQ(receive_tag(12, 150, NULL, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("cancel_timer: 1, again: 0, nothing delivered");

  timer = lunatic_send_after(me, 13, "y", 1, 10);
  CHECK_EQ(receive_tag(13, 5000, NULL, NULL), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(lunatic_raw_timer_cancel_timer(timer), 0);
  say("cancel after firing: 0");

  CHECK_EQ(lunatic_raw_timer_cancel_timer(0), 0);
  CHECK_EQ(lunatic_raw_timer_cancel_timer(123456789), 0);
  say("cancel of an unknown timer: 0");

  uint64_t slow = 80, fast = 40;
  lunatic_message_create(14, &slow, sizeof slow);
  lunatic_timer_id t1 = lunatic_raw_timer_send_after(me, 80);
  lunatic_message_create(14, &fast, sizeof fast);
  lunatic_timer_id t2 = lunatic_raw_timer_send_after(me, 40);
  CHECK(t1 != t2);
  CHECK_EQ(expect_u64(14), 40);
  CHECK_EQ(expect_u64(14), 80);
  say("shorter delay first: 40 ms before 80 ms");

  uint64_t child = spawn_ok("relay", 0);
  uint64_t value = 41;
  (void)lunatic_send_after(child, 20, &value, sizeof value, 20);
  CHECK_EQ(expect_u64(21), 42);
  say("timer to another process: delivered");

  CHECK_EQ(lunatic_receive(NULL, 0, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("timers: all ok");
  return 0;
}
