/* lunatic::trap::catch (docs/abi.md): a Wasm trap inside the caught call ends only that call,
 * which returns 0, and the process goes on with its memory and message slot as the trap left
 * them; traps of every kind are caught (unreachable, division, out-of-bounds access, stack
 * overflow, a host function refusing its input), and catches nest. A host function's refusal
 * that was caught is not blamed for a later failure. What is not a trap is not caught: spent
 * fuel and a kill end the process inside catch (catch_exit.c and catch_kill.c: an exit and a
 * kill of the root). A process that traps on purpose inside catch still pays for its work
 * with fuel, and so runs out of it.
 *
 * expect-stdout: no trap: 42
 * expect-stdout: unreachable caught: 0, memory as left: 1234
 * expect-stdout: divide by zero caught: 0
 * expect-stdout: out of bounds caught: 0
 * expect-stdout: stack overflow caught: 0
 * expect-stdout: host failure caught: 0
 * expect-stdout: nested: inner trap caught, outer returned 7
 * expect-stdout: nested: outer trap after an inner catch: 0
 * expect-stdout: message slot as left: tag 5, "half-built"
 * expect-stdout: trap after a caught host failure: (?P<p1>\d+) died
 * expect-stdout: out of fuel inside catch: (?P<p2>\d+) died, nothing caught
 * expect-stdout: fuel: (?P<p3>\d+) died after \d+ caught traps
 * expect-stdout: kill inside catch: died, nothing caught
 * expect-stdout: catch: all ok
 * expect-stderr: lunatic: process {{p1}} failed: unreachable at .*\bafter_host_failure\b.*
 * expect-stderr: lunatic: process {{p2}} failed: out of fuel at .*\bspin\b.*
 * expect-stderr: lunatic: process {{p3}} failed: out of fuel at .*
 */
#include "common.h"

LUNATIC_CATCH_TRAMPOLINE

#define OUTSIDE ((uintptr_t)0xFFFFFFF0u)

enum { TAG_READY = 1, TAG_CAUGHT = 2, TAG_COUNT = 3, TAG_SLOT = 5 };

static volatile int zero = 0;
static volatile int sink = 0;
static int marker = 0;

static uint32_t answer(uint32_t arg) { return arg + 1; }

static uint32_t write_then_trap(uint32_t arg) {
  marker = (int)arg;
  __builtin_trap();
}

static uint32_t divide(uint32_t arg) { return arg / (uint32_t)zero; }

static uint32_t out_of_bounds(uint32_t arg) { return *(volatile uint32_t*)(OUTSIDE + arg); }

static int deep(int n) {
  sink = n;
  if (n < 0) return 0;
  return deep(n + 1) + deep(n + 2);  // two calls: no tail call to turn into a loop
}

static uint32_t overflow(uint32_t arg) { return (uint32_t)deep((int)arg); }

static uint32_t host_failure(uint32_t arg) {
  (void)arg;
  return lunatic_raw_error_string_size(999999);  // no such error: the host refuses
}

static uint32_t inner_traps(uint32_t arg) {
  uint32_t inner = lunatic_catch(write_then_trap, arg);
  return inner == 0 ? 7 : 100;
}

static uint32_t trap_after_inner(uint32_t arg) {
  CHECK_EQ(lunatic_catch(answer, arg), arg + 1);
  __builtin_trap();
}

static uint32_t build_then_trap(uint32_t arg) {
  (void)arg;
  lunatic_raw_message_create_data(TAG_SLOT, 0);
  lunatic_raw_message_write_data("half-built", 10);
  __builtin_trap();
}

/* Catches a host failure, then traps outside any catch: the log line names the trap. */
TEST_ENTRY(after_host_failure) {
  CHECK_EQ(lunatic_catch(host_failure, 0), 0);
  __builtin_trap();
}

static uint32_t spin(uint32_t arg) {
  for (;;) sink = (int)arg;
}

/* Runs out of fuel inside catch: the process dies there, and never says it caught anything. */
TEST_ENTRY(fuel_in_catch) {
  uint32_t result = lunatic_catch(spin, 1);
  send_u64(parent, TAG_CAUGHT, result);
}

/* Work of a fraction of a time slice in a loop that only a trap ends: it reads `arg` words up
 * to the end of memory, and then past it. The compiled loop keeps its count of reductions in a
 * register, which nothing stores when the trap leaves the loop. */
static uint32_t work_then_trap(uint32_t arg) {
  uintptr_t end = __builtin_wasm_memory_size(0) * 65536;
  const volatile uint32_t* word = (const volatile uint32_t*)(end - 4 * (uintptr_t)arg);
  for (;;) sink = (int)*word++;
}

/* Traps on purpose inside catch for ever, telling the parent how often it got away with it. */
TEST_ENTRY(trap_for_free) {
  for (uint64_t count = 1;; ++count) {
    CHECK_EQ(lunatic_catch(work_then_trap, 20000), 0);
    send_u64(parent, TAG_COUNT, count);
  }
}

static uint32_t wait_for_ever(uint32_t arg) {
  send_u64((uint64_t)arg, TAG_READY, 0);
  (void)lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  return 1;
}

/* Waits inside catch until it is killed. */
TEST_ENTRY(killed_in_catch) {
  uint32_t result = lunatic_catch(wait_for_ever, (uint32_t)parent);
  send_u64(parent, TAG_CAUGHT, result);
}

/* A monitored child with `config`; returns its id. */
static uint64_t spawn_monitored(lunatic_config_id config, const char* entry) {
  uint64_t id = 0;
  CHECK_EQ(spawn_child(config, 0, entry, 0, &id), 0);
  lunatic_monitor(id);
  return id;
}

/* A config whose processes have `units` of fuel. */
static lunatic_config_id fuel_config(uint64_t units) {
  lunatic_config_id config = lunatic_config_create();
  CHECK(config >= 0);
  lunatic_config_set_max_fuel(config, units);
  return config;
}

int main(void) {
  say("no trap: %u", lunatic_catch(answer, 41));

  marker = 0;
  uint32_t result = lunatic_catch(write_then_trap, 1234);
  say("unreachable caught: %u, memory as left: %d", result, marker);
  say("divide by zero caught: %u", lunatic_catch(divide, 1));
  say("out of bounds caught: %u", lunatic_catch(out_of_bounds, 0));
  say("stack overflow caught: %u", lunatic_catch(overflow, 0));
  say("host failure caught: %u", lunatic_catch(host_failure, 0));
  say("nested: inner trap caught, outer returned %u", lunatic_catch(inner_traps, 3));
  say("nested: outer trap after an inner catch: %u", lunatic_catch(trap_after_inner, 3));

  CHECK_EQ(lunatic_catch(build_then_trap, 0), 0);
  lunatic_raw_message_send(lunatic_self());  // the message the trap left half-built
  char text[16] = {0};
  lunatic_message_info info;
  lunatic_tag slot_tag = TAG_SLOT;
  CHECK_EQ(lunatic_receive(&slot_tag, 1, 5000, text, sizeof text - 1, &info), LUNATIC_RECEIVE_DATA);
  say("message slot as left: tag %lld, \"%s\"", (long long)info.tag, text);

  uint64_t child = spawn_monitored(LUNATIC_CONFIG_INHERIT, "after_host_failure");
  expect_died(child);
  say("trap after a caught host failure: %llu died", (unsigned long long)child);

  lunatic_config_id config = fuel_config(1);
  child = spawn_monitored(config, "fuel_in_catch");
  expect_died(child);
  lunatic_tag caught = TAG_CAUGHT;
  CHECK_EQ(lunatic_receive(&caught, 1, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("out of fuel inside catch: %llu died, nothing caught", (unsigned long long)child);

  // 50 units are 5,000,000 reductions, ten time slices. Each caught trap costs at least the
  // rest of its slice, so the child dies after a dozen catches or so; were the work of the
  // trapping loop free, it would go on for ever.
  lunatic_config_drop(config);
  config = fuel_config(50);
  child = spawn_monitored(config, "trap_for_free");
  uint64_t count = 0;
  for (;;) {
    uint64_t value = 0;
    lunatic_message_info died;
    lunatic_receive_status status = receive_tag(0, 10000, &value, &died);
    if (status == LUNATIC_RECEIVE_PROCESS_DIED) break;
    CHECK_EQ(status, LUNATIC_RECEIVE_DATA);
    count = value;
    if (count > 200) {
      say("FAIL fuel: %llu caught traps and still running", (unsigned long long)count);
      return 1;
    }
  }
  say("fuel: %llu died after %llu caught traps", (unsigned long long)child, (unsigned long long)count);

  child = spawn_monitored(LUNATIC_CONFIG_INHERIT, "killed_in_catch");
  (void)expect_u64(TAG_READY);
  lunatic_kill(child);
  expect_died(child);
  CHECK_EQ(lunatic_receive(&caught, 1, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("kill inside catch: died, nothing caught");

  say("catch: all ok");
  return 0;
}
