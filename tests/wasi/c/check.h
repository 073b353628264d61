/* check.h: what the C programs of tests/wasi share.
 *
 * CHECK(cond) prints "FAIL file:line: cond" (and errno) when cond is false, and the run
 * goes on, so one run reports every failed check; the test runner fails a test with any
 * FAIL line. CHECK_ERRNO(call, E) checks that call returns -1 with errno E, CHECK_WASI
 * that a raw WASI call (wasi/api.h) returns WASI errno E.
 *
 * The runner grants two fresh, empty directories: /sandbox and /other.
 */
#ifndef WASI_TESTS_CHECK_H
#define WASI_TESTS_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static int check_failures;
/* Set by a test to have every expected refusal (CHECK_ERRNO, CHECK_WASI of an error) logged
 * as a line "refused: CALL: errno": the escape tests show each attempt and its answer. */
static int log_refusals;

/* One line on stdout, flushed at once: a line is never lost in a buffer, and lines of
 * processes printing at the same time never mix (each flush is one write). */
#define say(...) (printf(__VA_ARGS__), putchar('\n'), fflush(stdout))

#define CHECK(cond)                                                                         \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      int saved_errno_ = errno;                                                             \
      ++check_failures;                                                                     \
      say("FAIL %s:%d: %s (errno %d: %s)", __FILE__, __LINE__, #cond, saved_errno_,         \
          strerror(saved_errno_));                                                          \
    }                                                                                       \
  } while (0)

/* `call` fails (returns -1) with errno `expected`. */
#define CHECK_ERRNO(call, expected)                                                         \
  do {                                                                                      \
    errno = 0;                                                                              \
    int failed_ = (call) == 0 - 1;                                                          \
    int got_ = errno;                                                                       \
    if (!failed_ || got_ != (expected)) {                                                   \
      ++check_failures;                                                                     \
      say("FAIL %s:%d: %s: expected errno %d (%s), got %s errno %d (%s)", __FILE__,         \
          __LINE__, #call, (expected), strerror(expected), failed_ ? "failure" : "success", \
          got_, strerror(got_));                                                            \
    } else if (log_refusals) {                                                              \
      say("refused: %s: %s", #call, strerror(got_));                                        \
    }                                                                                       \
  } while (0)

/* A raw WASI call returns the WASI errno `expected` (0: success). */
#define CHECK_WASI(call, expected)                                                          \
  do {                                                                                      \
    int got_ = (int)(call);                                                                 \
    if (got_ != (expected)) {                                                               \
      ++check_failures;                                                                     \
      say("FAIL %s:%d: %s: expected WASI errno %d, got %d", __FILE__, __LINE__, #call,      \
          (int)(expected), got_);                                                           \
    } else if (log_refusals && got_ != 0) {                                                 \
      say("refused: %s: WASI errno %d", #call, got_);                                       \
    }                                                                                       \
  } while (0)

/* The descriptor of the preopened directory the guest sees as `name`, found as wasi-libc
 * finds them, or -1. */
static inline int preopen_fd(const char* name) {
  for (int fd = 3; fd < 64; ++fd) {
    __wasi_prestat_t prestat;
    if (__wasi_fd_prestat_get(fd, &prestat) != 0) break;
    char found[64] = {0};
    if (prestat.u.dir.pr_name_len >= sizeof found) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t*)found, prestat.u.dir.pr_name_len) == 0 && strcmp(found, name) == 0)
      return fd;
  }
  return -1;
}

/* Reads the first line of file `path`, without its newline, into `line`: 0, or the errno of
 * the failure (and `line` empty). */
static inline int read_first_line(const char* path, char* line, size_t size) {
  line[0] = '\0';
  FILE* f = fopen(path, "r");
  if (!f) return errno;
  if (!fgets(line, (int)size, f)) line[0] = '\0';
  fclose(f);
  line[strcspn(line, "\n")] = '\0';
  return 0;
}

/* Says "WHO: NAME: <first line of path>", or the reason it cannot be read. */
static inline void say_first_line(const char* who, const char* name, const char* path) {
  char line[128];
  int error = read_first_line(path, line, sizeof line);
  say("%s: %s: %s", who, name, error ? strerror(error) : line);
}

/* A relative symlink target that climbs from any host directory to the host's /etc: far
 * more "../" than any directory is deep. The attacks on grants put it where a granted
 * directory was. */
static inline const char* climbing_to_host_etc(void) {
  static char target[3 * 64 + 4];
  target[0] = '\0';
  for (int i = 0; i < 64; ++i) strcat(target, "../");
  return strcat(target, "etc");
}

#ifdef LUNATIC_SDK_LUNATIC_H /* for the programs that spawn processes (lunatic.h first) */
/* Spawns export `entry`(arg) with `config` and waits up to 10 s for its end. */
static inline void run_child(lunatic_config_id config, const char* entry, int32_t arg) {
  uint64_t pid;
  CHECK(lunatic_spawn_config(config, LUNATIC_NO_TAG, entry, arg, &pid));
  lunatic_monitor(pid);
  lunatic_message_info info;
  CHECK(lunatic_receive(NULL, 0, 10000, NULL, 0, &info) == LUNATIC_RECEIVE_PROCESS_DIED && info.process == pid);
}
#endif

/* The end of main: one line saying how it went. */
static inline int checks_done(const char* name) {
  if (check_failures == 0) say("%s: all checks passed", name);
  return check_failures == 0 ? 0 : 1;
}

#endif
