/* Ping-pong: two processes bounce a counter back and forth.
 *
 * The main process spawns a "ponger", tells it who to answer, then sends it a number N
 * times; the ponger answers each with the number plus one. Messages are copied between the
 * two processes' memories: they share nothing.
 *
 *     ./ping_pong [round trips]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lunatic.h"

static int64_t receive_number(void) {
  int64_t n = 0;
  lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, &n, sizeof n, NULL);
  return n;
}

static void send_number(lunatic_process_id to, int64_t n) { lunatic_send(to, 0, &n, sizeof n); }

/* The ponger's first message is the id of the process to answer; a negative number ends it. */
LUNATIC_ENTRY(ponger) {
  lunatic_process_id pinger = (lunatic_process_id)receive_number();
  for (;;) {
    int64_t n = receive_number();
    if (n < 0) return;
    send_number(pinger, n + 1);
  }
}

int main(int argc, char** argv) {
  long round_trips = argc > 1 ? atol(argv[1]) : 100000;
  lunatic_process_id ponger;
  if (!LUNATIC_SPAWN(ponger, 0, &ponger)) {
    fprintf(stderr, "cannot spawn the ponger\n");
    return 1;
  }
  send_number(ponger, (int64_t)lunatic_self());

  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int64_t n = 0;
  for (long i = 0; i < round_trips; ++i) {
    send_number(ponger, n);
    n = receive_number();
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  send_number(ponger, -1);

  double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
  printf("counter: %lld after %ld round trips\n", (long long)n, round_trips);
  printf("%.3f us per round trip\n", seconds * 1e6 / (double)round_trips);
  return n == round_trips ? 0 : 1;
}
