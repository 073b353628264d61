/* Selective receive: tag filters take the oldest matching message and leave the others
 * queued in arrival order; receive timeouts; order of messages from one sender.
 *
 * expect-stdout: filter \[3\] took tag 3 first, then 1 and 2 in order
 * expect-stdout: filter \[2, 3\] took the oldest of either
 * expect-stdout: absent tag timed out after (?P<ms>\d+) ms
 * expect-stdout: timeout 0 on an empty mailbox ok
 * expect-stdout: a waiting receive ignores other tags and gets tag 6 when it comes
 * expect-stdout: 200 messages from one sender arrived in order
 * expect-stdout: selective receive: all ok
 */
#include "common.h"

static void send_text(lunatic_process_id to, lunatic_tag tag, const char* text) {
  lunatic_send(to, tag, text, strlen(text));
}

/* Receives with a filter (count 0: any) and checks the tag and text of what came. */
static void expect_text(const lunatic_tag* tags, size_t count, lunatic_tag tag, const char* text) {
  char buf[32] = {0};
  lunatic_message_info info;
  CHECK_EQ(lunatic_receive(tags, count, 1000, buf, sizeof buf - 1, &info), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(info.tag, tag);
  CHECK_EQ(info.size, strlen(text));
  CHECK(strcmp(buf, text) == 0);
}

TEST_ENTRY(late_sender) {
  lunatic_sleep_ms(30);
  send_u64(parent, 5, 50);
  lunatic_sleep_ms(30);
  send_u64(parent, 6, 60);
}

TEST_ENTRY(counter) {
  for (uint64_t i = 0; i < 200; ++i) send_u64(parent, 8 + (lunatic_tag)(i % 2), i);
}

int main(void) {
  uint64_t me = lunatic_self();

  send_text(me, 1, "one");
  send_text(me, 2, "two");
  send_text(me, 3, "three");
  lunatic_tag three = 3;
  expect_text(&three, 1, 3, "three");
  expect_text(NULL, 0, 1, "one");
  expect_text(NULL, 0, 2, "two");
  CHECK_EQ(lunatic_receive(NULL, 0, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("filter [3] took tag 3 first, then 1 and 2 in order");

  send_text(me, 1, "a");
  send_text(me, 3, "b");
  send_text(me, 2, "c");
  send_text(me, 3, "d");
  lunatic_tag two_three[2] = {2, 3};
  expect_text(two_three, 2, 3, "b");
  expect_text(two_three, 2, 2, "c");
  expect_text(two_three, 2, 3, "d");
  CHECK_EQ(lunatic_receive(two_three, 2, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  expect_text(NULL, 0, 1, "a"); /* the one the filters passed over is still there */
  say("filter [2, 3] took the oldest of either");

  /* A filter no queued message matches: the message tagged 1 stays, the call times out. */
  send_text(me, 1, "stays");
  lunatic_tag absent = 42;
  int64_t start = now_ms();
  CHECK_EQ(lunatic_raw_message_receive(&absent, 1, 50), LUNATIC_RECEIVE_TIMEOUT);
  int64_t elapsed = now_ms() - start;
  CHECK(elapsed >= 50);
  CHECK(elapsed < 1000);
  say("absent tag timed out after %lld ms", (long long)elapsed);
  expect_text(NULL, 0, 1, "stays");

  start = now_ms();
  CHECK_EQ(lunatic_raw_message_receive(NULL, 0, 0), LUNATIC_RECEIVE_TIMEOUT);
  CHECK(now_ms() - start < 50);
  say("timeout 0 on an empty mailbox ok");

  /* Waiting on tag 6 while a message tagged 5 arrives first. */
  uint64_t sender = spawn_ok("late_sender", 0);
  (void)sender;
  uint64_t value = 0;
  lunatic_message_info info;
  CHECK_EQ(receive_tag(6, 5000, &value, &info), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(info.tag, 6);
  CHECK_EQ(value, 60);
  CHECK_EQ(receive_tag(0, 0, &value, &info), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(info.tag, 5);
  CHECK_EQ(value, 50);
  say("a waiting receive ignores other tags and gets tag 6 when it comes");

  /* One sender's messages keep their order, also when taken through filters. */
  (void)spawn_ok("counter", 0);
  for (uint64_t i = 0; i < 200; i += 2) CHECK_EQ(expect_u64(9), i + 1);
  for (uint64_t i = 0; i < 200; i += 2) CHECK_EQ(expect_u64(8), i);
  say("200 messages from one sender arrived in order");

  CHECK_EQ(lunatic_receive(NULL, 0, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("selective receive: all ok");
  return 0;
}
