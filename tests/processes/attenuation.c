/* Capabilities only narrow (docs/abi.md, Deviations): a new config holds what upstream's
 * does (every permission denied, max_memory u32::MAX, no fuel limit) within its creator's
 * limits, every setter clamps to what the creator has, and a process cannot hand a child
 * more than it has. Upstream Lunatic would let a process that may create configs grant a
 * grandchild anything (10 * X below); this runtime cannot.
 *
 * expect-stdout: new config of the root: can spawn 0, create configs 0, compile 0, max_memory 4294967295, fuel 0
 * expect-stdout: new config of a child limited to 262144 bytes and 5 fuel units: max_memory 262144, fuel [1-5]
 * expect-stdout: setters and getters agree
 * expect-stdout: no spawning: spawn returned 1, error "(?P<err>.+)"
 * expect-stdout: no config creation: create_config returned -1
 * expect-stdout: max_memory X=262144: the child asked for 2621440, got 262144
 * expect-stdout: its grandchild's memory stopped at 4 pages \(262144 bytes\), inherited: 4 pages
 * expect-stdout: max_fuel 5: the child's config reads 5 after asking for none and 5 after asking for 1000
 * expect-stdout: a child that may not spawn cannot grant spawning: 0
 * expect-stdout: attenuation: all ok
 */
#include "common.h"

enum { TAG_REPORT = 1, TAG_TEXT = 2 };

/* Tries to spawn; reports the status and the error's text. */
TEST_ENTRY(try_spawn) {
  uint64_t out = 0;
  uint32_t status = spawn_child(LUNATIC_CONFIG_INHERIT, 0, "try_spawn", 0, &out);
  send_u64(parent, TAG_REPORT, status);
  if (status == 1) {
    char text[200];
    error_text(out, text, sizeof text);
    lunatic_send(parent, TAG_TEXT, text, strlen(text));
  }
}

TEST_ENTRY(try_create_config) {
  send_u64(parent, TAG_REPORT, (uint64_t)lunatic_config_create());
}

/* Grows a page at a time until refused; reports the size in pages. */
TEST_ENTRY(grow_until_refused) {
  while (__builtin_wasm_memory_grow(0, 1) != (size_t)-1) {
  }
  send_u64((uint64_t)arg, TAG_REPORT, __builtin_wasm_memory_size(0));
}

/* Limited to X bytes of memory: asks for 10 * X for a grandchild, reports what the config
 * says, then lets two grandchildren (the config, and its own inherited) grow. */
TEST_ENTRY(memory_granter) {
  lunatic_config_id config = lunatic_config_create();
  CHECK(config != -1);
  lunatic_config_set_max_memory(config, 10 * (uint64_t)arg);
  send_u64(parent, TAG_REPORT, lunatic_raw_process_config_get_max_memory((uint64_t)config));
  CHECK(parent < 0x7FFFFFFF);
  uint64_t id;
  CHECK_EQ(spawn_child(config, 0, "grow_until_refused", (int32_t)parent, &id), 0);
  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 0, "grow_until_refused", (int32_t)parent, &id), 0);
}

TEST_ENTRY(fuel_granter) {
  lunatic_config_id config = lunatic_config_create();
  CHECK(config != -1);
  lunatic_config_set_max_fuel(config, 0); /* 0: no limit */
  send_u64(parent, TAG_REPORT, lunatic_raw_process_config_get_max_fuel((uint64_t)config));
  lunatic_config_set_max_fuel(config, 1000);
  send_u64(parent, TAG_REPORT, lunatic_raw_process_config_get_max_fuel((uint64_t)config));
}

/* Reports what a new config of its own holds: max_memory, then max_fuel. */
TEST_ENTRY(new_config_reporter) {
  lunatic_config_id config = lunatic_config_create();
  CHECK(config != -1);
  send_u64(parent, TAG_REPORT, lunatic_raw_process_config_get_max_memory((uint64_t)config));
  send_u64(parent, TAG_REPORT, lunatic_raw_process_config_get_max_fuel((uint64_t)config));
}

TEST_ENTRY(spawn_granter) {
  lunatic_config_id config = lunatic_config_create();
  CHECK(config != -1);
  lunatic_config_set_can_spawn_processes(config, true);
  send_u64(parent, TAG_REPORT, lunatic_raw_process_config_can_spawn_processes((uint64_t)config));
}

static void spawn_with(lunatic_config_id config, const char* entry, int32_t arg) {
  uint64_t id = 0;
  CHECK_EQ(spawn_child(config, 0, entry, arg, &id), 0);
}

int main(void) {
  uint64_t me = lunatic_self();
  CHECK(me < 0x7FFFFFFF);

  lunatic_config_id config = lunatic_config_create();
  CHECK(config != -1);
  uint64_t c = (uint64_t)config;
  say("new config of the root: can spawn %u, create configs %u, compile %u, max_memory %llu, fuel %llu",
      lunatic_raw_process_config_can_spawn_processes(c),
      lunatic_raw_process_config_can_create_configs(c),
      lunatic_raw_process_config_can_compile_modules(c),
      (unsigned long long)lunatic_raw_process_config_get_max_memory(c),
      (unsigned long long)lunatic_raw_process_config_get_max_fuel(c));
  lunatic_config_drop(config);

  const uint64_t x = 4 * 65536;
  config = lunatic_config_create();
  lunatic_config_set_can_create_configs(config, true);
  lunatic_config_set_max_memory(config, x);
  lunatic_config_set_max_fuel(config, 5);
  spawn_with(config, "new_config_reporter", 0);
  uint64_t child_memory = expect_u64(TAG_REPORT), child_fuel = expect_u64(TAG_REPORT);
  say("new config of a child limited to %llu bytes and 5 fuel units: max_memory %llu, fuel %llu",
      (unsigned long long)x, (unsigned long long)child_memory, (unsigned long long)child_fuel);
  lunatic_config_drop(config);

  config = lunatic_config_create();
  c = (uint64_t)config;
  lunatic_config_set_can_spawn_processes(config, true);
  lunatic_config_set_can_create_configs(config, true);
  lunatic_config_set_can_compile_modules(config, true);
  CHECK_EQ(lunatic_raw_process_config_can_spawn_processes(c), 1);
  CHECK_EQ(lunatic_raw_process_config_can_create_configs(c), 1);
  CHECK_EQ(lunatic_raw_process_config_can_compile_modules(c), 1);
  lunatic_config_set_can_spawn_processes(config, false);
  CHECK_EQ(lunatic_raw_process_config_can_spawn_processes(c), 0);
  lunatic_config_set_max_memory(config, 1 << 20);
  CHECK_EQ(lunatic_raw_process_config_get_max_memory(c), 1 << 20);
  lunatic_config_set_max_fuel(config, 7);
  CHECK_EQ(lunatic_raw_process_config_get_max_fuel(c), 7);
  lunatic_config_drop(config);
  say("setters and getters agree");

  config = lunatic_config_create();
  lunatic_config_set_can_spawn_processes(config, false);
  spawn_with(config, "try_spawn", 0);
  CHECK_EQ(expect_u64(TAG_REPORT), 1);
  char text[200] = {0};
  lunatic_message_info info;
  lunatic_tag tag = TAG_TEXT;
  CHECK_EQ(lunatic_receive(&tag, 1, 5000, text, sizeof text - 1, &info), LUNATIC_RECEIVE_DATA);
  CHECK(info.size > 0);
  say("no spawning: spawn returned 1, error \"%s\"", text);
  lunatic_config_drop(config);

  config = lunatic_config_create();
  lunatic_config_set_can_create_configs(config, false);
  spawn_with(config, "try_create_config", 0);
  CHECK_EQ((int64_t)expect_u64(TAG_REPORT), -1);
  say("no config creation: create_config returned -1");
  lunatic_config_drop(config);

  config = lunatic_config_create();
  lunatic_config_set_can_create_configs(config, true);
  lunatic_config_set_can_spawn_processes(config, true);
  lunatic_config_set_max_memory(config, x);
  spawn_with(config, "memory_granter", (int32_t)x);
  uint64_t granted = expect_u64(TAG_REPORT);
  CHECK(granted <= x);
  say("max_memory X=%llu: the child asked for %llu, got %llu", (unsigned long long)x,
      (unsigned long long)(10 * x), (unsigned long long)granted);
  uint64_t pages1 = expect_u64(TAG_REPORT), pages2 = expect_u64(TAG_REPORT);
  CHECK_EQ(pages1, 4);
  CHECK_EQ(pages2, 4);
  say("its grandchild's memory stopped at %llu pages (%llu bytes), inherited: %llu pages",
      (unsigned long long)pages1, (unsigned long long)(pages1 * 65536), (unsigned long long)pages2);
  lunatic_config_drop(config);

  config = lunatic_config_create();
  lunatic_config_set_can_create_configs(config, true);
  lunatic_config_set_max_fuel(config, 5);
  spawn_with(config, "fuel_granter", 0);
  uint64_t none = expect_u64(TAG_REPORT), thousand = expect_u64(TAG_REPORT);
  CHECK(none >= 1 && none <= 5);
  CHECK(thousand >= 1 && thousand <= 5);
  say("max_fuel 5: the child's config reads %llu after asking for none and %llu after asking for 1000",
      (unsigned long long)none, (unsigned long long)thousand);
  lunatic_config_drop(config);

  config = lunatic_config_create();
  lunatic_config_set_can_create_configs(config, true);
  spawn_with(config, "spawn_granter", 0);
  uint64_t can = expect_u64(TAG_REPORT);
  CHECK_EQ(can, 0);
  say("a child that may not spawn cannot grant spawning: %llu", (unsigned long long)can);
  lunatic_config_drop(config);

  CHECK_EQ(lunatic_receive(NULL, 0, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("attenuation: all ok");
  return 0;
}
