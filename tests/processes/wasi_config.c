/* WASI views (lunatic::wasi, docs/abi.md): the root process sees exactly what the executable
 * was built with (--env, --dir) and run with (its arguments, LUNATIC_ENV_*, LUNATIC_DIRS); a
 * child spawned with its parent's config sees the same, one spawned with a new config only
 * what lunatic::wasi added to it, even if the config changes after the spawn. A config gets
 * a directory only from inside the caller's own, opened beneath the caller's grant it is
 * found under (compared by path components), so that ".." and symlinks cannot lead out of
 * it; a refusal or bad input ends the caller with one line.
 *
 * CMakeLists.txt builds this with --env FROM_FLAG=flag --env OVERRIDDEN=flag --dir TREE::/tree,
 * where TREE holds inner/, inner/deeper/, innerx/, alias -> inner, escape -> a directory
 * outside TREE, and inner/sneak -> ../innerx. The runner grants /sandbox and /other through
 * LUNATIC_DIRS and the variables below through LUNATIC_ENV_*.
 *
 * args: "second word" third
 * env: FROM_RUN=run
 * env: OVERRIDDEN=run
 * given-file: /sandbox/file.txt: not a directory
 *
 * expect-stdout: root args: \[[^|]*processes_wasi_config\|second word\|third\]
 * expect-stdout: root env: \[FROM_FLAG=flag\|OVERRIDDEN=run\|FROM_RUN=run\]
 * expect-stdout: inherited args: \[[^|]*processes_wasi_config\|second word\|third\]
 * expect-stdout: inherited env: \[FROM_FLAG=flag\|OVERRIDDEN=run\|FROM_RUN=run\]
 * expect-stdout: new config args: \[\]
 * expect-stdout: new config env: \[\]
 * expect-stdout: added to args: \[prog\|x y\]
 * expect-stdout: added to env: \[CHILD=1\|EMPTY=\|TWICE=second\]
 * expect-stdout: spawned before a change args: \[\]
 * expect-stdout: spawned before a change env: \[BEFORE=1\]
 * expect-stdout: spawned after a change args: \[\]
 * expect-stdout: spawned after a change env: \[BEFORE=1\|AFTER=2\]
 * expect-stdout: the root preopened /tree/inner, /tree/alias, /tree/./inner//deeper/, /sandbox, /other
 * expect-stdout: a child given /tree/inner preopened /tree/inner and /tree/inner/deeper
 * expect-stdout: refused /tree to a child given /tree/inner: (?P<r1>\d+) died
 * expect-stdout: refused /tree/innerx to a child given /tree/inner: (?P<r2>\d+) died
 * expect-stdout: refused /tree/inner/sneak to a child given /tree/inner: (?P<r3>\d+) died
 * expect-stdout: refused /tree/inner/.. to a child given /tree/inner: (?P<r4>\d+) died
 * expect-stdout: refused /tree/escape to a child with the root's view: (?P<r5>\d+) died
 * expect-stdout: refused /other/.. to a child with the root's view: (?P<r6>\d+) died
 * expect-stdout: refused /etc to a child with the root's view: (?P<r7>\d+) died
 * expect-stdout: refused /sandbox/missing to a child with the root's view: (?P<r8>\d+) died
 * expect-stdout: refused /sandbox/file.txt to a child with the root's view: (?P<r9>\d+) died
 * expect-stdout: a key outside memory: (?P<b1>\d+) died
 * expect-stdout: a key holding '=': (?P<b2>\d+) died
 * expect-stdout: an argument that is not UTF-8: (?P<b3>\d+) died
 * expect-stdout: preopen on an unknown config: (?P<b4>\d+) died
 * expect-stdout: wasi config: all ok
 * expect-stderr: lunatic: process {{r1}} failed: config_preopen_dir: /tree: not inside a directory this process was granted at .*
 * expect-stderr: lunatic: process {{r2}} failed: config_preopen_dir: /tree/innerx: not inside a directory this process was granted at .*
 * expect-stderr: lunatic: process {{r3}} failed: config_preopen_dir: /tree/inner/sneak: leads outside the granted directory /tree/inner at .*
 * expect-stderr: lunatic: process {{r4}} failed: config_preopen_dir: /tree/inner/\.\.: leads outside the granted directory /tree/inner at .*
 * expect-stderr: lunatic: process {{r5}} failed: config_preopen_dir: /tree/escape: leads outside the granted directory /tree at .*
 * expect-stderr: lunatic: process {{r6}} failed: config_preopen_dir: /other/\.\.: leads outside the granted directory /other at .*
 * expect-stderr: lunatic: process {{r7}} failed: config_preopen_dir: /etc: not inside a directory this process was granted at .*
 * expect-stderr: lunatic: process {{r8}} failed: config_preopen_dir: /sandbox/missing: No such file or directory at .*
 * expect-stderr: lunatic: process {{r9}} failed: config_preopen_dir: /sandbox/file.txt: not a directory at .*
 * expect-stderr: lunatic: process {{b1}} failed: config_add_environment_variable: a string is outside the process's memory at .*\bbad_key_pointer\b.*
 * expect-stderr: lunatic: process {{b2}} failed: config_add_environment_variable: the key is empty or holds '=' at .*\bbad_key\b.*
 * expect-stderr: lunatic: process {{b3}} failed: config_add_command_line_argument: a string is not UTF-8 at .*\bbad_argument\b.*
 * expect-stderr: lunatic: process {{b4}} failed: config_preopen_dir: no such config at .*\bbad_config\b.*
 */
#include <wasi/api.h>

#include "common.h"

#define OUTSIDE ((const char*)(uintptr_t)0xFFFFFFF0u)

enum { TAG_GO = 1 };

/* Writes the strings WASI gives this process, its arguments or its environment, as
 * "[a|b|c]". */
static void wasi_strings(bool environment, char* out, size_t cap) {
  __wasi_size_t count = 0, size = 0;
  CHECK_EQ(environment ? __wasi_environ_sizes_get(&count, &size) : __wasi_args_sizes_get(&count, &size), 0);
  uint8_t** strings = calloc(count + 1, sizeof *strings);
  uint8_t* buffer = malloc(size + 1);
  CHECK(strings && buffer);
  CHECK_EQ(environment ? __wasi_environ_get(strings, buffer) : __wasi_args_get(strings, buffer), 0);
  size_t at = (size_t)snprintf(out, cap, "[");
  for (__wasi_size_t i = 0; i < count && at < cap; ++i) {
    at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? "|" : "", (const char*)strings[i]);
  }
  if (at < cap) snprintf(out + at, cap - at, "]");
  free(strings);
  free(buffer);
}

static void report_view(const char* label) {
  char args[600], env[600];
  wasi_strings(false, args, sizeof args);
  wasi_strings(true, env, sizeof env);
  say("%s args: %s", label, args);
  say("%s env: %s", label, env);
}

static const char* const labels[] = {"inherited", "new config", "added to", "spawned before a change",
                                     "spawned after a change"};

/* Waits for the root's go, then reports its view under labels[arg]. */
TEST_ENTRY(reporter) {
  CHECK_EQ(expect_u64(TAG_GO), 0);
  report_view(labels[arg]);
}

static uint64_t spawn_monitored(lunatic_config_id config, const char* entry, int32_t arg) {
  uint64_t id = 0;
  CHECK_EQ(spawn_child(config, 0, entry, arg, &id), 0);
  lunatic_monitor(id);
  return id;
}

/* Lets a reporter report and waits for its end, so reports come in order. */
static void let_report(uint64_t id) {
  send_u64(id, TAG_GO, 0);
  expect_died(id);
}

/* Directories a child asks to preopen, refused: the config the child was spawned with
 * ("/tree/inner" only, or the root's view) and the path. */
static const struct {
  bool given_inner_only;
  const char* dir;
} refusals[] = {
    {true, "/tree"},           {true, "/tree/innerx"},          {true, "/tree/inner/sneak"},
    {true, "/tree/inner/.."},  {false, "/tree/escape"},         {false, "/other/.."},
    {false, "/etc"},           {false, "/sandbox/missing"},     {false, "/sandbox/file.txt"},
};

TEST_ENTRY(preopen_refused) {
  lunatic_config_preopen_dir(lunatic_config_create(), refusals[arg].dir);
  say("FAIL preopening %s returned", refusals[arg].dir);
}

TEST_ENTRY(preopen_inside) {
  lunatic_config_id config = lunatic_config_create();
  lunatic_config_preopen_dir(config, "/tree/inner");
  lunatic_config_preopen_dir(config, "/tree/inner/deeper");
  say("a child given /tree/inner preopened /tree/inner and /tree/inner/deeper");
}

TEST_ENTRY(bad_key_pointer) {
  lunatic_raw_wasi_config_add_environment_variable((uint64_t)lunatic_config_create(), OUTSIDE, 4, "v", 1);
  say("FAIL a key outside memory was accepted");
}

TEST_ENTRY(bad_key) {
  lunatic_config_add_env(lunatic_config_create(), "A=B", "v");
  say("FAIL a key holding '=' was accepted");
}

TEST_ENTRY(bad_argument) {
  lunatic_config_add_arg(lunatic_config_create(), "\xff");
  say("FAIL an argument that is not UTF-8 was accepted");
}

TEST_ENTRY(bad_config) {
  lunatic_config_preopen_dir(12345, "/tree");
  say("FAIL preopen on an unknown config returned");
}

static void expect_child_dies(lunatic_config_id config, const char* entry, int32_t arg, const char* what) {
  uint64_t id = spawn_monitored(config, entry, arg);
  expect_died(id);
  say("%s: %llu died", what, (unsigned long long)id);
}

int main(void) {
  report_view("root");
  let_report(spawn_monitored(LUNATIC_CONFIG_INHERIT, "reporter", 0));
  lunatic_config_id config = lunatic_config_create();
  let_report(spawn_monitored(config, "reporter", 1));

  lunatic_config_add_arg(config, "prog");
  lunatic_config_add_arg(config, "x y");
  lunatic_config_add_env(config, "CHILD", "1");
  lunatic_config_add_env(config, "EMPTY", "");
  lunatic_config_add_env(config, "TWICE", "first");
  lunatic_config_add_env(config, "TWICE", "second");
  let_report(spawn_monitored(config, "reporter", 2));
  lunatic_config_drop(config);

  /* Processes share a config's view until the config changes. */
  config = lunatic_config_create();
  lunatic_config_add_env(config, "BEFORE", "1");
  uint64_t before = spawn_monitored(config, "reporter", 3);
  lunatic_config_add_env(config, "AFTER", "2");
  uint64_t after = spawn_monitored(config, "reporter", 4);
  let_report(before);
  let_report(after);
  lunatic_config_drop(config);

  config = lunatic_config_create();
  lunatic_config_preopen_dir(config, "/tree/inner");
  lunatic_config_preopen_dir(config, "/tree/alias");
  lunatic_config_preopen_dir(config, "/tree/./inner//deeper/");
  lunatic_config_preopen_dir(config, "/sandbox");
  lunatic_config_preopen_dir(config, "/other");
  say("the root preopened /tree/inner, /tree/alias, /tree/./inner//deeper/, /sandbox, /other");
  lunatic_config_drop(config);

  lunatic_config_id inner_only = lunatic_config_create();
  lunatic_config_preopen_dir(inner_only, "/tree/inner");
  expect_died(spawn_monitored(inner_only, "preopen_inside", 0));
  for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; ++i) {
    char what[200];
    snprintf(what, sizeof what, "refused %s to a child %s", refusals[i].dir,
             refusals[i].given_inner_only ? "given /tree/inner" : "with the root's view");
    expect_child_dies(refusals[i].given_inner_only ? inner_only : LUNATIC_CONFIG_INHERIT, "preopen_refused",
                      (int32_t)i, what);
  }
  lunatic_config_drop(inner_only);

  expect_child_dies(LUNATIC_CONFIG_INHERIT, "bad_key_pointer", 0, "a key outside memory");
  expect_child_dies(LUNATIC_CONFIG_INHERIT, "bad_key", 0, "a key holding '='");
  expect_child_dies(LUNATIC_CONFIG_INHERIT, "bad_argument", 0, "an argument that is not UTF-8");
  expect_child_dies(LUNATIC_CONFIG_INHERIT, "bad_config", 0, "preopen on an unknown config");
  say("wasi config: all ok");
  return 0;
}
