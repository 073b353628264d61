/* A program to observe (run_observe_test.py): it records lunatic::metrics series, then
 * keeps COUNT processes parked in receive (argv[1], default 10) beside a few of every
 * kind the process table shows, prints "ready COUNT", and waits to be stopped.
 *
 *   - every waiter parks in wait_for_stop(), a function of its own (the table names it);
 *     the first is registered as "first waiter", the root links to the second and
 *     monitors the third;
 *   - a sleeper parks in lunatic::process::sleep_ms;
 *   - a child that traps (linked: the root is told) and one that is killed (monitored),
 *     for the ends by cause and the link and monitor signals;
 *   - a child whose config may not spawn, which tries to (a refused capability);
 *   - with argv[2] "busy", a process that computes without end (the table shows it
 *     running or runnable).
 * On a message tagged TAG_STOP the root returns; with argv[2] "exit" it returns at once,
 * after a line of its own on stderr (which the runtime's log must leave as it is).
 */
#include <lunatic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TAG_UP = 1, TAG_STOP = 2, TAG_LINK = 7 };

static void send_u64(lunatic_process_id to, lunatic_tag tag, uint64_t value) {
  lunatic_send(to, tag, &value, sizeof value);
}

static uint64_t spawn_entry(const char* entry, uint64_t parent, lunatic_tag link) {
  uint8_t params[LUNATIC_PARAM_SIZE];
  memset(params, 0, sizeof params);
  params[0] = LUNATIC_PARAM_I64;
  for (int i = 0; i < 8; ++i) params[1 + i] = (uint8_t)(parent >> (8 * i));
  uint64_t id = 0;
  if (lunatic_raw_process_spawn(link, LUNATIC_CONFIG_INHERIT, LUNATIC_MODULE_SELF, entry, strlen(entry), params,
                                sizeof params, &id) != 0) {
    printf("FAIL: cannot spawn %s\n", entry);
    exit(1);
  }
  return id;
}

__attribute__((noinline)) static void wait_for_stop(void) {
  lunatic_tag stop = TAG_STOP;
  lunatic_message_info info;
  uint64_t data;
  lunatic_receive(&stop, 1, LUNATIC_WAIT_FOREVER, &data, sizeof data, &info);
}

__attribute__((export_name("waiter"))) void waiter(uint64_t parent) {
  send_u64(parent, TAG_UP, lunatic_self());
  wait_for_stop();
}

__attribute__((export_name("sleeper"))) void sleeper(uint64_t parent) {
  send_u64(parent, TAG_UP, lunatic_self());
  for (;;) lunatic_sleep_ms(3600 * 1000);
}

__attribute__((export_name("trapper"))) void trapper(uint64_t parent) {
  (void)parent;
  __builtin_trap();
}

__attribute__((export_name("refuser"))) void refuser(uint64_t parent) {
  uint64_t id = 0;
  uint32_t status = lunatic_raw_process_spawn(0, LUNATIC_CONFIG_INHERIT, LUNATIC_MODULE_SELF, "trapper", 7, NULL, 0, &id);
  send_u64(parent, TAG_UP, status);
}

__attribute__((export_name("busy"))) void busy(uint64_t parent) {
  send_u64(parent, TAG_UP, lunatic_self());
  volatile uint64_t x = 1;
  for (;;) x = x * 6364136223846793005ull + 1442695040888963407ull;
}

static void await_up(void) {
  lunatic_tag up = TAG_UP;
  lunatic_message_info info;
  uint64_t data;
  if (lunatic_receive(&up, 1, 60000, &data, sizeof data, &info) != LUNATIC_RECEIVE_DATA) {
    printf("FAIL: a child did not start\n");
    exit(1);
  }
}

int main(int argc, char** argv) {
  long count = argc > 1 ? atol(argv[1]) : 10;
  int with_busy = argc > 2 && strcmp(argv[2], "busy") == 0;
  int exit_at_once = argc > 2 && strcmp(argv[2], "exit") == 0;
  lunatic_metrics_counter("observe.requests", 7);
  lunatic_metrics_gauge("observe.level", 42.5);
  for (int i = 1; i <= 8; ++i) lunatic_metrics_histogram("observe.latency", i * 0.5);

  uint64_t self = lunatic_self();
  lunatic_die_when_link_dies(false);
  uint64_t first = 0;
  for (long i = 0; i < count; ++i) {
    uint64_t id = spawn_entry("waiter", self, i == 1 ? TAG_LINK : 0);
    if (i == 0) first = id;
    if (i == 2) lunatic_monitor(id);
    await_up();
  }
  if (first) lunatic_registry_put("first waiter", first);
  spawn_entry("sleeper", self, 0);
  await_up();
  spawn_entry("trapper", self, TAG_LINK);
  uint64_t victim = spawn_entry("waiter", self, 0);
  await_up();
  lunatic_monitor(victim);
  lunatic_kill(victim);
  lunatic_config_id denied = lunatic_config_create();
  lunatic_config_set_can_spawn_processes(denied, false);
  uint8_t params[LUNATIC_PARAM_SIZE] = {LUNATIC_PARAM_I64};
  for (int i = 0; i < 8; ++i) params[1 + i] = (uint8_t)(self >> (8 * i));
  uint64_t refuser_id = 0;
  if (lunatic_raw_process_spawn(0, denied, LUNATIC_MODULE_SELF, "refuser", 7, params, sizeof params, &refuser_id) != 0) {
    printf("FAIL: cannot spawn refuser\n");
    exit(1);
  }
  await_up();
  /* The trapper's failure comes along the link, the victim's end to the monitor: both
   * before "ready", so that what is counted and logged does not depend on timing. */
  for (int signals = 0; signals < 2; ++signals) {
    lunatic_message_info info;
    uint64_t data;
    lunatic_receive_status status = lunatic_receive(NULL, 0, 60000, &data, sizeof data, &info);
    if (status != LUNATIC_RECEIVE_LINK_DIED && status != LUNATIC_RECEIVE_PROCESS_DIED) {
      printf("FAIL: expected a link or monitor signal, got %d\n", (int)status);
      exit(1);
    }
  }
  if (with_busy) {
    spawn_entry("busy", self, 0);
    await_up();
  }
  printf("ready %ld\n", count);
  fflush(stdout);
  if (exit_at_once) {
    fprintf(stderr, "guest: a line of my own {not json}\n");
    return 0;
  }
  wait_for_stop();
  return 0;
}
