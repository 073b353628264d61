/* The order in which spawned processes first run (scheduler::enqueue), with one worker thread
 * so that the order is exact. Each parent spawns 8 reporters, which tell it their number.
 *
 * - A parent that has not waited for anything yet is unfolding a tree: its children run
 *   newest first (depth-first, so that few of a tree's processes are alive at once).
 * - A parent that has waited is answering events, as a server's acceptor or connection does:
 *   its children run first come, first served, after the newest, which takes the worker's
 *   next slot. Newest first, a steady stream of such children kept the first ones waiting
 *   until the queue drained: a request's tail of hundreds of milliseconds.
 *
 * expect-stdout: tree: 7 6 5 4 3 2 1 0
 * expect-stdout: events: 7 0 1 2 3 4 5 6
 * expect-stdout: spawn_order: all ok
 */
#include "common.h"

enum { TAG_NUMBER = 5, TAG_ORDER = 6, CHILDREN = 8 };

TEST_ENTRY(reporter) { send_u64(parent, TAG_NUMBER, (uint64_t)arg); }

/* Spawns the reporters, then sends `parent` the order they ran in, one decimal digit each. */
static void spawn_and_collect(uint64_t parent) {
  for (int i = 0; i < CHILDREN; ++i) (void)spawn_ok("reporter", i);
  uint64_t order = 0;
  for (int i = 0; i < CHILDREN; ++i) order = order * 10 + expect_u64(TAG_NUMBER);
  send_u64(parent, TAG_ORDER, order);
}

TEST_ENTRY(tree_parent) { spawn_and_collect(parent); }

TEST_ENTRY(event_parent) {
  lunatic_sleep_ms(1); /* waits, as for a connection's next request */
  spawn_and_collect(parent);
}

static void report(const char* what, uint64_t order) {
  char digits[2 * CHILDREN + 1] = {0};
  for (int i = CHILDREN - 1; i >= 0; --i, order /= 10) {
    digits[2 * i] = (char)('0' + order % 10);
    digits[2 * i + 1] = i == CHILDREN - 1 ? '\0' : ' ';
  }
  say("%s: %s", what, digits);
}

int main(void) {
  (void)spawn_ok("tree_parent", 0);
  report("tree", expect_u64(TAG_ORDER));
  (void)spawn_ok("event_parent", 0);
  report("events", expect_u64(TAG_ORDER));
  say("spawn_order: all ok");
  return 0;
}
