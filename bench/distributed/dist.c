/* The cross-node benchmarks (README.md), ours: run as two nodes, one with --no-main that
 * hosts what the other spawns on it, and one running
 *   bench-distributed pingpong N     N round trips with a process spawned on the other node
 *   bench-distributed stream N SIZE  N messages of SIZE bytes one way to a process there,
 *                                    which answers once it has them all
 * each printing one line: RESULT <benchmark> <seconds> <checksum> <figure>=<value>. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lunatic.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char* why) {
  fprintf(stderr, "bench-distributed: %s\n", why);
  exit(1);
}

/* The first message says where to answer (node, process); each later one is answered with
 * its integer plus one. */
LUNATIC_ENTRY(ponger) {
  uint64_t to[2];
  lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, to, sizeof to, NULL);
  for (;;) {
    int64_t value;
    lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, &value, sizeof value, NULL);
    value += 1;
    lunatic_node_send(to[0], to[1], 0, &value, sizeof value);
    if (value < 0) return;
  }
}

/* Told (node, process, count), receives `count` messages, then answers their total size. */
LUNATIC_ENTRY(sink) {
  uint64_t task[3];
  lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, task, sizeof task, NULL);
  uint64_t bytes = 0;
  for (uint64_t i = 0; i < task[2]; ++i) {
    lunatic_message_info info;
    lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, &info);
    bytes += info.size;
  }
  lunatic_node_send(task[0], task[1], 0, &bytes, sizeof bytes);
}

static uint64_t other_node(void) {
  double deadline = now() + 30;
  while (lunatic_nodes_count() < 2) {
    if (now() > deadline) die("the other node did not join");
    lunatic_sleep_ms(20);
  }
  uint64_t nodes[2];
  lunatic_nodes(nodes, 2);
  return nodes[0] == lunatic_node_id() ? nodes[1] : nodes[0];
}

static uint64_t spawn_there(uint64_t node, const char* entry) {
  uint64_t pid;
  if (lunatic_node_spawn(node, LUNATIC_CONFIG_INHERIT, entry, 0, &pid) != LUNATIC_NODE_OK) die("remote spawn");
  return pid;
}

int main(int argc, char** argv) {
  if (argc < 3) die("usage: bench-distributed pingpong N | stream N SIZE");
  uint64_t n = strtoull(argv[2], NULL, 10);
  uint64_t node = other_node();
  uint64_t me[3] = {lunatic_node_id(), lunatic_self(), n};
  if (strcmp(argv[1], "pingpong") == 0) {
    uint64_t pong = spawn_there(node, "ponger");
    lunatic_node_send(node, pong, 0, me, 16);
    int64_t value = 0;
    double start = now();
    for (uint64_t i = 0; i < n; ++i) {
      lunatic_node_send(node, pong, 0, &value, sizeof value);
      lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, &value, sizeof value, NULL);
    }
    double seconds = now() - start;
    int64_t stop = -2;
    lunatic_node_send(node, pong, 0, &stop, sizeof stop);
    printf("RESULT pingpong %.6f %lld roundtrips_per_s=%.0f\n", seconds, (long long)value, (double)n / seconds);
  } else if (strcmp(argv[1], "stream") == 0 && argc > 3) {
    size_t size = (size_t)strtoull(argv[3], NULL, 10);
    uint8_t* payload = calloc(size ? size : 1, 1);
    uint64_t sink = spawn_there(node, "sink");
    lunatic_node_send(node, sink, 0, me, sizeof me);
    double start = now();
    for (uint64_t i = 0; i < n; ++i) lunatic_node_send(node, sink, 0, payload, size);
    uint64_t bytes = 0;
    lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, &bytes, sizeof bytes, NULL);
    double seconds = now() - start;
    printf("RESULT stream %.6f %llu msgs_per_s=%.0f\n", seconds, (unsigned long long)(bytes / (size ? size : 1)),
           (double)n / seconds);
  } else {
    die("unknown benchmark");
  }
  return 0;
}
