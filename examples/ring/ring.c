/* Ring: N processes pass a token around a circle M times.
 *
 * The main process spawns N-1 relays, tells each who comes next, and starts a token that
 * every process increments before passing it on; after M laps it has made N*M hops.
 *
 *     ./ring [processes] [laps]
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

/* A relay learns its successor, then passes the token on, plus one; a negative token is
 * passed on unchanged and ends the relay. */
LUNATIC_ENTRY(relay) {
  lunatic_process_id next = (lunatic_process_id)receive_number();
  for (;;) {
    int64_t token = receive_number();
    send_number(next, token < 0 ? token : token + 1);
    if (token < 0) return;
  }
}

int main(int argc, char** argv) {
  int processes = argc > 1 ? atoi(argv[1]) : 1000;
  int laps = argc > 2 ? atoi(argv[2]) : 100;
  if (processes < 2 || laps < 1) {
    fprintf(stderr, "usage: ring [processes >= 2] [laps >= 1]\n");
    return 2;
  }
  lunatic_process_id* ring = malloc(sizeof *ring * (size_t)processes);
  ring[0] = lunatic_self();
  for (int i = 1; i < processes; ++i) {
    if (!LUNATIC_SPAWN(relay, 0, &ring[i])) {
      fprintf(stderr, "cannot spawn relay %d\n", i);
      return 1;
    }
  }
  for (int i = 1; i < processes; ++i) send_number(ring[i], (int64_t)ring[(i + 1) % processes]);

  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int64_t token = 0;
  for (int lap = 0; lap < laps; ++lap) {
    send_number(ring[1], token + 1);
    token = receive_number();
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  send_number(ring[1], -1);
  receive_number();

  double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
  printf("%lld hops through %d processes in %d laps\n", (long long)token, processes, laps);
  printf("%.1f ns per hop\n", seconds * 1e9 / (double)token);
  return token == (int64_t)processes * laps ? 0 : 1;
}
