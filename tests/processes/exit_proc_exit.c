/* proc_exit(3) in the root process ends the program at once with status 3, although other
 * processes still run (one spinning, one blocked in receive).
 *
 * expect-exit: 3
 * expect-stdout: calling proc_exit\(3\) with 2 processes still running
 * expect-max-seconds: 3
 */
#include <wasi/api.h>

#include "common.h"

static volatile uint64_t spins;

TEST_ENTRY(spinner) {
  send_u64(parent, 1, 0);
  for (;;) spins = spins + 1;
}

TEST_ENTRY(idle) {
  send_u64(parent, 1, 0);
  (void)lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
}

int main(void) {
  (void)spawn_ok("spinner", 0);
  (void)spawn_ok("idle", 0);
  (void)expect_u64(1);
  (void)expect_u64(1);
  say("calling proc_exit(3) with 2 processes still running");
  __wasi_proc_exit(3);
  say("FAIL proc_exit returned");
  return 1;
}
