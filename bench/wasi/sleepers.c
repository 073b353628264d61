/* sleepers: spawns argv[1] (default 10,000) processes that each sleep 200 ms with
 * nanosleep (WASI poll_oneoff on a clock) and then report to the root, which prints how long
 * the whole took. Blocking sleeps park processes, not worker threads, so the whole should
 * take little more than one sleep. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lunatic.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

LUNATIC_ENTRY(sleeper) {
  struct timespec nap = {0, 200 * 1000 * 1000};
  nanosleep(&nap, NULL);
  lunatic_process_id parent;
  if (lunatic_registry_get("root", &parent, NULL)) lunatic_send(parent, 1, "", 0);
}

int main(int argc, char** argv) {
  long count = argc > 1 ? atol(argv[1]) : 10000;
  lunatic_registry_put("root", lunatic_self());
  double start = now_ms();
  for (long i = 0; i < count; ++i) {
    uint64_t id;
    if (!LUNATIC_SPAWN(sleeper, 0, &id)) {
      printf("spawn failed\n");
      return 1;
    }
  }
  for (long i = 0; i < count; ++i) lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  printf("%ld processes slept 200 ms each in %.1f ms\n", count, now_ms() - start);
  return 0;
}
