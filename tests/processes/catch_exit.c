/* An exit inside lunatic::trap::catch is not a trap: it ends the program with its status, as
 * upstream, and nothing after the catch runs.
 *
 * expect-exit: 7
 * expect-stdout: exiting inside catch
 */
#include "common.h"

LUNATIC_CATCH_TRAMPOLINE

static uint32_t exit_seven(uint32_t arg) {
  say("exiting inside catch");
  exit((int)arg);
}

int main(void) {
  uint32_t result = lunatic_catch(exit_seven, 7);
  say("FAIL catch returned %u after an exit", result);
  return 1;
}
