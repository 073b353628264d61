/* Read-only grants (issue 22): /ro is granted with LUNATIC_DIRS' ":ro", and a config can
 * grant a directory read-only (lunatic::wasi::config_preopen_dir_read_only). Reading works;
 * every call that would change a file or a directory beneath a read-only grant is refused
 * with ENOTCAPABLE (WASI notcapable), at the directory or, for a file opened read-only
 * through it, at the descriptor; a directory opened through it, and every grant made from
 * it, is read-only too.
 *
 * grant: /ro: ro:ro
 * grant: /ro/sub: ro/sub:ro
 * given-file: /ro/data.txt: data
 * given-file: /sandbox/rw.txt: rw
 * expect-stdout: root: read-only grant: ok
 * expect-stdout: child of a read-only config: ok
 * expect-stdout: grandchild of a read-only config: ok
 * expect-stdout: child of a config granted inside /ro: ok
 * expect-stdout: grants_read_only: all checks passed
 * expect-file: /ro/data.txt: data\n
 * expect-file: /sandbox/rw.txt: rw\n
 * expect-no-file: /sandbox/moved
 * expect-no-file: /sandbox/hard
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "../../../sdk/c/lunatic.h"
#include "check.h"

#define NOTCAPABLE __WASI_ERRNO_NOTCAPABLE

static const __wasi_rights_t kRead = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET;
static const __wasi_rights_t kWritingRights =
    __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
    __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_PATH_CREATE_DIRECTORY |
    __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET |
    __WASI_RIGHTS_PATH_RENAME_SOURCE | __WASI_RIGHTS_PATH_RENAME_TARGET | __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE |
    __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES | __WASI_RIGHTS_PATH_SYMLINK | __WASI_RIGHTS_PATH_REMOVE_DIRECTORY |
    __WASI_RIGHTS_PATH_UNLINK_FILE;

/* The first line of `path`, or "" if it cannot be read. */
static const char* first_line(const char* path) {
  static char line[64];
  read_first_line(path, line, sizeof line);
  return line;
}

/* Every write-ish call beneath directory `dir`, which holds the file `file` and the
 * directory `subdir`, is refused; `rw` is a writable directory holding `rw_file`. */
static void refuses_writes(int dir, const char* file, const char* subdir, int rw, const char* rw_file) {
  __wasi_fd_t fd;
  __wasi_fdstat_t stat;
  CHECK_WASI(__wasi_fd_fdstat_get(dir, &stat), 0);
  CHECK((stat.fs_rights_base & kWritingRights) == 0 && (stat.fs_rights_inheriting & kWritingRights) == 0);
  CHECK_WASI(__wasi_fd_fdstat_set_rights(dir, stat.fs_rights_base | __WASI_RIGHTS_PATH_CREATE_FILE,
                                         stat.fs_rights_inheriting), NOTCAPABLE);

  /* path_open: the rights to write, creating, truncating. */
  CHECK_WASI(__wasi_path_open(dir, 0, file, 0, kRead | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd), NOTCAPABLE);
  CHECK_WASI(__wasi_path_open(dir, 0, file, 0, kRead | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0, 0, &fd), NOTCAPABLE);
  CHECK_WASI(__wasi_path_open(dir, 0, file, 0, kRead | __WASI_RIGHTS_FD_ALLOCATE, 0, 0, &fd), NOTCAPABLE);
  CHECK_WASI(__wasi_path_open(dir, 0, "new", __WASI_OFLAGS_CREAT, kRead, 0, 0, &fd), NOTCAPABLE);
  CHECK_WASI(__wasi_path_open(dir, 0, file, __WASI_OFLAGS_TRUNC, kRead, 0, 0, &fd), NOTCAPABLE);

  /* A file opened for reading (rights asked beyond the directory's are dropped). */
  CHECK_WASI(__wasi_path_open(dir, 0, file, 0, kRead | __WASI_RIGHTS_FD_DATASYNC, ~(__wasi_rights_t)0, 0, &fd), 0);
  char buffer[8] = {0};
  __wasi_iovec_t iov = {(uint8_t*)buffer, 4};
  __wasi_ciovec_t ciov = {(const uint8_t*)"evil", 4};
  size_t n;
  CHECK_WASI(__wasi_fd_read(fd, &iov, 1, &n), 0);
  CHECK(n == 4 && memcmp(buffer, "data", 4) == 0);
  CHECK_WASI(__wasi_fd_write(fd, &ciov, 1, &n), NOTCAPABLE);
  CHECK_WASI(__wasi_fd_pwrite(fd, &ciov, 1, 0, &n), NOTCAPABLE);
  CHECK_WASI(__wasi_fd_filestat_set_size(fd, 0), NOTCAPABLE);
  CHECK_WASI(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), NOTCAPABLE);
  CHECK_WASI(__wasi_fd_allocate(fd, 0, 100), NOTCAPABLE);
  CHECK_WASI(__wasi_fd_datasync(fd), NOTCAPABLE);
  CHECK_WASI(__wasi_fd_sync(fd), NOTCAPABLE);
  CHECK_WASI(__wasi_fd_fdstat_get(fd, &stat), 0);
  CHECK((stat.fs_rights_base & kWritingRights) == 0 && (stat.fs_rights_inheriting & kWritingRights) == 0);
  CHECK_WASI(__wasi_fd_close(fd), 0);

  /* The directory's own calls. */
  CHECK_WASI(__wasi_fd_filestat_set_times(dir, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), NOTCAPABLE);
  CHECK_WASI(__wasi_path_filestat_set_times(dir, 0, file, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), NOTCAPABLE);
  CHECK_WASI(__wasi_path_create_directory(dir, "made"), NOTCAPABLE);
  CHECK_WASI(__wasi_path_unlink_file(dir, file), NOTCAPABLE);
  CHECK_WASI(__wasi_path_remove_directory(dir, subdir), NOTCAPABLE);
  CHECK_WASI(__wasi_path_rename(dir, file, dir, "renamed"), NOTCAPABLE);
  CHECK_WASI(__wasi_path_rename(dir, file, rw, "moved"), NOTCAPABLE);
  CHECK_WASI(__wasi_path_rename(rw, rw_file, dir, "moved-in"), NOTCAPABLE);
  CHECK_WASI(__wasi_path_symlink(file, dir, "link"), NOTCAPABLE);
  /* A hard link elsewhere would be a writable name for a read-only file. */
  CHECK_WASI(__wasi_path_link(dir, 0, file, rw, "hard"), NOTCAPABLE);
  CHECK_WASI(__wasi_path_link(rw, 0, rw_file, dir, "hard"), NOTCAPABLE);

  /* Through wasi-libc. */
  CHECK_ERRNO(mkdir("/ro/made", 0755), ENOTCAPABLE);
  CHECK_ERRNO(open("/ro/new", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(open("/ro/data.txt", O_WRONLY | O_TRUNC), ENOTCAPABLE);
  CHECK_ERRNO(unlink("/ro/data.txt"), ENOTCAPABLE);
  CHECK_ERRNO(rename("/ro/data.txt", "/sandbox/moved"), ENOTCAPABLE);
}

/* What a read-only directory still allows: listing, stat, opening for reading, and opening
 * a directory, which is read-only in turn. */
static void reads_work(int dir, const char* file, const char* subdir) {
  __wasi_filestat_t st;
  CHECK_WASI(__wasi_path_filestat_get(dir, 0, file, &st), 0);
  CHECK(st.size == 5);
  uint8_t listing[256];
  size_t used;
  CHECK_WASI(__wasi_fd_readdir(dir, listing, sizeof listing, 0, &used), 0);
  CHECK(used > 0);
  __wasi_fd_t sub;
  __wasi_fdstat_t stat;
  CHECK_WASI(__wasi_fd_fdstat_get(dir, &stat), 0);
  CHECK_WASI(__wasi_path_open(dir, 0, subdir, __WASI_OFLAGS_DIRECTORY, stat.fs_rights_base,
                              ~(__wasi_rights_t)0, 0, &sub), 0);
  CHECK_WASI(__wasi_fd_fdstat_get(sub, &stat), 0);
  CHECK((stat.fs_rights_base & kWritingRights) == 0 && (stat.fs_rights_inheriting & kWritingRights) == 0);
  CHECK_WASI(__wasi_path_create_directory(sub, "made"), NOTCAPABLE);
  CHECK_WASI(__wasi_fd_close(sub), 0);
}

/* Sees /sandbox read-only (and /other writable): its writes to /sandbox are refused. */
__attribute__((export_name("read_only_child"))) void read_only_child(int32_t unused) {
  (void)unused;
  CHECK(strcmp(first_line("/sandbox/rw.txt"), "rw") == 0);
  CHECK_ERRNO(open("/sandbox/new", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(mkdir("/sandbox/made", 0755), ENOTCAPABLE);
  CHECK_ERRNO(unlink("/sandbox/rw.txt"), ENOTCAPABLE);
  CHECK_ERRNO(rename("/sandbox/rw.txt", "/other/moved"), ENOTCAPABLE);
  /* wasi-libc asks only the rights the directory hands on, and its write() reports the
   * missing right as POSIX does for a descriptor not open for writing. */
  int fd = open("/sandbox/rw.txt", O_RDWR);
  CHECK(fd >= 0);
  CHECK_ERRNO(write(fd, "x", 1), EBADF);
  close(fd);
  fd = open("/other/mine", O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0 && write(fd, "x", 1) == 1);
  close(fd);
  CHECK(unlink("/other/mine") == 0);
  say("child of a read-only config: ok");
  /* A grant made from a read-only one is read-only, whatever function made it. */
  lunatic_config_id config = lunatic_config_create();
  lunatic_config_preopen_dir(config, "/sandbox");
  run_child(config, "grandchild", 0);
  lunatic_config_drop(config);
}

__attribute__((export_name("grandchild"))) void grandchild(int32_t unused) {
  (void)unused;
  CHECK(strcmp(first_line("/sandbox/rw.txt"), "rw") == 0);
  CHECK_ERRNO(open("/sandbox/new", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(unlink("/sandbox/rw.txt"), ENOTCAPABLE);
  say("grandchild of a read-only config: ok");
}

/* Sees /ro/sub, granted through /ro with config_preopen_dir: read-only. */
__attribute__((export_name("inside_ro_child"))) void inside_ro_child(int32_t unused) {
  (void)unused;
  CHECK_ERRNO(open("/ro/sub/new", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(mkdir("/ro/sub/made", 0755), ENOTCAPABLE);
  say("child of a config granted inside /ro: ok");
}

int main(void) {
  int ro = preopen_fd("/ro"), rw = preopen_fd("/sandbox");
  CHECK(ro >= 3 && rw >= 3);
  CHECK(strcmp(first_line("/ro/data.txt"), "data") == 0);
  refuses_writes(ro, "data.txt", "sub", rw, "rw.txt");
  reads_work(ro, "data.txt", "sub");
  say("root: read-only grant: ok");

  lunatic_config_id config = lunatic_config_create();
  lunatic_config_preopen_dir_read_only(config, "/sandbox");
  lunatic_config_preopen_dir(config, "/other");
  run_child(config, "read_only_child", 0);
  lunatic_config_drop(config);

  config = lunatic_config_create();
  lunatic_config_preopen_dir(config, "/ro/sub");
  run_child(config, "inside_ro_child", 0);
  lunatic_config_drop(config);
  return checks_done("grants_read_only");
}
