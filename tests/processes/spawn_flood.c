/* A process that spawns in a loop, faster than anything else runs, must yield to its
 * children often enough that they end and give their memories back: 50,000 short-lived
 * children in guard-page mode on one worker, where the address space holds only about
 * 16,000 memory reservations at once. Each child sends one message and ends.
 *
 * expect-stdout: 50000 spawned and heard from in \d+ ms
 * expect-stdout: spawn_flood: all ok
 */
#include "common.h"

#define COUNT 50000

TEST_ENTRY(child) { send_u64(parent, 1, (uint64_t)arg); }

int main(void) {
  int64_t start = now_ms();
  for (int i = 0; i < COUNT; ++i) (void)spawn_ok("child", i);
  uint64_t sum = 0;
  for (int i = 0; i < COUNT; ++i) sum += expect_u64(1);
  CHECK_EQ(sum, (uint64_t)COUNT * (COUNT - 1) / 2);
  say("%d spawned and heard from in %lld ms", COUNT, (long long)(now_ms() - start));
  say("spawn_flood: all ok");
  return 0;
}
