/* The process cap when it is large (LUNATIC_MAX_PROCESSES=65536, run in the bounds-checked
 * mode): workers then take slots from the shared count in batches, so spawn may be refused
 * a little before the cap (at most 64 slots a worker), but never past it.
 *
 * expect-stdout: spawn refused after (?P<n>\d+) processes alive, within 128 of the cap of 65536: too many processes alive: LUNATIC_MAX_PROCESSES allows 65536
 * expect-stdout: process cap, batched: all ok
 * expect-max-seconds: 60
 */
#include "common.h"

enum { TAG_GO = 1, kCap = 65536, kGiveUp = kCap + 1000 };

/* Without a time limit: a child that gave up early would free its slot and let the root
 * count more processes alive than there are (spawning 65,536 takes far longer than any
 * short limit under an emulator). The program ends with the root, which sends to them all. */
TEST_ENTRY(wait_for_go) {
  uint64_t value = 0;
  lunatic_message_info info;
  CHECK_EQ(receive_tag(TAG_GO, LUNATIC_WAIT_FOREVER, &value, &info), LUNATIC_RECEIVE_DATA);
}

static uint64_t children[kGiveUp];

int main(void) {
  int alive = 1;  /* the root */
  uint64_t out = 0;
  uint32_t status;
  while ((status = spawn_child(LUNATIC_CONFIG_INHERIT, 0, "wait_for_go", 0, &out)) == 0) {
    children[alive++ - 1] = out;
    CHECK(alive <= kCap);
  }
  CHECK_EQ(status, 1);
  CHECK(alive >= kCap - 128);
  char text[200];
  say("spawn refused after %d processes alive, within 128 of the cap of %d: %s", alive, kCap,
      error_text(out, text, sizeof text));
  for (int i = 0; i < alive - 1; ++i) send_u64(children[i], TAG_GO, 0);
  say("process cap, batched: all ok");
  return 0;
}
