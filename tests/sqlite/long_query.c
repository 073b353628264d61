/* A long SQLite query behaves as a long loop of guest code would: a kill ends it within a time
 * slice, not when the query is done; its steps count against the process's fuel, which ends
 * it; and meanwhile the other processes on its only worker keep running (ctest runs this with
 * LUNATIC_THREADS=1). Each query alone would run for minutes.
 *
 * expect-stdout: killed: the querying process died in \d+ ms
 * expect-stdout: fuel: the querying process of (?P<fuel>\d+) died in \d+ ms
 * expect-stdout: after: a new query answers 10
 * expect-stdout: long query: all ok
 * expect-stderr: lunatic: process {{fuel}} failed: out of fuel( at .*)?
 * expect-max-seconds: 30
 */
#include "sqlite_test.h"

enum { TAG_STARTED = 21, TAG_PONG = 22, TAG_PING = 23 };

static const char* const kEndless =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000000) "
    "SELECT count(*) FROM c";

TEST_ENTRY(query_for_ever) {
  uint64_t db = db_open_ok(":memory:");
  send_u64(parent, TAG_STARTED, 0);
  (void)db_integer(db, kEndless);
  say("FAIL the endless query ended");
}

/* Answers pings: it runs only if the query leaves the worker to others. */
TEST_ENTRY(ponger) {
  for (;;) send_u64(parent, TAG_PONG, expect_u64(TAG_PING) + 1);
}

/* Spawns query_for_ever under `config`, checks that a ping is answered while it queries, and
 * returns its id, monitored. */
static uint64_t start_query(lunatic_config_id config, uint64_t ponger) {
  uint64_t id = 0;
  CHECK_EQ(spawn_child(config, 0, "query_for_ever", 0, &id), 0);
  lunatic_monitor(id);
  (void)expect_u64(TAG_STARTED);
  lunatic_sleep_ms(20);  /* into the query */
  send_u64(ponger, TAG_PING, 1);
  CHECK_EQ(expect_u64(TAG_PONG), 2);
  return id;
}

int main(void) {
  uint64_t ponger = spawn_ok("ponger", 0);

  uint64_t killed = start_query(LUNATIC_CONFIG_INHERIT, ponger);
  int64_t start = now_ms();
  lunatic_kill(killed);
  expect_died(killed);
  say("killed: the querying process died in %lld ms", (long long)(now_ms() - start));

  lunatic_config_id config = lunatic_config_create();
  lunatic_config_set_max_fuel(config, 5000); /* 500 million reductions: about 10 million steps */
  lunatic_config_set_can_spawn_processes(config, 1);
  start = now_ms();
  uint64_t fueled = start_query(config, ponger);
  expect_died(fueled);
  say("fuel: the querying process of %llu died in %lld ms", (unsigned long long)fueled,
      (long long)(now_ms() - start));

  uint64_t db = db_open_ok(":memory:");
  say("after: a new query answers %lld",
      (long long)db_integer(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) "
                                "SELECT count(*) FROM c"));
  say("long query: all ok");
  return 0;
}
