/* A long SQLite call does not hold the worker: with one worker (ctest runs this with
 * LUNATIC_THREADS=1), another process keeps running (ticks) while a query takes most of a
 * second.
 *
 * expect-stdout: query: 3000000
 * expect-stdout: the other process ran during the query
 * expect-stdout: blocking: all ok
 */
#include "sqlite_test.h"

enum { TAG_TICKS = 11, TAG_ASK = 12, TAG_STOP = 13 };

/* Counts in a loop, waiting 1 ms for a message between counts; answers TAG_ASK with its count
 * so far, and TAG_STOP with its count, and then ends. */
TEST_ENTRY(ticker) {
  uint64_t ticks = 0;
  for (;;) {
    lunatic_message_info info;
    if (lunatic_receive((const int64_t[]){TAG_ASK, TAG_STOP}, 2, 1, NULL, 0, &info) == LUNATIC_RECEIVE_DATA) {
      send_u64(parent, TAG_TICKS, ticks);
      if (info.tag == TAG_STOP) return;
    }
    ++ticks;
  }
}

int main(void) {
  uint64_t db = db_open_ok(":memory:");
  uint64_t ticker_id = spawn_ok("ticker", 0);
  send_u64(ticker_id, TAG_ASK, 0);
  uint64_t before = expect_u64(TAG_TICKS);
  int64_t start = now_ms();
  int64_t n = db_integer(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) "
                             "SELECT count(*) FROM c");
  int64_t took = now_ms() - start;
  say("query: %lld", (long long)n);
  send_u64(ticker_id, TAG_STOP, 0);
  uint64_t during = expect_u64(TAG_TICKS) - before;
  /* Had the query held the only worker, the ticker could not have counted while it ran. At
   * least a tick per 20 ms of query, a margin for a loaded machine. */
  if (during >= 2 && during > (uint64_t)took / 20) say("the other process ran during the query");
  else say("FAIL only %llu ticks in %lld ms of query", (unsigned long long)during, (long long)took);
  say("blocking: all ok");
  return 0;
}
