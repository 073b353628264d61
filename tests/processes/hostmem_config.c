/* The host memory budget of a config (lunatic::process::config_set_max_host_memory, this
 * runtime's extension, docs/abi.md "Extensions"): a new config has its creator's, a setter
 * clamps to it, and a child spawned from the config fails past it: building a message, or
 * receiving one huge message that fits its sender's budget but not its own (the receiver
 * pays for what is queued for it).
 *
 * expect-stdout: a new config's max_host_memory: 16777216, the creator's
 * expect-stdout: set to 1 TiB it reads 16777216; set to 1 MiB it reads 1048576
 * expect-stdout: the child built 768 KiB
 * expect-stdout: a child with 1 MiB, (?P<c>\d+), built 768 KiB and failed before 1 MiB
 * expect-stdout: a message of 4 MiB from the root ended a child with 1 MiB, (?P<r>\d+); the root carried on
 * expect-stdout: host memory config: all ok
 * expect-stderr: lunatic: process {{c}} failed: write_data: over the process's host memory budget: it holds \d+ bytes and needs \d+ more, of max_host_memory 1048576 at .*\bbuilder\b.*
 * expect-stderr: lunatic: process {{r}} failed: over its host memory budget: it holds \d+ bytes \(mailbox, timers, names, resources\) of max_host_memory 1048576 at .*\bnever_reads\b.*
 */
#include "common.h"

enum { TAG_REPORT = 1, TAG_READY = 3, TAG_NEVER = 99, kKiB = 1024 };
static uint8_t chunk[256 * kKiB];

/* Writes 256 KiB at a time into one message: reports 768 KiB, then goes on towards 2 MiB. */
TEST_ENTRY(builder) {
  lunatic_raw_message_create_data(0, 0);
  for (int i = 0; i < 3; ++i) lunatic_raw_message_write_data(chunk, sizeof chunk);
  say("the child built 768 KiB");
  for (int i = 3; i < 8; ++i) lunatic_raw_message_write_data(chunk, sizeof chunk);
  say("FAIL the child built 2 MiB");
}

TEST_ENTRY(never_reads) {
  send_u64(parent, TAG_READY, 0);
  lunatic_tag tag = TAG_NEVER;
  lunatic_receive(&tag, 1, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  say("FAIL never_reads received a message");
}

static uint64_t spawn_monitored(lunatic_config_id config, const char* entry) {
  uint64_t id = 0;
  CHECK_EQ(spawn_child(config, 0, entry, 0, &id), 0);
  lunatic_monitor(id);
  return id;
}

int main(void) {
  lunatic_config_id config = lunatic_config_create();
  say("a new config's max_host_memory: %llu, the creator's",
      (unsigned long long)lunatic_config_max_host_memory(config));
  lunatic_config_set_max_host_memory(config, 1ull << 40);
  uint64_t clamped = lunatic_config_max_host_memory(config);
  lunatic_config_set_max_host_memory(config, 1 << 20);
  say("set to 1 TiB it reads %llu; set to 1 MiB it reads %llu", (unsigned long long)clamped,
      (unsigned long long)lunatic_config_max_host_memory(config));

  uint64_t builder = spawn_monitored(config, "builder");
  expect_died(builder);
  say("a child with 1 MiB, %llu, built 768 KiB and failed before 1 MiB", (unsigned long long)builder);

  uint64_t receiver = spawn_monitored(config, "never_reads");
  (void)expect_u64(TAG_READY);
  static uint8_t big[4 << 20];
  lunatic_send(receiver, 1, big, sizeof big);
  expect_died(receiver);
  say("a message of 4 MiB from the root ended a child with 1 MiB, %llu; the root carried on",
      (unsigned long long)receiver);
  lunatic_config_drop(config);
  say("host memory config: all ok");
  return 0;
}
