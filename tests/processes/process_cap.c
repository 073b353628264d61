/* A cap on processes alive at once (issue 22: in the bounds-checked mode nothing stopped
 * spawning until the kernel's OOM killer ended everything). Past LUNATIC_MAX_PROCESSES (20
 * here, the root included) spawn returns an error id, as it does when guard-page mode runs
 * out of address space; once a process ends, spawning works again.
 *
 * expect-stdout: 19 processes beside the root, then spawn returned 1: too many processes alive: LUNATIC_MAX_PROCESSES allows 20
 * expect-stdout: after one ended, spawn succeeded again
 * expect-stdout: process cap: all ok
 */
#include "common.h"

enum { TAG_GO = 1, kGiveUp = 1000 };

TEST_ENTRY(wait_for_go) { (void)expect_u64(TAG_GO); }

static uint64_t children[kGiveUp];

int main(void) {
  int alive = 0;
  uint64_t out = 0;
  uint32_t status;
  while ((status = spawn_child(LUNATIC_CONFIG_INHERIT, 0, "wait_for_go", 0, &out)) == 0) {
    children[alive++] = out;
    if (alive == kGiveUp) {
      say("FAIL spawned %d processes without a refusal", kGiveUp);
      return 1;
    }
  }
  CHECK_EQ(status, 1);
  char text[200];
  say("%d processes beside the root, then spawn returned 1: %s", alive, error_text(out, text, sizeof text));

  lunatic_monitor(children[0]);
  send_u64(children[0], TAG_GO, 0);
  expect_died(children[0]);
  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 0, "wait_for_go", 0, &children[0]), 0);
  say("after one ended, spawn succeeded again");
  for (int i = 0; i < alive; ++i) send_u64(children[i], TAG_GO, 0);
  say("process cap: all ok");
  return 0;
}
