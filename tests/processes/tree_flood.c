/* A tree of spawns must unfold depth-first, so that few of its processes are alive at once,
 * even after its upper levels have waited long enough to count as aged: 1,111,111
 * processes (a root, 10 children each, 6 levels) in guard-page mode on one worker, where
 * the address space holds only about 16,000 memory reservations at once. Taking every aged
 * fresh process in a row unfolded the rest breadth-first, with hundreds of thousands
 * alive. Each leaf sends its number to its parent; each parent sends the sum up.
 *
 * expect-stdout: sum 499999500000
 * expect-stdout: tree_flood: all ok
 * expect-max-seconds: 25
 */
#include "common.h"

#define LEAVES 1000000

/* Some of the tree's nodes wait for its whole run, which takes minutes under an emulator on a
 * loaded machine: they wait without a limit of their own, and the run's time limit (the
 * harness's, scaled for emulators) catches a tree that never completes. */
static uint64_t expect_sum(void) {
  uint64_t value = 0;
  CHECK_EQ(receive_tag(1, LUNATIC_WAIT_FOREVER, &value, NULL), LUNATIC_RECEIVE_DATA);
  return value;
}

/* arg: this node's first leaf number times 10, plus its level (0 for a leaf). */
TEST_ENTRY(node) {
  int level = arg % 10;
  int64_t first = arg / 10;
  if (level == 0) {
    send_u64(parent, 1, (uint64_t)first);
    return;
  }
  int64_t span = 1;
  for (int i = 1; i < level; ++i) span *= 10;
  for (int i = 0; i < 10; ++i) (void)spawn_ok("node", (int32_t)((first + i * span) * 10 + level - 1));
  uint64_t sum = 0;
  for (int i = 0; i < 10; ++i) sum += expect_sum();
  send_u64(parent, 1, sum);
}

int main(void) {
  (void)spawn_ok("node", 6);
  uint64_t sum = expect_sum();
  CHECK_EQ(sum, (uint64_t)LEAVES * (LEAVES - 1) / 2);
  say("sum %llu", (unsigned long long)sum);
  say("tree_flood: all ok");
  return 0;
}
