/* kill: ends a process blocked in receive, one sleeping, and one spinning in an endless
 * loop (which takes the reduction counting lunaticc compiles in by default); exists() is
 * then false, monitors see the death, and a killed process logs nothing.
 *
 * expect-stdout: killed a process blocked in receive
 * expect-stdout: killed a process sleeping for 100 s in \d+ ms
 * expect-stdout: killed a spinning process in \d+ ms
 * expect-stdout: kill: all ok
 * expect-max-seconds: 8
 */
#include "common.h"

TEST_ENTRY(blocked) {
  (void)lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  say("FAIL the blocked process received something");
}

TEST_ENTRY(sleeper) {
  send_u64(parent, 1, 0);
  lunatic_sleep_ms(100000);
  say("FAIL the sleeper woke up");
}

static volatile uint64_t spins;

TEST_ENTRY(spinner) {
  send_u64(parent, 1, 0);
  for (;;) spins = spins + 1;
}

int main(void) {
  uint64_t child = spawn_ok("blocked", 0);
  lunatic_monitor(child);
  lunatic_sleep_ms(20); /* let it reach its receive */
  CHECK(lunatic_exists(child));
  lunatic_kill(child);
  expect_died(child);
  CHECK(!lunatic_exists(child));
  say("killed a process blocked in receive");

  child = spawn_ok("sleeper", 0);
  lunatic_monitor(child);
  (void)expect_u64(1);
  lunatic_sleep_ms(10);
  int64_t start = now_ms();
  lunatic_kill(child);
  expect_died(child);
  int64_t elapsed = now_ms() - start;
  CHECK(!lunatic_exists(child));
  CHECK(elapsed < 1000);
  say("killed a process sleeping for 100 s in %lld ms", (long long)elapsed);

  child = spawn_ok("spinner", 0);
  lunatic_monitor(child);
  (void)expect_u64(1);
  lunatic_sleep_ms(50); /* it is spinning now */
  CHECK(lunatic_exists(child));
  start = now_ms();
  lunatic_kill(child);
  expect_died(child);
  elapsed = now_ms() - start;
  CHECK(!lunatic_exists(child));
  CHECK(elapsed < 2000);
  say("killed a spinning process in %lld ms", (long long)elapsed);

  CHECK_EQ(lunatic_receive(NULL, 0, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("kill: all ok");
  return 0;
}
