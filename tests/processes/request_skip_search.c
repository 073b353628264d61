/* send_receive_skip_search (docs/abi.md, lunatic::message): "waits for the next message
 * tagged wait_on_tag that arrives after the call; messages already queued are not looked at
 * and stay queued". A stale message with the request's tag, queued before the call, must
 * not be taken as the reply.
 *
 * expect-stdout: the reply was the new one \(3\), the stale one \(999\) stayed queued
 * expect-stdout: skip search: all ok
 */
#include "common.h"

enum { TAG_REQUEST = 77 };

TEST_ENTRY(tripler) {
  uint64_t value = 0;
  lunatic_message_info info;
  CHECK_EQ(receive_tag(TAG_REQUEST, 5000, &value, &info), LUNATIC_RECEIVE_DATA);
  send_u64(parent, TAG_REQUEST, value * 3);
}

int main(void) {
  uint64_t child = spawn_ok("tripler", 0);
  send_u64(lunatic_self(), TAG_REQUEST, 999); /* stale: queued before the request */
  uint64_t question = 1, answer = 0;
  lunatic_message_info info;
  CHECK_EQ(lunatic_request(child, TAG_REQUEST, &question, sizeof question, 5000, &answer,
                           sizeof answer, &info),
           LUNATIC_RECEIVE_DATA);
  CHECK_EQ(answer, 3);
  CHECK_EQ(expect_u64(TAG_REQUEST), 999);
  say("the reply was the new one (3), the stale one (999) stayed queued");
  say("skip search: all ok");
  return 0;
}
