/* When the system refuses memory before any budget does (run under a 256 MiB memory limit,
 * RLIMIT_DATA, with a budget of 8 GiB): a failed allocation in a host function fails the
 * process that called it, never the program (issue 22: it ended with std::bad_alloc).
 * Small allocations (configs created in a loop) are finished from an emergency reserve and
 * the process fails as the call returns; one too large for the reserve (a message grown to
 * hundreds of MiB) fails it at once. The reserve is restored as processes end, so the same
 * attack a second time fails the same way, and the root carries on.
 *
 * expect-stdout: configs until the system refused: (?P<a>\d+) failed
 * expect-stdout: a message until the system refused: (?P<b>\d+) failed
 * expect-stdout: configs until the system refused: (?P<c>\d+) failed
 * expect-stdout: the root carried on: a new process answered 42
 * expect-stdout: system limit: all ok
 * expect-stderr: lunatic: process {{a}} failed: the host is out of memory \(an allocation of a host function failed\) at .*\bconfigs_in_a_loop\b.*
 * expect-stderr: lunatic: process {{b}} failed: the host is out of memory \(an allocation of a host function failed\) at .*\bbuild_huge\b.*
 * expect-stderr: lunatic: process {{c}} failed: the host is out of memory \(an allocation of a host function failed\) at .*\bconfigs_in_a_loop\b.*
 * expect-max-seconds: 60
 */
#include "common.h"

enum { kGiveUp = 20 * 1000 * 1000, kChunk = 1 << 20, kGiveUpMiB = 1024 };
static uint8_t chunk[kChunk];

TEST_ENTRY(configs_in_a_loop) {
  for (int n = 0; n < kGiveUp; ++n) CHECK(lunatic_config_create() >= 0);
  say("FAIL created %d configs", kGiveUp);
}

TEST_ENTRY(build_huge) {
  lunatic_raw_message_create_data(0, 0);
  for (int mib = 0; mib < kGiveUpMiB; ++mib) lunatic_raw_message_write_data(chunk, kChunk);
  say("FAIL built a message of %d MiB", kGiveUpMiB);
}

ANSWERING_ENTRY

int main(void) {
  expect_failure_of("configs_in_a_loop", "configs until the system refused");
  expect_failure_of("build_huge", "a message until the system refused");
  expect_failure_of("configs_in_a_loop", "configs until the system refused");
  say("the root carried on: a new process answered %llu", (unsigned long long)new_process_answers());
  say("system limit: all ok");
  return 0;
}
