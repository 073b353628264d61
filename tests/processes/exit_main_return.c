/* The root process returning from main ends the program with status 0 at once, although
 * another process is spinning for ever and one is sleeping for 100 s.
 *
 * expect-stdout: returning from main with 2 processes still running
 * expect-max-seconds: 3
 */
#include "common.h"

static volatile uint64_t spins;

TEST_ENTRY(spinner) {
  send_u64(parent, 1, 0);
  for (;;) spins = spins + 1;
}

TEST_ENTRY(sleeper) {
  send_u64(parent, 1, 0);
  lunatic_sleep_ms(100000);
}

int main(void) {
  (void)spawn_ok("spinner", 0);
  (void)spawn_ok("sleeper", 0);
  (void)expect_u64(1);
  (void)expect_u64(1);
  say("returning from main with 2 processes still running");
  return 0;
}
