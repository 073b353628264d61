/* lunatic::trap::catch in a module that does not export _lunatic_catch_trap: the caller fails,
 * saying why, as upstream.
 *
 * expect-exit: 134
 * expect-stdout: catching without a trampoline
 * expect-stderr: trap: catch: the module exports no function _lunatic_catch_trap
 * expect-stderr+:   at .*
 */
#include "common.h"

int main(void) {
  say("catching without a trampoline");
  uint32_t result = lunatic_raw_trap_catch(0, 0);
  say("FAIL catch returned %u", result);
  return 1;
}
