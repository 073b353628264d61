/* common.h: what the guest programs of tests/processes share.
 *
 * Output: say() writes one whole line to stdout with one write(), so lines of processes
 * running on different threads never interleave and nothing is lost in a stdio buffer when
 * a process dies. The runner (run_guest_test.py) fails a test when any line starts with
 * "FAIL", and checks the lines each program's header lists.
 *
 * Assertions: CHECK and CHECK_EQ print "FAIL file:line: ..." and end the process with
 * exit(1). In a child process that ends only the child; the root notices the missing reply
 * and the runner notices the FAIL line.
 *
 * Children: TEST_ENTRY(name) defines an export taking (u64 parent, i32 arg), spawned with
 * spawn_child(); it also exercises spawning with i64 and i32 parameter records.
 */
#ifndef PROCESSES_COMMON_H
#define PROCESSES_COMMON_H

#include <lunatic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline void say(const char* format, ...) __attribute__((format(printf, 1, 2)));
static inline void say(const char* format, ...) {
  char line[1024];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(line, sizeof line - 1, format, args);
  va_end(args);
  if (n < 0) n = 0;
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  (void)write(1, line, (size_t)n);
}

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      say("FAIL %s:%d: %s (process %llu)", __FILE__, __LINE__, #cond,        \
          (unsigned long long)lunatic_self());                               \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

#define CHECK_EQ(actual, expected)                                                       \
  do {                                                                                   \
    long long actual_ = (long long)(actual), expected_ = (long long)(expected);          \
    if (actual_ != expected_) {                                                          \
      say("FAIL %s:%d: %s is %lld, expected %lld (process %llu)", __FILE__, __LINE__,    \
          #actual, actual_, expected_, (unsigned long long)lunatic_self());              \
      exit(1);                                                                           \
    }                                                                                    \
  } while (0)

/* Monotonic time in milliseconds, as the guest sees it through WASI. */
static inline int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A child entry point of two parameters: the spawning process's id and an i32. */
#define TEST_ENTRY(name)                                                          \
  __attribute__((export_name(#name))) void name(uint64_t parent __attribute__((unused)), \
                                                int32_t arg __attribute__((unused)))

/* Writes a 17-byte i64 parameter record. */
static inline void param_i64(uint8_t record[LUNATIC_PARAM_SIZE], int64_t value) {
  memset(record, 0, LUNATIC_PARAM_SIZE);
  record[0] = LUNATIC_PARAM_I64;
  for (int i = 0; i < 8; ++i) record[1 + i] = (uint8_t)((uint64_t)value >> (8 * i));
}

/* Spawns TEST_ENTRY `entry`(self, arg) with `config` (LUNATIC_CONFIG_INHERIT for the
 * caller's), linked under `link` unless 0. Returns spawn's status: 0 and the process id in
 * *out, or 1 and an error id in *out. */
static inline uint32_t spawn_child(lunatic_config_id config, lunatic_tag link, const char* entry,
                                   int32_t arg, uint64_t* out) {
  uint8_t params[2 * LUNATIC_PARAM_SIZE];
  param_i64(params, (int64_t)lunatic_self());
  lunatic_param_i32(params + LUNATIC_PARAM_SIZE, arg);
  return lunatic_raw_process_spawn(link, config, LUNATIC_MODULE_SELF, entry, strlen(entry), params,
                                   sizeof params, out);
}

/* spawn_child with the caller's config and no link, which must succeed. */
static inline uint64_t spawn_ok(const char* entry, int32_t arg) {
  uint64_t id = 0;
  uint32_t status = spawn_child(LUNATIC_CONFIG_INHERIT, 0, entry, arg, &id);
  CHECK_EQ(status, 0);
  return id;
}

/* Sends a message of one u64 tagged `tag`. */
static inline void send_u64(lunatic_process_id to, lunatic_tag tag, uint64_t value) {
  lunatic_send(to, tag, &value, sizeof value);
}

/* Receives a message with `tag` (any message if tag is 0) within `timeout_ms`; fills
 * *info and copies up to 8 bytes of data to *value if given. */
static inline lunatic_receive_status receive_tag(lunatic_tag tag, uint64_t timeout_ms,
                                                 uint64_t* value, lunatic_message_info* info) {
  uint64_t data = 0;
  lunatic_message_info local;
  lunatic_receive_status status =
      lunatic_receive(&tag, tag ? 1 : 0, timeout_ms, &data, sizeof data, info ? info : &local);
  if (value) *value = data;
  return status;
}

/* The value of the last u64 message tagged `tag` that a monitored child sends before it
 * dies (0 if none); fails on any other message, or on `timeout_ms` without one. */
static inline uint64_t last_u64_before_death(lunatic_tag tag, uint64_t timeout_ms) {
  uint64_t last = 0;
  for (;;) {
    uint64_t value = 0;
    lunatic_message_info info;
    lunatic_receive_status status = receive_tag(0, timeout_ms, &value, &info);
    if (status == LUNATIC_RECEIVE_PROCESS_DIED) return last;
    CHECK_EQ(status, LUNATIC_RECEIVE_DATA);
    CHECK_EQ(info.tag, tag);
    last = value;
  }
}

/* Receives a u64 data message tagged `tag` within 5 s, or fails. */
static inline uint64_t expect_u64(lunatic_tag tag) {
  uint64_t value = 0;
  lunatic_message_info info;
  lunatic_receive_status status = receive_tag(tag, 5000, &value, &info);
  CHECK_EQ(status, LUNATIC_RECEIVE_DATA);
  CHECK_EQ(info.tag, tag);
  CHECK_EQ(info.size, 8);
  return value;
}

/* Waits up to 5 s for the PROCESS_DIED message of `pid` (which must be monitored). The
 * mailbox must hold no other untagged message meanwhile. */
static inline void expect_died(lunatic_process_id pid) {
  lunatic_message_info info;
  lunatic_receive_status status = lunatic_receive(NULL, 0, 5000, NULL, 0, &info);
  CHECK_EQ(status, LUNATIC_RECEIVE_PROCESS_DIED);
  CHECK_EQ(info.process, pid);
  CHECK_EQ(info.tag, 0);
}

/* Spawns TEST_ENTRY `entry`(self, arg) with the caller's config and waits up to `timeout_ms`
 * for its end, which the mailbox must hold no other untagged message meanwhile; returns its
 * id. */
static inline uint64_t run_until_it_ends(const char* entry, int32_t arg, uint64_t timeout_ms) {
  uint64_t id = 0;
  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 0, entry, arg, &id), 0);
  lunatic_monitor(id);
  lunatic_message_info info;
  CHECK_EQ(lunatic_receive(NULL, 0, timeout_ms, NULL, 0, &info), LUNATIC_RECEIVE_PROCESS_DIED);
  CHECK_EQ(info.process, id);
  return id;
}

/* run_until_it_ends(entry, 0, 60 s), then the line "<what>: <its id> failed". */
static inline void expect_failure_of(const char* entry, const char* what) {
  say("%s: %llu failed", what, (unsigned long long)run_until_it_ends(entry, 0, 60000));
}

/* A new process that answers: after an attack, that the runtime still spawns and delivers.
 * ANSWERING_ENTRY defines the export (once per program that uses new_process_answers); the
 * function spawns it, sends 41 and returns what comes back (42). */
enum { TAG_ANSWER = 0x4E5 };
#define ANSWERING_ENTRY \
  TEST_ENTRY(answer_plus_one) { send_u64(parent, TAG_ANSWER, expect_u64(TAG_ANSWER) + 1); }
static inline uint64_t new_process_answers(void) {
  send_u64(spawn_ok("answer_plus_one", 0), TAG_ANSWER, 41);
  return expect_u64(TAG_ANSWER);
}

/* The text of error `error` (truncated to the buffer), then the error dropped. */
static inline const char* error_text(lunatic_error_id error, char* buf, size_t cap) {
  size_t size = lunatic_error_string(error, buf, cap);
  CHECK(size > 0 && size < cap);
  lunatic_error_drop(error);
  return buf;
}

/* Spawns TEST_ENTRY `entry`(self, 0), which must end, waits for that and says
 * "WHAT: PID died". */
static inline void expect_entry_dies(const char* entry, const char* what) {
  uint64_t id = spawn_ok(entry, 0);
  lunatic_monitor(id);
  expect_died(id);
  CHECK(!lunatic_exists(id));
  say("%s: %llu died", what, (unsigned long long)id);
}

#endif /* PROCESSES_COMMON_H */
