/* A linked child that traps kills its parent, which has not asked to catch link deaths (the
 * default): the root process here dies, so the program exits as a killed root does (137).
 * The child's trap is logged; the root's end by a link is not.
 *
 * expect-exit: 137
 * expect-stdout: linked child (?P<child>\d+) spawned, root waiting
 * expect-stderr: lunatic: process {{child}} failed: unreachable at .*\bcrash_when_told\b.*
 */
#include "common.h"

TEST_ENTRY(crash_when_told) {
  (void)expect_u64(1);
  __builtin_trap();
}

int main(void) {
  uint64_t child = 0;
  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 5, "crash_when_told", 0, &child), 0);
  say("linked child %llu spawned, root waiting", (unsigned long long)child);
  send_u64(child, 1, 0);
  lunatic_receive_status status = lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  say("FAIL the root survived its linked child's trap (receive returned %d)", (int)status);
  return 1;
}
