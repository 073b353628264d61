/* Ten million registry names (issue 22: they took 722 MB). A name counts against the host
 * memory budget of the process it names, and the names others give a process may hold at
 * most a quarter of that budget, so that no one can make a process fail, or keep it from
 * naming itself, by naming it. A put past either fails the caller. A process that names
 * itself in a loop fails at its budget; one that names the root fails at the root's
 * quarter, and the root carries on and can still name itself. A process's names go when it
 * ends.
 *
 * expect-stdout: a process naming itself, (?P<a>\d+), failed
 * expect-stdout: its names went with it: self-0 is absent
 * expect-stdout: a process naming the root, (?P<b>\d+), failed
 * expect-stdout: the root carried on: it registered itself and a new process answered 42
 * expect-stdout: registry: all ok
 * expect-stderr: lunatic: process {{a}} failed: put: process {{a}} has no room for the name in its host memory budget \(\d+ bytes held, max_host_memory \d+\) at .*\bname_in_a_loop\b.*
 * expect-stderr: lunatic: process {{b}} failed: put: process \d+ would have \d+ bytes of names from others, more than a quarter of its host memory budget \(max_host_memory \d+\) at .*\bname_in_a_loop\b.*
 * expect-max-seconds: 60
 */
#include "common.h"

enum { kNames = 10 * 1000 * 1000 };

/* Registers kNames names: "<prefix>-<n>" for `arg` 0 (naming itself) or the root (1). */
TEST_ENTRY(name_in_a_loop) {
  const char* prefix = arg == 0 ? "self" : "root";
  lunatic_process_id named = arg == 0 ? lunatic_self() : parent;
  char name[32];
  for (int n = 0; n < kNames; ++n) {
    snprintf(name, sizeof name, "%s-%d", prefix, n);
    lunatic_registry_put(name, named);
  }
  say("FAIL registered %d names", kNames);
}

ANSWERING_ENTRY

int main(void) {
  uint64_t a = run_until_it_ends("name_in_a_loop", 0, 60000);
  say("a process naming itself, %llu, failed", (unsigned long long)a);
  lunatic_process_id found;
  CHECK(!lunatic_registry_get("self-0", &found, NULL));
  say("its names went with it: self-0 is absent");

  uint64_t b = run_until_it_ends("name_in_a_loop", 1, 60000);
  say("a process naming the root, %llu, failed", (unsigned long long)b);

  lunatic_registry_put("the-root", lunatic_self());
  CHECK(lunatic_registry_get("the-root", &found, NULL) && found == lunatic_self());
  say("the root carried on: it registered itself and a new process answered %llu",
      (unsigned long long)new_process_answers());
  say("registry: all ok");
  return 0;
}
