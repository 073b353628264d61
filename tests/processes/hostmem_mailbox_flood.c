/* A mailbox that nobody reads (issue 22: one grew to 539 MB; under a memory limit the flood
 * ended the whole program with std::bad_alloc). What is queued for a process counts against
 * its host memory budget, max_host_memory (here LUNATIC_MAX_HOST_MEMORY, or, run under a
 * memory limit, the default taken from it): the root floods a child that never reads with
 * 64 KiB messages, and the child fails when its mailbox passes its budget, as Erlang's
 * max_heap_size ends a process. The receiver pays, not the sender: the root carries on.
 *
 * expect-stdout: the flood ended the receiver (?P<r>\d+) after \d+ MiB
 * expect-stdout: the sender carried on: a new process answered 42
 * expect-stdout: mailbox flood: all ok
 * expect-stderr: lunatic: process {{r}} failed: over its host memory budget: it holds \d+ bytes \(mailbox, timers, names, resources\) of max_host_memory \d+ at .*\bnever_reads\b.*
 * expect-max-seconds: 30
 */
#include "common.h"

enum { TAG_NEVER = 99, TAG_READY = 3, TAG_FLOOD = 1, kChunk = 64 * 1024, kGiveUpMiB = 256 };
static uint8_t chunk[kChunk];

/* Says it is ready, then waits for a tag no one sends: everything else stays queued. */
TEST_ENTRY(never_reads) {
  send_u64(parent, TAG_READY, 0);
  lunatic_tag tag = TAG_NEVER;
  lunatic_receive(&tag, 1, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  say("FAIL never_reads received a message");
}

ANSWERING_ENTRY

int main(void) {
  uint64_t receiver = spawn_ok("never_reads", 0);
  lunatic_monitor(receiver);
  (void)expect_u64(TAG_READY);
  memset(chunk, 0x5a, sizeof chunk);
  uint64_t sent = 0;
  for (;;) {
    lunatic_send(receiver, TAG_FLOOD, chunk, sizeof chunk);
    sent += kChunk;
    if (sent % (1 << 20)) continue;
    lunatic_message_info info;
    if (lunatic_receive(NULL, 0, 0, NULL, 0, &info) == LUNATIC_RECEIVE_PROCESS_DIED) {
      CHECK_EQ(info.process, receiver);
      break;
    }
    if (sent >= (uint64_t)kGiveUpMiB << 20) {
      say("FAIL the receiver still lives after %d MiB were sent to it", kGiveUpMiB);
      return 1;
    }
  }
  say("the flood ended the receiver %llu after %llu MiB", (unsigned long long)receiver,
      (unsigned long long)(sent >> 20));

  say("the sender carried on: a new process answered %llu", (unsigned long long)new_process_answers());
  say("mailbox flood: all ok");
  return 0;
}
