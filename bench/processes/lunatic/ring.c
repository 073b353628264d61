/* ring P L: the main process and P-1 relays in a ring pass an integer L laps; every sender
 * adds one. A negative token stops the ring (not timed). */
#include "bench.h"

BENCH_EXPORT(relay) void relay(int64_t unused) {
  (void)unused;
  lunatic_process_id next = (lunatic_process_id)receive_i64();
  for (;;) {
    int64_t token = receive_i64();
    send_i64(next, token < 0 ? token : token + 1);
    if (token < 0) return;
  }
}

int main(int argc, char** argv) {
  int procs = argc > 1 ? atoi(argv[1]) : 1000, laps = argc > 2 ? atoi(argv[2]) : 1000;
  lunatic_process_id* ring = malloc(sizeof *ring * (size_t)procs);
  ring[0] = lunatic_self();
  int64_t zero = 0;
  for (int i = 1; i < procs; ++i) ring[i] = spawn_i64("relay", &zero, 1);
  for (int i = 1; i < procs; ++i) send_i64(ring[i], (int64_t)ring[(i + 1) % procs]);
  double start = bench_now();
  int64_t token = 0;
  for (int lap = 0; lap < laps; ++lap) {
    send_i64(procs > 1 ? ring[1] : ring[0], token + 1);
    token = receive_i64();
  }
  double seconds = bench_now() - start;
  if (procs > 1) {
    send_i64(ring[1], -1);
    receive_i64();
  }
  printf("RESULT ring %.6f %lld\n", seconds, (long long)token);
  return 0;
}
