/* spawn with a non-zero link tag: "the parent's side carries link, the child's side no tag.
 * So the parent gets link back when the child fails; a child that catches link deaths gets
 * tag 0 when the parent fails" (docs/abi.md, Links and link tags; upstream Lunatic 0.13).
 * Here a middle process spawns a catching child linked with tag 90, then traps; the child
 * reports the tag of the LINK_DIED message it got.
 *
 * expect-stdout: the child got LINK_DIED with tag 0
 * expect-stderr: lunatic: process \d+ failed: unreachable at .*
 */
#include "common.h"

TEST_ENTRY(catcher) {
  lunatic_die_when_link_dies(false);
  send_u64(parent, 1, 0); /* ready: tell the middle process to trap */
  lunatic_message_info info;
  CHECK_EQ(lunatic_receive(NULL, 0, 5000, NULL, 0, &info), LUNATIC_RECEIVE_LINK_DIED);
  send_u64((uint64_t)arg, 2, (uint64_t)info.tag);
}

TEST_ENTRY(middle) {
  uint64_t child = 0;
  uint8_t params[2 * LUNATIC_PARAM_SIZE];
  param_i64(params, (int64_t)lunatic_self());
  lunatic_param_i32(params + LUNATIC_PARAM_SIZE, (int32_t)parent); /* the root, for the report */
  CHECK_EQ(lunatic_raw_process_spawn(90, -1, -1, "catcher", 7, params, sizeof params, &child), 0);
  (void)expect_u64(1);
  __builtin_trap();
}

int main(void) {
  CHECK(lunatic_self() < 0x7FFFFFFF); /* passed to the catcher as an i32 */
  (void)spawn_ok("middle", 0);
  uint64_t tag = expect_u64(2);
  say("the child got LINK_DIED with tag %llu", (unsigned long long)tag);
  CHECK_EQ(tag, 0);
  return 0;
}
