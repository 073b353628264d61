/* pingpong N: two processes bounce an integer N round trips; the second replies with the
 * integer plus one. */
#include "bench.h"

BENCH_EXPORT(ponger) void ponger(int64_t parent) {
  for (;;) {
    int64_t value = receive_i64();
    if (value < 0) return;
    send_i64((lunatic_process_id)parent, value + 1);
  }
}

int main(int argc, char** argv) {
  int64_t n = argc > 1 ? atoll(argv[1]) : 1000000;
  int64_t self = (int64_t)lunatic_self();
  lunatic_process_id other = spawn_i64("ponger", &self, 1);
  double start = bench_now();
  int64_t value = 0;
  for (int64_t i = 0; i < n; ++i) {
    send_i64(other, value);
    value = receive_i64();
  }
  double seconds = bench_now() - start;
  send_i64(other, -1);
  printf("RESULT pingpong %.6f %lld us_per_roundtrip=%.4f\n", seconds, (long long)value, seconds * 1e6 / (double)n);
  return 0;
}
