/* spawn N: the parent spawns N processes; each sends one empty message to the parent and
 * ends; the parent then receives the N messages. */
#include "bench.h"

BENCH_EXPORT(child) void child(int64_t parent) { lunatic_send((lunatic_process_id)parent, 0, NULL, 0); }

int main(int argc, char** argv) {
  int64_t n = argc > 1 ? atoll(argv[1]) : 1000000;
  int64_t self = (int64_t)lunatic_self();
  double start = bench_now();
  for (int64_t i = 0; i < n; ++i) spawn_i64("child", &self, 1);
  int64_t received = 0;
  for (; received < n; ++received) lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  printf("RESULT spawn %.6f %lld\n", bench_now() - start, (long long)received);
  return 0;
}
