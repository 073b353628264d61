/* A trap in the root process ends the program with status 134 (like an abort), printing
 * `trap: <kind>` and a backtrace of guest function names on stderr, innermost first (the
 * function that divides, or main if lunaticc inlined it there), while another process is
 * still running.
 *
 * expect-exit: 134
 * expect-stdout: dividing by zero in the root
 * expect-stderr: trap: integer divide by zero
 * expect-stderr:   at (compute_ratio|__original_main)\b.*
 * expect-stderr+:   at .*
 */
#include "common.h"

static volatile int zero = 0;

TEST_ENTRY(idle) { (void)lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL); }

__attribute__((noinline)) int compute_ratio(int a) { return a / zero; }

int main(void) {
  (void)spawn_ok("idle", 0);
  say("dividing by zero in the root");
  say("FAIL ratio %d", compute_ratio(7));
  return 0;
}
