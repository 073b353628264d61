/* The root process killing itself ends the program as a killed process does: status 137,
 * and nothing on stderr.
 *
 * expect-exit: 137
 * expect-stdout: root \d+ kills itself
 */
#include "common.h"

int main(void) {
  say("root %llu kills itself", (unsigned long long)lunatic_self());
  lunatic_kill(lunatic_self());
  say("FAIL the root survived killing itself");
  return 1;
}
