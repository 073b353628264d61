/* idle N: N processes each tell the parent they are ready and block in receive. Timed:
 * spawning until all N are ready. A WASI guest cannot read /proc, so the program marks the
 * moments to measure on stderr ("RSS-MARK baseline", "RSS-MARK ready") and pauses, and
 * run.py reads its resident memory then. Then every process is released and answers. */
#include "bench.h"

BENCH_EXPORT(idler) void idler(int64_t parent) {
  send_i64((lunatic_process_id)parent, 1);
  receive_i64();
  send_i64((lunatic_process_id)parent, 2);
}

static void mark(const char* what) {
  fprintf(stderr, "RSS-MARK %s\n", what);
  fflush(stderr);
  lunatic_sleep_ms(300);
}

int main(int argc, char** argv) {
  int64_t n = argc > 1 ? atoll(argv[1]) : 100000;
  lunatic_process_id* ids = malloc(sizeof *ids * (size_t)n);
  int64_t self = (int64_t)lunatic_self();
  mark("baseline");
  double start = bench_now();
  for (int64_t i = 0; i < n; ++i) ids[i] = spawn_i64("idler", &self, 1);
  for (int64_t i = 0; i < n; ++i) receive_i64();
  double seconds = bench_now() - start;
  mark("ready");
  for (int64_t i = 0; i < n; ++i) send_i64(ids[i], 0);
  int64_t byes = 0;
  for (; byes < n; ++byes) receive_i64();
  printf("RESULT idle %.6f %lld\n", seconds, (long long)byes);
  return 0;
}
