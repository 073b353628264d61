/* Scale: 10,000 processes alive at once, each blocked in receive, then all released and
 * counted. Each reports when it is up and waits for a go; the root checks they all exist
 * before releasing any, then that each answers exactly once.
 *
 * expect-stdout: 10000 processes up and blocked in receive after \d+ ms
 * expect-stdout: all 10000 exist
 * expect-stdout: 10000 released, answers sum to 50005000, after \d+ ms
 * expect-stdout: scale: all ok
 */
#include "common.h"

#define COUNT 10000

enum { TAG_UP = 1, TAG_GO = 2, TAG_DONE = 3 };

TEST_ENTRY(worker) {
  send_u64(parent, TAG_UP, (uint64_t)arg);
  uint64_t go = expect_u64(TAG_GO);
  send_u64(parent, TAG_DONE, go + (uint64_t)arg);
}

static uint64_t ids[COUNT];
static uint8_t seen[COUNT + 1];

int main(void) {
  int64_t start = now_ms();
  for (int i = 0; i < COUNT; ++i) ids[i] = spawn_ok("worker", i + 1);
  for (int i = 0; i < COUNT; ++i) {
    uint64_t n = expect_u64(TAG_UP);
    CHECK(n >= 1 && n <= COUNT && !seen[n]);
    seen[n] = 1;
  }
  say("%d processes up and blocked in receive after %lld ms", COUNT, (long long)(now_ms() - start));
  for (int i = 0; i < COUNT; ++i) CHECK(lunatic_exists(ids[i]));
  say("all %d exist", COUNT);

  for (int i = 0; i < COUNT; ++i) send_u64(ids[i], TAG_GO, 0);
  uint64_t sum = 0;
  memset(seen, 0, sizeof seen);
  for (int i = 0; i < COUNT; ++i) {
    uint64_t n = expect_u64(TAG_DONE);
    CHECK(n >= 1 && n <= COUNT && !seen[n]);
    seen[n] = 1;
    sum += n;
  }
  CHECK_EQ(sum, (uint64_t)COUNT * (COUNT + 1) / 2);
  say("%d released, answers sum to %llu, after %lld ms", COUNT, (unsigned long long)sum,
      (long long)(now_ms() - start));
  CHECK_EQ(lunatic_receive(NULL, 0, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("scale: all ok");
  return 0;
}
