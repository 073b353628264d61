/* Counted loops still run out of fuel: a process with max_fuel 1 (100,000 reductions) that
 * runs long loops of exact trip count (the shapes reduction-check versioning and
 * strip-mining rewrite: passes/preemption) dies of it before one pass ends, whatever the
 * loop's shape: a store loop, a loop with a value live out, and a 2-D nest. Each pass of
 * 2^20 iterations charges at least one reduction an iteration; a rewritten loop that ran
 * iterations it had not paid for would let a pass finish.
 *
 * expect-stdout: fill: died of fuel after 0 passes
 * expect-stdout: sum: died of fuel after 0 passes
 * expect-stdout: rows: died of fuel after 0 passes
 * expect-stdout: fuel_counted_loops: all ok
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 */
#include "common.h"

enum { TAG_PASS = 1, PASSES = 10000, N = 1 << 20, ROWS = 1024, COLS = N / ROWS };

static uint32_t cells[N];
static uint32_t grid[ROWS][COLS];
static volatile uint32_t sink;

TEST_ENTRY(fill) {
  for (uint64_t pass = 1; pass <= PASSES; ++pass) {
    for (uint32_t i = 0; i < N; ++i) cells[i] = cells[i] * 3 + (uint32_t)pass;
    send_u64(parent, TAG_PASS, pass);
  }
}

TEST_ENTRY(sum) {
  for (uint64_t pass = 1; pass <= PASSES; ++pass) {
    uint32_t total = 0;
    for (uint32_t i = 0; i < N; ++i) total += cells[i] ^ (uint32_t)pass;
    sink = total;
    send_u64(parent, TAG_PASS, pass);
  }
}

TEST_ENTRY(rows) {
  for (uint64_t pass = 1; pass <= PASSES; ++pass) {
    for (uint32_t r = 1; r < ROWS; ++r)
      for (uint32_t c = 0; c < COLS; ++c) grid[r][c] = grid[r - 1][c] + (uint32_t)pass;
    send_u64(parent, TAG_PASS, pass);
  }
}

int main(void) {
  lunatic_config_id config = lunatic_config_create();
  CHECK(config != -1);
  lunatic_config_set_max_fuel(config, 1);
  const char* entries[] = {"fill", "sum", "rows"};
  for (int k = 0; k < 3; ++k) {
    uint64_t child = 0;
    CHECK_EQ(spawn_child(config, 0, entries[k], 0, &child), 0);
    lunatic_monitor(child);
    uint64_t passes = 0;
    for (;;) {
      uint64_t value = 0;
      lunatic_message_info info;
      lunatic_receive_status status = receive_tag(0, 20000, &value, &info);
      if (status == LUNATIC_RECEIVE_PROCESS_DIED) break;
      CHECK_EQ(status, LUNATIC_RECEIVE_DATA);
      CHECK_EQ(info.tag, TAG_PASS);
      passes = value;
    }
    CHECK(!lunatic_exists(child));
    say("%s: died of fuel after %llu passes", entries[k], (unsigned long long)passes);
  }
  say("fuel_counted_loops: all ok");
  return 0;
}
