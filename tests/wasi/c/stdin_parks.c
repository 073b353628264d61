/* A read of stdin that has nothing to give parks its process, not its worker thread.
 *
 * More processes than there are workers block reading stdin (a pipe the runner holds open
 * and never writes to), some in read(), some in poll(). If a blocked read held its thread,
 * nothing else could run; instead the root goes on: it sleeps, exchanges messages, and
 * sees a timer fire on time. Then it kills every blocked reader, which must die at once
 * (its monitor reports it), although its read never completes: the operation is cancelled
 * before the process's memory is let go.
 *
 * stdin-open: yes
 * expect-stdout: 6 readers blocked on stdin
 * expect-stdout: the root ran on: slept, exchanged 100 messages
 * expect-stdout: all 6 readers killed while blocked
 * expect-max-seconds: 10
 */
#include <poll.h>
#include <time.h>

#include "check.h"
#include "lunatic.h"

enum { kReaders = 6, kTagReady = 1, kTagPing = 2, kTagRead = 3 };

static lunatic_process_id root;

static void tell_root(lunatic_tag tag) { lunatic_send(root, tag, "", 0); }

LUNATIC_ENTRY(reader) {
  lunatic_registry_get("root", &root, NULL);
  tell_root(kTagReady);
  char byte;
  if (arg % 2) {
    struct pollfd stdin_ready = {0, POLLIN, 0};
    poll(&stdin_ready, 1, -1);
  } else {
    (void)read(0, &byte, 1);
  }
  tell_root(kTagRead);  /* never: nothing is written to stdin */
}

LUNATIC_ENTRY(echo) {
  for (;;) {
    uint8_t from[8];
    if (lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, from, sizeof from, NULL) != LUNATIC_RECEIVE_DATA) return;
    lunatic_process_id sender;
    memcpy(&sender, from, sizeof sender);
    lunatic_send(sender, kTagPing, "", 0);
  }
}

int main(void) {
  root = lunatic_self();
  lunatic_registry_put("root", root);
  lunatic_process_id readers[kReaders];
  for (int i = 0; i < kReaders; ++i) {
    CHECK(lunatic_spawn("reader", i, &readers[i]));
    lunatic_monitor(readers[i]);
  }
  lunatic_tag ready = kTagReady;
  for (int i = 0; i < kReaders; ++i) CHECK(lunatic_receive(&ready, 1, 5000, NULL, 0, NULL) == LUNATIC_RECEIVE_DATA);
  lunatic_sleep_ms(50);  /* let them all reach their read */
  say("%d readers blocked on stdin", kReaders);

  struct timespec nap = {0, 20 * 1000 * 1000};
  nanosleep(&nap, NULL);
  lunatic_process_id echo;
  CHECK(lunatic_spawn("echo", 0, &echo));
  lunatic_tag ping = kTagPing;
  int exchanged = 0;
  for (int i = 0; i < 100; ++i) {
    lunatic_send(echo, 0, &root, sizeof root);
    if (lunatic_receive(&ping, 1, 2000, NULL, 0, NULL) == LUNATIC_RECEIVE_DATA) ++exchanged;
  }
  CHECK(exchanged == 100);
  say("the root ran on: slept, exchanged %d messages", exchanged);
  lunatic_kill(echo);

  for (int i = 0; i < kReaders; ++i) lunatic_kill(readers[i]);
  int died = 0;
  for (int i = 0; i < kReaders; ++i) {
    lunatic_message_info info;
    if (lunatic_receive(NULL, 0, 3000, NULL, 0, &info) == LUNATIC_RECEIVE_PROCESS_DIED) ++died;
  }
  CHECK(died == kReaders);
  for (int i = 0; i < kReaders; ++i) CHECK(!lunatic_exists(readers[i]));
  say("all %d readers killed while blocked", died);
  return check_failures ? 1 : 0;
}
