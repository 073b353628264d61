/* Preemption: run with LUNATIC_THREADS=1, so one worker thread runs every process. Spinners
 * in endless loops must not keep a ticker (which sleeps 10 ms, 20 times) or the root from
 * running: reduction counting makes them yield, and timers fire meanwhile.
 *
 * expect-stdout: ticker done: 20 ticks in (?P<ms>\d+) ms while 2 spinners spun
 * expect-stdout: spinners made progress too: \d+ reports, \d+ rounds
 * expect-stdout: fairness: all ok
 * expect-max-seconds: 8
 */
#include "common.h"

static volatile uint64_t spins;

TEST_ENTRY(spinner) {
  send_u64(parent, 1, 0);
  for (;;) spins = spins + 1;
}

/* Spins too, but reports every 2^20 rounds: shows the spinners get their turns as well. */
TEST_ENTRY(reporting_spinner) {
  send_u64(parent, 1, 0);
  for (uint64_t i = 1;; ++i) {
    spins = spins + 1;
    if ((i & ((1u << 20) - 1)) == 0) send_u64(parent, 3, i);
  }
}

TEST_ENTRY(ticker) {
  int64_t start = now_ms();
  for (int i = 0; i < 20; ++i) lunatic_sleep_ms(10);
  send_u64(parent, 2, (uint64_t)(now_ms() - start));
}

int main(void) {
  uint64_t s1 = spawn_ok("spinner", 0), s2 = spawn_ok("reporting_spinner", 0);
  (void)expect_u64(1);
  (void)expect_u64(1);
  (void)spawn_ok("ticker", 0);
  uint64_t ms = 0;
  lunatic_message_info info;
  CHECK_EQ(receive_tag(2, 5000, &ms, &info), LUNATIC_RECEIVE_DATA);
  CHECK(ms >= 200);
  CHECK(ms < 3000);
  say("ticker done: 20 ticks in %llu ms while 2 spinners spun", (unsigned long long)ms);
  CHECK(lunatic_exists(s1) && lunatic_exists(s2));
  CHECK_EQ(spins, 0); /* the root's own copy: each process has its own memory */
  uint64_t reports = 0, last = 0, rounds = 0;
  while (receive_tag(3, 0, &rounds, &info) == LUNATIC_RECEIVE_DATA) {
    CHECK(rounds > last);
    last = rounds;
    ++reports;
  }
  CHECK(reports > 0);
  say("spinners made progress too: %llu reports, %llu rounds", (unsigned long long)reports,
      (unsigned long long)last);
  lunatic_kill(s1);
  lunatic_kill(s2);
  say("fairness: all ok");
  return 0;
}
