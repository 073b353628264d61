/* A kill that reaches a process while it is running must end it at its next yield point or
 * park. Here the process kills itself without dying on the spot: it links to a process id
 * that does not exist while in the default mode, which (docs/abi.md, Deviations) behaves as
 * if that link had just failed, so the process must die. It then waits in receive.
 *
 * expect-stdout: the process linked to an unknown id died in \d+ ms
 * expect-stdout: kill while running: all ok
 */
#include "common.h"

TEST_ENTRY(link_then_wait) {
  lunatic_link((uint64_t)1 << 40, 5);
  (void)lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  say("FAIL link_then_wait received a message");
}

int main(void) {
  uint64_t id = spawn_ok("link_then_wait", 0);
  lunatic_monitor(id);
  int64_t start = now_ms();
  lunatic_message_info info;
  lunatic_receive_status status = lunatic_receive(NULL, 0, 2000, NULL, 0, &info);
  if (status != LUNATIC_RECEIVE_PROCESS_DIED) {
    say("FAIL no PROCESS_DIED within 2 s (receive returned %d); the process exists: %d", (int)status,
        (int)lunatic_exists(id));
    return 1;
  }
  CHECK_EQ(info.process, id);
  say("the process linked to an unknown id died in %lld ms", (long long)(now_ms() - start));
  say("kill while running: all ok");
  return 0;
}
