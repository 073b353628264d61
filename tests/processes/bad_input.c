/* Bad input from a guest. Malformed spawn requests come back as errors; a pointer or an id
 * that no call can accept ends only the calling process, with a log line naming the
 * function and then the usual failure line; ids of processes that never existed are
 * harmless to send to, kill, unlink, stop monitoring and ask about; monitoring or linking
 * one reports its death at once (docs/abi.md, Deviations). Another process runs throughout
 * and still answers at the end.
 *
 * expect-stdout: params of 16 bytes: 1 "malformed parameters"
 * expect-stdout: type byte 0x00: 1 "malformed parameters"
 * expect-stdout: i64 for an i32 export: 1 "parameters do not match .*"
 * expect-stdout: no such export: 1 "no exported function no_such_function"
 * expect-stdout: module id 5: 1 ".+"
 * expect-stdout: compile_module: 1 "compile_module: these bytes are not a module compiled into this executable .+"
 * expect-stdout: spawn with id_ptr 0xFFFFFFF0: (?P<p1>\d+) died
 * expect-stdout: spawn with a name outside memory: (?P<p2>\d+) died
 * expect-stdout: write_data from 0xFFFFFFF0: (?P<p3>\d+) died
 * expect-stdout: read_data to 0xFFFFFFF0: (?P<p4>\d+) died
 * expect-stdout: receive with tags at 0xFFFFFFF0: (?P<p5>\d+) died
 * expect-stdout: registry get to 0xFFFFFFF0: (?P<p6>\d+) died
 * expect-stdout: send with no message built: (?P<p7>\d+) died
 * expect-stdout: drop_config of an unknown id: (?P<p8>\d+) died
 * expect-stdout: config_set_max_memory of an unknown id: (?P<p9>\d+) died
 * expect-stdout: error string of an unknown id: (?P<p10>\d+) died
 * expect-stdout: unknown process ids: send, send_after, kill, unlink, stop_monitoring, exists harmless
 * expect-stdout: monitor of an unknown id: PROCESS_DIED at once for it
 * expect-stdout: link to an unknown id while catching: LINK_DIED at once with tag 66
 * expect-stdout: link to an unknown id in the default mode: the caller (?P<p11>\d+) died
 * expect-stdout: the bystander still answers
 * expect-stdout: bad input: all ok
 * expect-stderr: lunatic: process {{p1}} failed: spawn: .*outside.* at .*\bbad_spawn_id\b.*
 * expect-stderr: lunatic: process {{p2}} failed: spawn: .*outside.* at .*\bbad_spawn_name\b.*
 * expect-stderr: lunatic: process {{p3}} failed: write_data: .*outside.* at .*\bbad_write\b.*
 * expect-stderr: lunatic: process {{p4}} failed: read_data: .*outside.* at .*\bbad_read\b.*
 * expect-stderr: lunatic: process {{p5}} failed: receive: .*outside.* at .*\bbad_receive\b.*
 * expect-stderr: lunatic: process {{p6}} failed: get: .*outside.* at .*\bbad_registry_get\b.*
 * expect-stderr: lunatic: process {{p7}} failed: send: .*create_data.* at .*\bsend_nothing\b.*
 * expect-stderr: lunatic: process {{p8}} failed: drop_config: no such config at .*\bbad_drop_config\b.*
 * expect-stderr: lunatic: process {{p9}} failed: config_set_max_memory: no such config at .*\bbad_config_set\b.*
 * expect-stderr: lunatic: process {{p10}} failed: string_size: no such error at .*\bbad_error\b.*
 */
#include "common.h"

#define OUTSIDE ((void*)(uintptr_t)0xFFFFFFF0u)
#define UNKNOWN_PID ((uint64_t)1 << 40)

enum { TAG_PING = 1, TAG_PONG = 2 };

TEST_ENTRY(bystander) {
  for (;;) {
    uint64_t from = expect_u64(TAG_PING);
    send_u64(from, TAG_PONG, from);
  }
}

TEST_ENTRY(takes_i32) { (void)parent; }

TEST_ENTRY(bad_spawn_id) {
  uint8_t params[2 * LUNATIC_PARAM_SIZE];
  param_i64(params, 0);
  lunatic_param_i32(params + LUNATIC_PARAM_SIZE, 0);
  (void)lunatic_raw_process_spawn(0, -1, -1, "takes_i32", 9, params, sizeof params, OUTSIDE);
  say("FAIL spawn with id_ptr outside memory returned");
}

TEST_ENTRY(bad_spawn_name) {
  uint64_t id;
  (void)lunatic_raw_process_spawn(0, -1, -1, OUTSIDE, 9, NULL, 0, &id);
  say("FAIL spawn with a name outside memory returned");
}

TEST_ENTRY(bad_write) {
  lunatic_raw_message_create_data(0, 0);
  (void)lunatic_raw_message_write_data(OUTSIDE, 32);
  say("FAIL write_data from outside memory returned");
}

TEST_ENTRY(bad_read) {
  send_u64(lunatic_self(), 3, 42);
  CHECK_EQ(lunatic_raw_message_receive(NULL, 0, 1000), LUNATIC_RECEIVE_DATA);
  (void)lunatic_raw_message_read_data(OUTSIDE, 32);
  say("FAIL read_data to outside memory returned");
}

TEST_ENTRY(bad_receive) {
  (void)lunatic_raw_message_receive(OUTSIDE, 4, 0);
  say("FAIL receive with tags outside memory returned");
}

TEST_ENTRY(bad_registry_get) {
  lunatic_registry_put("somebody", lunatic_self());
  (void)lunatic_raw_registry_get("somebody", 8, OUTSIDE, OUTSIDE);
  say("FAIL registry get to outside memory returned");
}

TEST_ENTRY(send_nothing) {
  (void)lunatic_raw_message_send(parent);
  say("FAIL send with no message built returned");
}

TEST_ENTRY(bad_drop_config) {
  lunatic_raw_process_drop_config(12345);
  say("FAIL drop_config of an unknown id returned");
}

TEST_ENTRY(bad_config_set) {
  lunatic_raw_process_config_set_max_memory(12345, 65536);
  say("FAIL config_set_max_memory of an unknown id returned");
}

TEST_ENTRY(bad_error) {
  (void)lunatic_raw_error_string_size(777);
  say("FAIL string_size of an unknown error returned");
}

/* Links to an unknown id in the default mode, which kills it (see kill_while_running.c). */
TEST_ENTRY(link_unknown) {
  lunatic_link(UNKNOWN_PID, 5);
  (void)lunatic_receive(NULL, 0, 3000, NULL, 0, NULL);
  say("FAIL a process linked to an unknown id in the default mode lived on");
}

/* Spawns `entry` with raw `params`; expects 1 and returns the error's text. */
static const char* spawn_error(const char* entry, const void* params, size_t len, int64_t module,
                               char* text, size_t cap) {
  uint64_t out = 0;
  CHECK_EQ(lunatic_raw_process_spawn(0, -1, module, entry, strlen(entry), params, len, &out), 1);
  return error_text(out, text, cap);
}

int main(void) {
  uint64_t me = lunatic_self();
  uint64_t bystander = spawn_ok("bystander", 0);
  char text[320];

  uint8_t params[2 * LUNATIC_PARAM_SIZE];
  param_i64(params, (int64_t)me);
  lunatic_param_i32(params + LUNATIC_PARAM_SIZE, 1);
  say("params of 16 bytes: 1 \"%s\"", spawn_error("takes_i32", params, 16, -1, text, sizeof text));
  params[0] = 0x00;
  say("type byte 0x00: 1 \"%s\"",
      spawn_error("takes_i32", params, sizeof params, -1, text, sizeof text));
  param_i64(params, (int64_t)me);
  param_i64(params + LUNATIC_PARAM_SIZE, 1);
  say("i64 for an i32 export: 1 \"%s\"",
      spawn_error("takes_i32", params, sizeof params, -1, text, sizeof text));
  lunatic_param_i32(params + LUNATIC_PARAM_SIZE, 1);
  say("no such export: 1 \"%s\"",
      spawn_error("no_such_function", params, sizeof params, -1, text, sizeof text));
  say("module id 5: 1 \"%s\"", spawn_error("takes_i32", params, sizeof params, 5, text, sizeof text));
  uint64_t module = 0;
  CHECK_EQ(lunatic_raw_process_compile_module("\0asm\1\0\0\0", 8, &module), 1);
  say("compile_module: 1 \"%s\"", error_text(module, text, sizeof text));

  expect_entry_dies("bad_spawn_id", "spawn with id_ptr 0xFFFFFFF0");
  expect_entry_dies("bad_spawn_name", "spawn with a name outside memory");
  expect_entry_dies("bad_write", "write_data from 0xFFFFFFF0");
  expect_entry_dies("bad_read", "read_data to 0xFFFFFFF0");
  expect_entry_dies("bad_receive", "receive with tags at 0xFFFFFFF0");
  expect_entry_dies("bad_registry_get", "registry get to 0xFFFFFFF0");
  expect_entry_dies("send_nothing", "send with no message built");
  expect_entry_dies("bad_drop_config", "drop_config of an unknown id");
  expect_entry_dies("bad_config_set", "config_set_max_memory of an unknown id");
  expect_entry_dies("bad_error", "error string of an unknown id");

  lunatic_message_create(9, "lost", 4);
  CHECK_EQ(lunatic_raw_message_send(UNKNOWN_PID), 0);
  (void)lunatic_send_after(UNKNOWN_PID, 9, "lost", 4, 1);
  lunatic_kill(UNKNOWN_PID);
  lunatic_unlink(UNKNOWN_PID);
  lunatic_stop_monitoring(UNKNOWN_PID);
  CHECK(!lunatic_exists(UNKNOWN_PID));
  lunatic_kill(0);
  CHECK(!lunatic_exists(0));
  lunatic_sleep_ms(20); /* the timer has fired into nothing */
  CHECK_EQ(lunatic_receive(NULL, 0, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("unknown process ids: send, send_after, kill, unlink, stop_monitoring, exists harmless");

  lunatic_monitor(UNKNOWN_PID);
  expect_died(UNKNOWN_PID);
  say("monitor of an unknown id: PROCESS_DIED at once for it");

  lunatic_die_when_link_dies(false);
  lunatic_link(UNKNOWN_PID, 66);
  lunatic_message_info info;
  lunatic_tag tag = 66;
  CHECK_EQ(lunatic_receive(&tag, 1, 1000, NULL, 0, &info), LUNATIC_RECEIVE_LINK_DIED);
  CHECK_EQ(info.tag, 66);
  lunatic_die_when_link_dies(true);
  say("link to an unknown id while catching: LINK_DIED at once with tag 66");

  uint64_t id = spawn_ok("link_unknown", 0);
  lunatic_monitor(id);
  int64_t start = now_ms();
  expect_died(id);
  CHECK(now_ms() - start < 1000);
  say("link to an unknown id in the default mode: the caller %llu died", (unsigned long long)id);

  send_u64(bystander, TAG_PING, me);
  CHECK_EQ(expect_u64(TAG_PONG), me);
  say("the bystander still answers");
  CHECK_EQ(lunatic_receive(NULL, 0, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("bad input: all ok");
  return 0;
}
