/* WASI in Lunatic processes: each process has its own descriptor table (stdio, then the
 * directories its config grants, then what it opens), made on its first WASI call and closed
 * when it ends, whether it closed its files or not. A child spawned with the parent's config
 * sees the same directories; one with a new config sees none. A process sleeping in
 * poll_oneoff can be killed.
 *
 * expect-stdout: inheriting child: ok
 * expect-stdout: child with a new config: ok
 * expect-stdout: 30000 children each left a file open: ok
 * expect-stdout: killed while sleeping: ok
 * expect-stdout: processes: all checks passed
 * expect-max-seconds: 20
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <wasi/api.h>

#include "../../../sdk/c/lunatic.h"
#include "check.h"

/* The root's descriptor `arg` is not the child's: the child's own table has stdio and the
 * same granted directories, and numbers its files from the lowest free one. */
__attribute__((export_name("inheriting_child"))) void inheriting_child(int32_t root_fd) {
  __wasi_fdstat_t stat;
  CHECK_WASI(__wasi_fd_fdstat_get(root_fd, &stat), __WASI_ERRNO_BADF);
  __wasi_prestat_t prestat;
  CHECK_WASI(__wasi_fd_prestat_get(3, &prestat), 0);
  CHECK_WASI(__wasi_fd_prestat_get(4, &prestat), 0);
  int fd = open("/sandbox/child.txt", O_WRONLY | O_CREAT, 0644);
  CHECK(fd == root_fd);
  CHECK(write(fd, "child", 5) == 5);
  say("inheriting child: ok");
}

__attribute__((export_name("new_config_child"))) void new_config_child(int32_t unused) {
  (void)unused;
  __wasi_prestat_t prestat;
  CHECK_WASI(__wasi_fd_prestat_get(3, &prestat), __WASI_ERRNO_BADF);
  CHECK_ERRNO(open("/sandbox/child.txt", O_RDONLY), ENOTCAPABLE);
  __wasi_size_t count, size;
  CHECK_WASI(__wasi_args_sizes_get(&count, &size), 0);
  CHECK(count == 0 && size == 0);
  say("child with a new config: ok");
}

/* Opens a file and ends without closing it. */
__attribute__((export_name("leaving_child"))) void leaving_child(int32_t i) {
  char path[32];
  snprintf(path, sizeof path, "/sandbox/leak%d", i % 8);
  int fd = open(path, O_WRONLY | O_CREAT, 0644);
  if (fd < 0) say("FAIL: child %d could not open a file: %s", i, strerror(errno));
}

__attribute__((export_name("sleeping_child"))) void sleeping_child(int32_t unused) {
  (void)unused;
  poll(NULL, 0, 60000);
  say("FAIL: the sleeping child woke up");
}

int main(void) {
  int fd = open("/sandbox/root.txt", O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 5);
  run_child(LUNATIC_CONFIG_INHERIT, "inheriting_child", fd);
  struct stat st;
  CHECK(stat("/sandbox/child.txt", &st) == 0 && st.st_size == 5);
  CHECK(write(fd, "root", 4) == 4);  /* the root's descriptor is untouched */

  lunatic_config_id config = lunatic_config_create();
  run_child(config, "new_config_child", 0);
  lunatic_config_drop(config);

  /* More than the host lets one program hold open at once (ulimit -n, often 1024 to 20000),
   * in waves of 100 children. */
  enum { kChildren = 30000, kWave = 100 };
  for (int first = 0; first < kChildren; first += kWave) {
    uint64_t pids[kWave];
    for (int i = 0; i < kWave; ++i) {
      CHECK(lunatic_spawn("leaving_child", first + i, &pids[i]));
      lunatic_monitor(pids[i]);
    }
    for (int i = 0; i < kWave; ++i) {
      lunatic_message_info info;
      CHECK(lunatic_receive(NULL, 0, 10000, NULL, 0, &info) == LUNATIC_RECEIVE_PROCESS_DIED);
    }
  }
  say("%d children each left a file open: ok", kChildren);

  uint64_t sleeper;
  CHECK(lunatic_spawn("sleeping_child", 0, &sleeper));
  lunatic_monitor(sleeper);
  lunatic_sleep_ms(50);
  lunatic_kill(sleeper);
  lunatic_message_info info;
  CHECK(lunatic_receive(NULL, 0, 2000, NULL, 0, &info) == LUNATIC_RECEIVE_PROCESS_DIED && info.process == sleeper);
  say("killed while sleeping: ok");
  return checks_done("processes");
}
