/* guest_tests.c: a module with tests, as lunatic-rs's #[lunatic::test] names them
 * (runtime/test_mode/tests.h), which test_mode_test.py runs in test mode with libtest's
 * arguments. Some fail on purpose: the runner checks each verdict and what is reported.
 *
 * A Rust panic is imitated by its report on stderr followed by a trap, as a panicking
 * lunatic-rs process does (panic = abort). main() is the module's _start, which runs only
 * with --entry _start.
 */
#include <errno.h>
#include <lunatic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#define TEST(name, function) __attribute__((export_name("#lunatic_test_" name))) void function(void)

static void say(const char* text) { (void)write(1, text, strlen(text)); }
static void complain(const char* text) { (void)write(2, text, strlen(text)); }

/* Fails the test with `why` on its stdout. */
static void fail(const char* why) {
  say("FAIL: ");
  say(why);
  say("\n");
  __builtin_trap();
}

int main(void) {
  say("main ran\n");
  return 0;
}

/* ---- Verdicts ---------------------------------------------------------------------------- */

TEST("basic::passes", passes) { say("hello from passes\n"); }

TEST("basic::exits_zero", exits_zero) { exit(0); }

TEST("basic::fails_with_trap", fails_with_trap) {
  say("about to trap\n");
  __builtin_trap();
}

TEST("basic::fails_with_exit", fails_with_exit) { exit(3); }

TEST("basic::panics", panics) {
  complain("thread 'main' panicked at 'assertion failed: left == right', tests/basic.rs:9:5\n");
  __builtin_trap();
}

TEST("#ignore_basic::ignored", ignored) { say("the ignored test ran\n"); }

TEST("#panic_#should_panic::any_trap", any_trap) { __builtin_trap(); }

TEST("#panic_#should_panic::any_exit", any_exit) { exit(1); }

TEST("#panic_boom#should_panic::with_message", with_message) {
  complain("thread 'main' panicked at 'a big boom here', tests/should_panic.rs:1:1\n");
  __builtin_trap();
}

TEST("#panic_boom#should_panic::wrong_message", wrong_message) {
  complain("thread 'main' panicked at 'a fizzle', tests/should_panic.rs:2:1\n");
  __builtin_trap();
}

TEST("#panic_#should_panic::does_not_panic", does_not_panic) { say("returning normally\n"); }

TEST("#panic_needs text#should_panic::trap_without_message", trap_without_message) { __builtin_trap(); }

TEST("#panic_hash\\#tag#should_panic::escaped_hash", escaped_hash) {
  complain("thread 'main' panicked at 'has hash#tag inside', tests/should_panic.rs:3:1\n");
  __builtin_trap();
}

TEST("#panic_new style#should_panic::new_format", new_format) {
  complain("thread 'main' panicked at tests/should_panic.rs:4:5:\nthe new style message\n"
           "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
  __builtin_trap();
}

TEST("#ignore_#panic_#should_panic::ignored_too", ignored_too) { __builtin_trap(); }

/* ---- What a test sees -------------------------------------------------------------------- */

/* Upstream's view: no arguments, the host's environment, the working directory as ".". */
TEST("view::upstream_view", upstream_view) {
  __wasi_size_t argc = 0, argv_size = 0;
  if (__wasi_args_sizes_get(&argc, &argv_size) != 0 || argc != 0) fail("the test has arguments");
  const char* marker = getenv("TEST_MODE_MARKER");
  if (!marker || strcmp(marker, "from the host") != 0) fail("the host's environment is missing");
  FILE* file = fopen("probe.txt", "r");
  if (!file) fail("cannot open probe.txt in the working directory");
  char text[64] = {0};
  if (!fgets(text, sizeof text, file) || strcmp(text, "probe\n") != 0) fail("probe.txt reads wrong");
  fclose(file);
  if (lunatic_raw_process_environment_id() == 0) fail("the test runs in the program's environment");
}

/* Two tests that run only at once: each waits for the other's file in the working directory.
 * Each registers itself under one name and must then find itself there, not the other. */
static void rendezvous_and_register(const char* mine, const char* other) {
  lunatic_process_id found = 0;
  if (lunatic_registry_get("shared name", &found, NULL)) fail("a name of another test is visible");
  lunatic_registry_put("shared name", lunatic_self());
  FILE* file = fopen(mine, "w");
  if (!file) fail("cannot write the rendezvous file");
  fclose(file);
  struct stat info;
  int waited = 0;
  while (stat(other, &info) != 0) {
    if (++waited > 2000) fail("the other test did not start: tests do not run at once");
    lunatic_sleep_ms(10);
  }
  lunatic_sleep_ms(50); /* both have registered by now */
  if (!lunatic_registry_get("shared name", &found, NULL)) fail("the registered name is gone");
  if (found != lunatic_self()) fail("the registry holds another test's process: registries are shared");
}
TEST("isolation::first", isolation_first) { rendezvous_and_register("first.ready", "second.ready"); }
TEST("isolation::second", isolation_second) { rendezvous_and_register("second.ready", "first.ready"); }

/* ---- Children write into the test's capture --------------------------------------------- */

LUNATIC_ENTRY(child_writes) {
  say("written by the child\n");
  if (arg == 1) __builtin_trap();
}

static void wait_for(lunatic_process_id child) {
  lunatic_message_info info;
  if (lunatic_receive(NULL, 0, 5000, NULL, 0, &info) != LUNATIC_RECEIVE_PROCESS_DIED) fail("the child did not end");
  (void)child;
}

/* Fails after its children (one inheriting its config, one with a new config, one that
 * traps) have written, so that the capture is shown. */
TEST("capture::children", capture_children) {
  lunatic_process_id child;
  if (!lunatic_spawn("child_writes", 0, &child)) fail("cannot spawn");
  lunatic_monitor(child);
  wait_for(child);
  lunatic_config_id config = lunatic_config_create();
  if (!lunatic_spawn_config(config, LUNATIC_NO_TAG, "child_writes", 0, &child)) fail("cannot spawn with a config");
  lunatic_monitor(child);
  wait_for(child);
  if (!lunatic_spawn("child_writes", 1, &child)) fail("cannot spawn");
  lunatic_monitor(child);
  wait_for(child);
  say("the root is done\n");
  __builtin_trap();
}

/* A test is over when its root is: a child left running does not hold it up. */
LUNATIC_ENTRY(child_lingers) { lunatic_sleep_ms(60000); }
TEST("capture::leaves_child_running", leaves_child_running) {
  lunatic_process_id child;
  if (!lunatic_spawn("child_lingers", 0, &child)) fail("cannot spawn");
}

/* Writes past the capture's limit must fail, not take the host's memory. */
TEST("capture::floods", floods) {
  static char block[1 << 20];
  memset(block, 'x', sizeof block);
  for (int i = 0; i < 100; ++i) {
    if (write(1, block, sizeof block) < 0) {
      if (errno != EFBIG) fail("the write failed otherwise");
      say("the write was refused\n");
      return;
    }
  }
  fail("100 MiB of output were captured");
}
