/* slice: how long a time slice lasts, seen as the lateness of a sleeper beside a process in
 * an endless loop on the same worker. Run with LUNATIC_THREADS=1:
 *
 *     LUNATIC_THREADS=1 build/bench/processes/lunatic/bench-slice [SLEEPS]
 *
 * The root sleeps 1 ms SLEEPS times (default 500) while a spinner counts for ever; the
 * sleeper's timer can only fire when the spinner's budget runs out and it reaches a yield
 * point, so each sleep ends up to one time slice late (on average half of one). Prints the
 * mean, median, 99th percentile and worst lateness in microseconds. */
#include "bench.h"

static volatile uint64_t spins;

BENCH_EXPORT(spinner) void spinner(int64_t unused) {
  (void)unused;
  for (;;) spins = spins + 1;
}

static int compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  int sleeps = argc > 1 ? atoi(argv[1]) : 500;
  if (sleeps <= 0) sleeps = 500;
  double* late = malloc((size_t)sleeps * sizeof *late);
  if (!late) return 1;
  int64_t unused = 0;
  (void)spawn_i64("spinner", &unused, 1);
  lunatic_sleep_ms(10); /* the spinner is running */
  double sum = 0;
  for (int i = 0; i < sleeps; ++i) {
    double start = bench_now();
    lunatic_sleep_ms(1);
    late[i] = (bench_now() - start - 1e-3) * 1e6;
    sum += late[i];
  }
  qsort(late, (size_t)sleeps, sizeof *late, compare);
  printf("RESULT slice late_us mean=%.1f p50=%.1f p99=%.1f max=%.1f sleeps=%d\n", sum / sleeps,
         late[sleeps / 2], late[(size_t)sleeps * 99 / 100], late[sleeps - 1], sleeps);
  return 0;
}
