/* die_when_link_dies(false): a linked process's failure arrives as a LINK_DIED message
 * carrying the link's tag, instead of killing the receiver.
 *
 * expect-stdout: trapping child (?P<trapper>\d+): LINK_DIED with tag 77
 * expect-stdout: normally ending child: no message
 * expect-stdout: link\(\) after spawn: LINK_DIED with tag 79
 * expect-stdout: unlinked child's trap: no message
 * expect-stdout: killed child: LINK_DIED with tag 81
 * expect-stdout: chain: LINK_DIED with tag 82 after the leaf (?P<leaf>\d+) failed
 * expect-stdout: links caught: all ok
 * expect-stderr: lunatic: process {{trapper}} failed: unreachable at .*
 * expect-stderr: lunatic: process \d+ failed: integer divide by zero at .*
 * expect-stderr: lunatic: process \d+ failed: unreachable at .*
 * expect-stderr: lunatic: process {{leaf}} failed: unreachable at .*
 */
#include "common.h"

enum { TAG_GO = 1, TAG_LEAF = 2 };

/* Waits to be told, then traps with unreachable. */
TEST_ENTRY(crash_when_told) {
  (void)expect_u64(TAG_GO);
  __builtin_trap();
}

static volatile int zero = 0;

/* Waits to be told, then divides by zero. */
TEST_ENTRY(divide_when_told) {
  (void)expect_u64(TAG_GO);
  say("quotient %d", 100 / zero);
}

TEST_ENTRY(return_when_told) { (void)expect_u64(TAG_GO); }

TEST_ENTRY(wait_for_ever) { (void)lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL); }

/* The middle of a chain: links to a leaf that traps, and dies with it (default mode). */
TEST_ENTRY(middle) {
  uint64_t leaf = 0;
  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 99, "crash_when_told", 0, &leaf), 0);
  send_u64(parent, TAG_LEAF, leaf);
  send_u64(leaf, TAG_GO, 0);
  (void)lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  say("FAIL the middle of the chain survived its leaf");
}

/* Expects the next message to be LINK_DIED with `tag` (found through a filter on it). */
static void expect_link_died(lunatic_tag tag) {
  lunatic_message_info info;
  CHECK_EQ(lunatic_receive(&tag, 1, 5000, NULL, 0, &info), LUNATIC_RECEIVE_LINK_DIED);
  CHECK_EQ(info.tag, tag);
  CHECK_EQ(lunatic_raw_message_get_tag(), tag);
}

int main(void) {
  lunatic_die_when_link_dies(false);

  uint64_t child = 0;
  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 77, "crash_when_told", 0, &child), 0);
  send_u64(child, TAG_GO, 0);
  expect_link_died(77);
  say("trapping child %llu: LINK_DIED with tag 77", (unsigned long long)child);

  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 78, "return_when_told", 0, &child), 0);
  lunatic_monitor(child);
  send_u64(child, TAG_GO, 0);
  expect_died(child);
  CHECK_EQ(lunatic_receive(NULL, 0, 100, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("normally ending child: no message");

  child = spawn_ok("divide_when_told", 0);
  lunatic_link(child, 79);
  send_u64(child, TAG_GO, 0);
  expect_link_died(79);
  say("link() after spawn: LINK_DIED with tag 79");

  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 80, "crash_when_told", 0, &child), 0);
  lunatic_unlink(child);
  lunatic_monitor(child);
  send_u64(child, TAG_GO, 0);
  expect_died(child);
  CHECK_EQ(lunatic_receive(NULL, 0, 100, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("unlinked child's trap: no message");

  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 81, "wait_for_ever", 0, &child), 0);
  lunatic_kill(child);
  expect_link_died(81);
  CHECK(!lunatic_exists(child));
  say("killed child: LINK_DIED with tag 81");

  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 82, "middle", 0, &child), 0);
  uint64_t leaf = expect_u64(TAG_LEAF);
  expect_link_died(82);
  say("chain: LINK_DIED with tag 82 after the leaf %llu failed", (unsigned long long)leaf);

  CHECK_EQ(lunatic_receive(NULL, 0, 100, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("links caught: all ok");
  return 0;
}
