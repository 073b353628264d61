/* One huge message (issue 22: under a memory limit it ended the whole program with
 * std::bad_alloc). The message a process builds counts against its own host memory budget
 * (max_host_memory: LUNATIC_MAX_HOST_MEMORY here, or the default a memory limit gives): a
 * child that writes 1 MiB at a time into one message fails when the message passes its
 * budget, and the root carries on.
 *
 * expect-stdout: the builder (?P<b>\d+) failed
 * expect-stdout: the root carried on: a new process answered 42
 * expect-stdout: huge message: all ok
 * expect-stderr: lunatic: process {{b}} failed: write_data: over the process's host memory budget: it holds \d+ bytes and needs \d+ more, of max_host_memory \d+ at .*\bbuild_huge\b.*
 * expect-max-seconds: 30
 */
#include "common.h"

enum { kChunk = 1 << 20, kGiveUpMiB = 256 };
static uint8_t chunk[kChunk];

TEST_ENTRY(build_huge) {
  memset(chunk, 0x5a, sizeof chunk);
  lunatic_raw_message_create_data(0, 0);
  for (int mib = 0; mib < kGiveUpMiB; ++mib) lunatic_raw_message_write_data(chunk, kChunk);
  say("FAIL built a message of %d MiB", kGiveUpMiB);
}

ANSWERING_ENTRY

int main(void) {
  uint64_t builder = run_until_it_ends("build_huge", 0, 60000);
  say("the builder %llu failed", (unsigned long long)builder);
  say("the root carried on: a new process answered %llu", (unsigned long long)new_process_answers());
  say("huge message: all ok");
  return 0;
}
