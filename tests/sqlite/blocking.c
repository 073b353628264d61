/* A long SQLite call runs off the worker thread: with one worker, another process keeps
 * running (a timer ticks) while a query takes most of a second.
 *
 * env: LUNATIC_THREADS=1
 * expect-stdout: query: 3000000
 * expect-stdout: the other process ran during the query
 * expect-stdout: blocking: all ok
 */
#include "sqlite_test.h"

enum { TAG_TICK = 11, TAG_STOP = 12 };

/* Counts in a loop, yielding between counts, until told to stop; then sends the count. */
TEST_ENTRY(ticker) {
  uint64_t ticks = 0;
  for (;;) {
    lunatic_message_info info;
    if (lunatic_receive((const int64_t[]){TAG_STOP}, 1, 1, NULL, 0, &info) == LUNATIC_RECEIVE_DATA) break;
    ++ticks;
  }
  send_u64(parent, TAG_TICK, ticks);
}

int main(void) {
  uint64_t db = db_open_ok(":memory:");
  uint64_t ticker_id = spawn_ok("ticker", 0);
  /* The ticker gets going before the query starts. */
  lunatic_sleep_ms(50);
  int64_t before = now_ms();
  int64_t n = db_integer(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) "
                             "SELECT count(*) FROM c");
  int64_t took = now_ms() - before;
  say("query: %lld", (long long)n);
  send_u64(ticker_id, TAG_STOP, 0);
  uint64_t ticks = expect_u64(TAG_TICK);
  /* Each tick waits 1 ms for a message; the query took `took` ms. Had the query held the
   * only worker, the ticker would have counted at most the ticks of the 50 ms before it. */
  if (ticks > 50 + (uint64_t)took / 4) say("the other process ran during the query");
  else say("FAIL only %llu ticks in %lld ms of query", (unsigned long long)ticks, (long long)took);
  say("blocking: all ok");
  return 0;
}
