/* A kill inside lunatic::trap::catch is not a trap: the root killing itself inside catch ends
 * the program as a killed process does (status 137), and nothing after the catch runs.
 *
 * expect-exit: 137
 * expect-stdout: killing itself inside catch
 */
#include "common.h"

LUNATIC_CATCH_TRAMPOLINE

static uint32_t kill_self(uint32_t arg) {
  say("killing itself inside catch");
  lunatic_kill(lunatic_self());
  return arg;
}

int main(void) {
  uint32_t result = lunatic_catch(kill_self, 7);
  say("FAIL catch returned %u after a kill", result);
  return 1;
}
