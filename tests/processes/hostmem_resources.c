/* Loops creating resources (issue 22: configs created in a loop ended the whole program
 * with std::bad_alloc under a memory limit). Configs, error values and pending timers count
 * against the host memory budget of their process (timers: of the process they will deliver
 * to, as messages do): a child that creates one of them in a loop, keeping each, fails at its
 * budget, and the root carries on after each.
 *
 * expect-stdout: creating configs: (?P<c>\d+) failed
 * expect-stdout: creating error values: (?P<e>\d+) failed
 * expect-stdout: creating timers: (?P<t>\d+) failed
 * expect-stdout: the root carried on: a new process answered 42
 * expect-stdout: resources: all ok
 * expect-stderr: lunatic: process {{c}} failed: create_config: over the process's host memory budget: it holds \d+ bytes and needs \d+ more, of max_host_memory \d+ at .*\bconfigs_in_a_loop\b.*
 * expect-stderr: lunatic: process {{e}} failed: over its host memory budget: it holds \d+ bytes \(mailbox, timers, names, resources\) of max_host_memory \d+ at .*\berrors_in_a_loop\b.*
 * expect-stderr: lunatic: process {{t}} failed: over its host memory budget: it holds \d+ bytes \(mailbox, timers, names, resources\) of max_host_memory \d+ at .*\btimers_in_a_loop\b.*
 * expect-max-seconds: 60
 */
#include "common.h"

enum { kGiveUp = 2 * 1000 * 1000 };

TEST_ENTRY(configs_in_a_loop) {
  for (int n = 0; n < kGiveUp; ++n) CHECK(lunatic_config_create() >= 0);
  say("FAIL created %d configs", kGiveUp);
}

/* Each refused spawn (a module that does not exist) gives an error value, never dropped. */
TEST_ENTRY(errors_in_a_loop) {
  for (int n = 0; n < kGiveUp; ++n) {
    uint64_t error = 0;
    CHECK_EQ(lunatic_raw_process_spawn(0, LUNATIC_CONFIG_INHERIT, 12345, "answer_plus_one", 15, NULL, 0, &error), 1);
  }
  say("FAIL created %d error values", kGiveUp);
}

/* Timers an hour away, each with an empty message to itself. */
TEST_ENTRY(timers_in_a_loop) {
  for (int n = 0; n < kGiveUp; ++n) lunatic_send_after(lunatic_self(), 7, NULL, 0, 3600 * 1000);
  say("FAIL created %d timers", kGiveUp);
}

ANSWERING_ENTRY

int main(void) {
  expect_failure_of("configs_in_a_loop", "creating configs");
  expect_failure_of("errors_in_a_loop", "creating error values");
  expect_failure_of("timers_in_a_loop", "creating timers");
  say("the root carried on: a new process answered %llu", (unsigned long long)new_process_answers());
  say("resources: all ok");
  return 0;
}
