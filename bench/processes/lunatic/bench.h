/* Shared by the lunatic versions of the process benchmarks: timing, the RESULT line, and
 * sending and receiving one integer. See ../README.md for what each benchmark does. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lunatic.h"

static inline double bench_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline void send_i64(lunatic_process_id to, int64_t value) { lunatic_send(to, 0, &value, 8); }

static inline int64_t receive_i64(void) {
  int64_t value = 0;
  lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, &value, sizeof value, NULL);
  return value;
}

/* Spawns export `entry` of this module with i64 parameters. */
static inline lunatic_process_id spawn_i64(const char* entry, const int64_t* args, int count) {
  uint8_t params[4 * LUNATIC_PARAM_SIZE];
  memset(params, 0, sizeof params);
  for (int i = 0; i < count; ++i) {
    params[i * LUNATIC_PARAM_SIZE] = LUNATIC_PARAM_I64;
    memcpy(params + i * LUNATIC_PARAM_SIZE + 1, &args[i], 8);
  }
  uint64_t id = 0;
  if (lunatic_raw_process_spawn(0, LUNATIC_CONFIG_INHERIT, LUNATIC_MODULE_SELF, entry, strlen(entry), params,
                                (size_t)count * LUNATIC_PARAM_SIZE, &id) != 0) {
    fprintf(stderr, "spawn of %s failed\n", entry);
    exit(1);
  }
  return id;
}

#define BENCH_EXPORT(name) __attribute__((export_name(#name)))

#endif
