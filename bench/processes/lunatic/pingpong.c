/* pingpong N [BYTES]: two processes bounce an integer N round trips; the second replies with
 * the integer plus one. With BYTES (more than 8), every message carries BYTES bytes, the
 * integer in the first 8 and the rest copied through, so that building, sending and freeing
 * the message's buffer (host memory, bench/allocator_ab.py) weigh as much as they do for a
 * program that sends real data. Only the lunatic version takes BYTES. */
#include "bench.h"

enum { kMaxBytes = 1 << 20 };

/* Allocated, not static: the guest is linked with one 64 KiB page of initial memory. */
static uint8_t* payload;
static size_t payload_bytes;

static void allocate_payload(int64_t bytes) {
  payload_bytes = (size_t)bytes;
  payload = calloc(payload_bytes, 1);
  if (!payload) {
    fprintf(stderr, "pingpong: cannot allocate %lld bytes\n", (long long)bytes);
    exit(1);
  }
}

static void send_payload(lunatic_process_id to, int64_t value) {
  memcpy(payload, &value, 8);
  lunatic_send(to, 0, payload, payload_bytes);
}

static int64_t receive_payload(void) {
  lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, payload, payload_bytes, NULL);
  int64_t value;
  memcpy(&value, payload, 8);
  return value;
}

BENCH_EXPORT(ponger) void ponger(int64_t parent, int64_t bytes) {
  allocate_payload(bytes);
  for (;;) {
    int64_t value = receive_payload();
    if (value < 0) return;
    send_payload((lunatic_process_id)parent, value + 1);
  }
}

int main(int argc, char** argv) {
  int64_t n = argc > 1 ? atoll(argv[1]) : 1000000;
  int64_t bytes = argc > 2 ? atoll(argv[2]) : 8;
  if (bytes < 8 || bytes > kMaxBytes) {
    fprintf(stderr, "pingpong: BYTES must be from 8 to %d\n", kMaxBytes);
    return 2;
  }
  allocate_payload(bytes);
  int64_t args[2] = {(int64_t)lunatic_self(), bytes};
  lunatic_process_id other = spawn_i64("ponger", args, 2);
  double start = bench_now();
  int64_t value = 0;
  for (int64_t i = 0; i < n; ++i) {
    send_payload(other, value);
    value = receive_payload();
  }
  double seconds = bench_now() - start;
  send_payload(other, -1);
  printf("RESULT pingpong %.6f %lld us_per_roundtrip=%.4f bytes=%lld\n", seconds, (long long)value,
         seconds * 1e6 / (double)n, (long long)bytes);
  return 0;
}
