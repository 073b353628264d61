/* skynet L: a tree of processes, 10 children each, down to L leaves; leaf k sends k up,
 * every parent sends the sum of its children's messages up. */
#include "bench.h"

BENCH_EXPORT(node) void node(int64_t parent, int64_t number, int64_t size) {
  int64_t sum = number;
  if (size > 1) {
    int64_t self = (int64_t)lunatic_self(), step = size / 10;
    for (int i = 0; i < 10; ++i) {
      int64_t args[3] = {self, number + i * step, step};
      spawn_i64("node", args, 3);
    }
    sum = 0;
    for (int i = 0; i < 10; ++i) sum += receive_i64();
  }
  send_i64((lunatic_process_id)parent, sum);
}

int main(int argc, char** argv) {
  int64_t leaves = argc > 1 ? atoll(argv[1]) : 1000000;
  double start = bench_now();
  int64_t args[3] = {(int64_t)lunatic_self(), 0, leaves};
  spawn_i64("node", args, 3);
  int64_t sum = receive_i64();
  printf("RESULT skynet %.6f %lld\n", bench_now() - start, (long long)sum);
  return 0;
}
