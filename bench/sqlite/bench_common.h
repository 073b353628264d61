/* bench_common.h: what guest.c and native.c share: the clock and how they give up. */
#ifndef BENCH_SQLITE_COMMON_H
#define BENCH_SQLITE_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char* what) {
  fprintf(stderr, "bench: %s\n", what);
  exit(1);
}

#endif /* BENCH_SQLITE_COMMON_H */
