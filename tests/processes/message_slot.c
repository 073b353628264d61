/* The message slot (docs/abi.md, Messages): "Each process has one message slot. create_data
 * puts a new, empty data message in it, dropping whatever was there; ... receive puts the
 * received message in the same slot, where read_data, seek_data, data_size, get_tag ...
 * read it", and "every function but create_data and receive traps on an empty slot" (as
 * upstream, whose functions fail on an empty scratch area).
 *
 * expect-stdout: data_size on an empty slot: (?P<child>\d+) died
 * expect-stdout: after create_data the slot holds the new message: tag 9, size 0, then 2
 * expect-stdout: message slot: all ok
 * expect-stderr: lunatic: process {{child}} failed: data_size: .* at .*
 */
#include "common.h"

TEST_ENTRY(size_of_nothing) {
  uint64_t size = lunatic_raw_message_data_size();
  say("FAIL data_size on an empty slot returned %llu", (unsigned long long)size);
}

int main(void) {
  /* First the empty slot, in a child, so that both parts are seen when both fail. */
  uint64_t child = spawn_ok("size_of_nothing", 0);
  lunatic_monitor(child);
  expect_died(child);
  say("data_size on an empty slot: %llu died", (unsigned long long)child);

  lunatic_send(lunatic_self(), 5, "abc", 3);
  CHECK_EQ(lunatic_raw_message_receive(NULL, 0, 1000), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(lunatic_raw_message_get_tag(), 5);
  CHECK_EQ(lunatic_raw_message_data_size(), 3);
  lunatic_raw_message_create_data(9, 0);
  CHECK_EQ(lunatic_raw_message_get_tag(), 9);
  CHECK_EQ(lunatic_raw_message_data_size(), 0);
  lunatic_raw_message_write_data("xy", 2);
  CHECK_EQ(lunatic_raw_message_data_size(), 2);
  say("after create_data the slot holds the new message: tag 9, size 0, then 2");

  say("message slot: all ok");
  return 0;
}
