/* Several modules in one executable (lunaticc --module): this program is built with
 * modules_plugin.wasm compiled in, and the folder of both granted read-only as /plugins.
 * compile_module finds a module compiled in by its exact bytes; its handle spawns processes
 * of that module, moves in messages, and the plugin's processes get only what their config
 * grants. Hostile calls end only their caller.
 *
 * expect-stdout: plugin: compiled in, id \d+
 * expect-stdout: plugin: 21 doubled is 42
 * expect-stdout: module -1 in a plugin's process is the plugin: 8 doubled is 16
 * expect-stdout: own bytes: spawned the main module's export through its handle
 * expect-stdout: unknown bytes: 1 "compile_module: these bytes are not a module compiled into this executable .*--module FILE.*"
 * expect-stdout: empty bytes: 1
 * expect-stdout: denied: -1, id untouched
 * expect-stdout: moved: a child took the handle and its plugin doubled 50 to 100
 * expect-stdout: capabilities: the plugin may not connect
 * expect-stdout: bounds: (?P<oob>\d+) died
 * expect-stdout: memory: 64 pages refused, 1 page granted, a config below the initial memory refused
 * expect-stdout: compile_module outside memory: (?P<p1>\d+) died
 * expect-stdout: id pointer outside memory: (?P<p2>\d+) died
 * expect-stdout: spawn of a dropped module: 1 "no such module"
 * expect-stdout: drop of an unknown module: (?P<p4>\d+) died
 * expect-stdout: take_module of an empty index: (?P<p5>\d+) died
 * expect-stdout: push_module of an unknown module: (?P<p6>\d+) died
 * expect-stdout: after all that the plugin still doubles 7 to 14
 * expect-stdout: modules: all ok
 * expect-stderr: lunatic: process {{oob}} failed: out of bounds memory access at .*\bplugin_out_of_bounds\b.*
 * expect-stderr: lunatic: process {{p1}} failed: compile_module: a pointer is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p2}} failed: compile_module: a pointer is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p4}} failed: drop_module: no such module at .*
 * expect-stderr: lunatic: process {{p5}} failed: take_module: the message holds no module at index 3 at .*
 * expect-stderr: lunatic: process {{p6}} failed: push_module: no such module at .*
 */
#include "common.h"

#define OUTSIDE ((void*)(uintptr_t)0xFFFFFFF0u)

static uint8_t plugin[1 << 20];
static size_t plugin_size;
static uint8_t own[1 << 22];
static size_t own_size;

static size_t read_file(const char* path, uint8_t* buffer, size_t cap) {
  FILE* file = fopen(path, "rb");
  CHECK(file != NULL);
  size_t size = fread(buffer, 1, cap, file);
  CHECK(size > 0 && size < cap);
  fclose(file);
  return size;
}

/* The plugin's bytes, read into this process's memory (each process has its own). */
static void read_plugin(void) {
  plugin_size = read_file("/plugins/processes_modules_plugin.wasm", plugin, sizeof plugin);
}

static uint64_t compile_ok(const void* bytes, size_t size) {
  uint64_t module = 0;
  CHECK_EQ(lunatic_module_compile(bytes, size, &module), LUNATIC_COMPILE_OK);
  return module;
}

/* Spawns `entry`(self, arg) of `module` with `config`; the process id. */
static uint64_t spawn_in(uint64_t module, lunatic_config_id config, const char* entry, int32_t arg) {
  uint8_t params[2 * LUNATIC_PARAM_SIZE];
  param_i64(params, (int64_t)lunatic_self());
  lunatic_param_i32(params + LUNATIC_PARAM_SIZE, arg);
  uint64_t id = 0;
  CHECK_EQ(lunatic_raw_process_spawn(0, config, (int64_t)module, entry, strlen(entry), params, sizeof params, &id), 0);
  return id;
}

static uint64_t doubled(uint64_t module, uint64_t value) {
  send_u64(spawn_in(module, LUNATIC_CONFIG_INHERIT, "plugin_double", 0), 1, value);
  return expect_u64(2);
}

/* A main-module export spawned through the handle of the program's own bytes. */
TEST_ENTRY(own_export) { send_u64(parent, 9, 1); }

/* Spawned with a config that may not compile modules (nor read /plugins: a new config grants
 * no directory), so it hands over the bytes the plugin file begins with. */
TEST_ENTRY(denied) {
  uint64_t id = 12345;
  static const uint8_t header[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  int32_t status = lunatic_module_compile(header, sizeof header, &id);
  say("denied: %d, id %s", status, id == 12345 ? "untouched" : "written");
  send_u64(parent, 6, 0);
}

/* Takes a module handle from the message it is sent (tag 7) and spawns the plugin from it. */
TEST_ENTRY(relay) {
  lunatic_tag tag = 7;
  CHECK_EQ(lunatic_raw_message_receive(&tag, 1, 5000), LUNATIC_RECEIVE_DATA);
  uint64_t module = lunatic_raw_message_take_module(0);
  uint64_t result = doubled(module, 50);
  send_u64(parent, 8, result);
}

/* Hostile calls, each of which must end only its caller. */
TEST_ENTRY(compile_outside) {
  uint64_t id;
  (void)lunatic_raw_process_compile_module(OUTSIDE, 64, &id);
}
TEST_ENTRY(id_outside) {
  read_plugin();
  (void)lunatic_raw_process_compile_module(plugin, plugin_size, OUTSIDE);
}
TEST_ENTRY(drop_unknown) { lunatic_module_drop(987654); }
TEST_ENTRY(take_bad_index) {
  read_plugin();
  uint64_t module = compile_ok(plugin, plugin_size);
  lunatic_raw_message_create_data(1, 0);
  (void)lunatic_raw_message_push_module(module);
  (void)lunatic_raw_message_take_module(3);
}
TEST_ENTRY(push_unknown) {
  lunatic_raw_message_create_data(1, 0);
  (void)lunatic_raw_message_push_module(424242);
}

int main(int argc, char** argv) {
  (void)argc;
  read_plugin();
  char own_path[256];
  const char* name = strrchr(argv[0], '/');
  snprintf(own_path, sizeof own_path, "/plugins/%s.wasm", name ? name + 1 : argv[0]);
  own_size = read_file(own_path, own, sizeof own);
  char text[512];

  uint64_t module = compile_ok(plugin, plugin_size);
  say("plugin: compiled in, id %llu", (unsigned long long)module);
  say("plugin: 21 doubled is %llu", (unsigned long long)doubled(module, 21));

  spawn_in(module, LUNATIC_CONFIG_INHERIT, "plugin_spawns_itself", 8);
  say("module -1 in a plugin's process is the plugin: 8 doubled is %llu", (unsigned long long)expect_u64(10));

  uint64_t self_module = compile_ok(own, own_size);
  spawn_in(self_module, LUNATIC_CONFIG_INHERIT, "own_export", 0);
  CHECK_EQ(expect_u64(9), 1);
  say("own bytes: spawned the main module's export through its handle");

  uint64_t error = 0;
  plugin[plugin_size / 2] ^= 1;
  int32_t status = lunatic_module_compile(plugin, plugin_size, &error);
  plugin[plugin_size / 2] ^= 1;
  say("unknown bytes: %d \"%s\"", status, error_text(error, text, sizeof text));
  status = lunatic_module_compile(plugin, 0, &error);
  lunatic_error_drop(error);
  say("empty bytes: %d", status);

  lunatic_config_id config = lunatic_config_create();
  lunatic_config_set_can_spawn_processes(config, true);
  lunatic_config_set_can_compile_modules(config, false);
  CHECK_EQ(spawn_child(config, 0, "denied", 0, &error), 0);
  expect_u64(6);
  lunatic_config_drop(config);

  uint64_t relay = spawn_ok("relay", 0);
  lunatic_raw_message_create_data(7, 0);
  CHECK_EQ(lunatic_raw_message_push_module(module), 0);
  lunatic_raw_message_send(relay);
  say("moved: a child took the handle and its plugin doubled 50 to %llu", (unsigned long long)expect_u64(8));

  /* A plugin process gets what its config grants and no more. */
  config = lunatic_config_create();
  lunatic_config_set_can_connect(config, false);
  spawn_in(module, config, "plugin_connect", 0);
  CHECK_EQ(expect_u64(3), 1);
  say("capabilities: the plugin may not connect");

  uint64_t oob = spawn_in(module, LUNATIC_CONFIG_INHERIT, "plugin_out_of_bounds", 0);
  lunatic_monitor(oob);
  expect_died(oob);
  say("bounds: %llu died", (unsigned long long)oob);

  lunatic_config_set_max_memory(config, 4 * 65536);
  spawn_in(module, config, "plugin_grow", 64);
  CHECK_EQ((int64_t)expect_u64(5), -1);
  spawn_in(module, config, "plugin_grow", 1);
  CHECK((int64_t)expect_u64(5) > 0);
  lunatic_config_set_max_memory(config, 65536);
  uint8_t params[2 * LUNATIC_PARAM_SIZE];
  param_i64(params, (int64_t)lunatic_self());
  lunatic_param_i32(params + LUNATIC_PARAM_SIZE, 1);
  CHECK_EQ(lunatic_raw_process_spawn(0, config, (int64_t)module, "plugin_grow", 11, params, sizeof params, &error), 1);
  lunatic_error_drop(error);
  lunatic_config_drop(config);
  say("memory: 64 pages refused, 1 page granted, a config below the initial memory refused");

  expect_entry_dies("compile_outside", "compile_module outside memory");
  expect_entry_dies("id_outside", "id pointer outside memory");
  uint64_t dropped = compile_ok(plugin, plugin_size);
  lunatic_module_drop((lunatic_module_id)dropped);
  CHECK_EQ(lunatic_raw_process_spawn(0, -1, (int64_t)dropped, "plugin_double", 13, params, sizeof params, &error), 1);
  say("spawn of a dropped module: 1 \"%s\"", error_text(error, text, sizeof text));
  expect_entry_dies("drop_unknown", "drop of an unknown module");
  expect_entry_dies("take_bad_index", "take_module of an empty index");
  expect_entry_dies("push_unknown", "push_module of an unknown module");

  say("after all that the plugin still doubles 7 to %llu", (unsigned long long)doubled(module, 7));
  lunatic_module_drop((lunatic_module_id)module);
  lunatic_module_drop((lunatic_module_id)self_module);
  say("modules: all ok");
  return 0;
}
