/* Hostile input: raw WASI calls with pointers and lengths outside memory (EFAULT, never a
 * crash), unknown descriptors (EBADF), values no enum or flag set holds (EINVAL),
 * missing rights (ENOTCAPABLE), more descriptors than a process may hold (EMFILE).
 * Every call must return an errno; the process goes on.
 *
 * expect-stdout: hostile: all checks passed
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <wasi/api.h>

#include "check.h"

#define OUT ((void*)(uintptr_t)0xFFFFFFF0u)   /* 16 bytes below 4 GiB: outside memory */
#define EDGE ((void*)(uintptr_t)0xFFFFFFFFu)

enum { FAULT = __WASI_ERRNO_FAULT, INVAL = __WASI_ERRNO_INVAL, BADF = __WASI_ERRNO_BADF };

/* Raw imports, to pass values wasi/api.h's types cannot hold (every parameter is an i32 or
 * i64 to the host). */
#define RAW(name, ...) \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name))) int32_t raw_##name(__VA_ARGS__);
typedef int32_t i32;
typedef int64_t i64;
RAW(path_open, i32, i32, i32, i32, i32, i64, i64, i32, i32)
RAW(path_filestat_get, i32, i32, i32, i32, i32)
RAW(path_create_directory, i32, i32, i32)
RAW(path_rename, i32, i32, i32, i32, i32, i32)
RAW(path_symlink, i32, i32, i32, i32, i32)
RAW(fd_seek, i32, i64, i32, i32)
RAW(fd_advise, i32, i64, i64, i32)
RAW(fd_fdstat_set_flags, i32, i32)
RAW(proc_raise, i32)

static int sandbox = -1;

static void find_sandbox(void) {
  for (int fd = 3; fd < 16; ++fd) {
    __wasi_prestat_t prestat;
    if (__wasi_fd_prestat_get(fd, &prestat) != 0) break;
    char name[32] = {0};
    if (prestat.u.dir.pr_name_len < sizeof name && __wasi_fd_prestat_dir_name(fd, (uint8_t*)name, prestat.u.dir.pr_name_len) == 0 &&
        strcmp(name, "/sandbox") == 0)
      sandbox = fd;
  }
  CHECK(sandbox >= 3);
}

static void pointers(int file) {
  __wasi_size_t size;
  CHECK_WASI(__wasi_args_sizes_get(OUT, &size), FAULT);
  CHECK_WASI(__wasi_args_get(OUT, OUT), FAULT);
  CHECK_WASI(__wasi_environ_sizes_get(&size, EDGE), FAULT);
  CHECK_WASI(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, OUT), FAULT);
  CHECK_WASI(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, EDGE), FAULT);
  CHECK_WASI(__wasi_random_get(OUT, 17), FAULT);
  CHECK_WASI(__wasi_random_get(EDGE, 0), FAULT);
  uint8_t* end = (uint8_t*)(uintptr_t)(__builtin_wasm_memory_size(0) * 65536);
  CHECK_WASI(__wasi_random_get(end, 0), 0);  /* at the very end, touching nothing */
  CHECK_WASI(__wasi_random_get(end - 1, 2), FAULT);
  CHECK_WASI(__wasi_random_get(end - 2, 2), 0);
  CHECK_WASI(__wasi_fd_fdstat_get(1, OUT), FAULT);
  CHECK_WASI(__wasi_fd_filestat_get(file, OUT), FAULT);
  CHECK_WASI(__wasi_fd_prestat_get(sandbox, OUT), FAULT);
  CHECK_WASI(__wasi_fd_prestat_dir_name(sandbox, OUT, 8), FAULT);
  char name[2];
  CHECK_WASI(__wasi_fd_prestat_dir_name(sandbox, (uint8_t*)name, 2), __WASI_ERRNO_NAMETOOLONG);
  __wasi_filesize_t position;
  CHECK_WASI(__wasi_fd_seek(file, 0, __WASI_WHENCE_SET, OUT), FAULT);
  CHECK_WASI(__wasi_fd_tell(file, OUT), FAULT);
  CHECK_WASI(__wasi_fd_tell(file, &position), 0);

  /* iovecs: the array outside, a buffer outside, a length running off the end. */
  char buffer[8];
  __wasi_size_t done;
  __wasi_ciovec_t out_iov[2] = {{(const uint8_t*)"ok", 2}, {OUT, 32}};
  CHECK_WASI(__wasi_fd_write(1, OUT, 1, &done), FAULT);
  CHECK_WASI(__wasi_fd_write(1, out_iov, 2, &done), FAULT);
  CHECK_WASI(__wasi_fd_write(1, out_iov, 0x20000000, &done), FAULT);
  CHECK_WASI(__wasi_fd_write(1, out_iov, 1, OUT), FAULT);
  __wasi_iovec_t in_iov[1] = {{(uint8_t*)buffer, 0x7FFFFFFF}};
  CHECK_WASI(__wasi_fd_read(file, in_iov, 1, &done), FAULT);
  CHECK_WASI(__wasi_fd_pread(file, in_iov, 1, 0, &done), FAULT);
  CHECK_WASI(__wasi_fd_pwrite(file, (__wasi_ciovec_t*)in_iov, 1, 0, &done), FAULT);
  in_iov[0].buf_len = sizeof buffer;
  CHECK_WASI(__wasi_fd_read(file, in_iov, 1, OUT), FAULT);
  CHECK_WASI(__wasi_fd_readdir(sandbox, OUT, 100, 0, &done), FAULT);
  CHECK_WASI(__wasi_fd_readdir(sandbox, (uint8_t*)buffer, sizeof buffer, 0, OUT), FAULT);
  CHECK_WASI(__wasi_fd_readdir(sandbox, (uint8_t*)buffer, 0, 0, &done), 0);
  CHECK(done == 0);
  CHECK_WASI(__wasi_fd_readdir(sandbox, (uint8_t*)buffer, sizeof buffer, 1000000, &done), 0);
  CHECK(done == 0);  /* a cookie past the end: nothing more */

  /* Paths: outside memory, running off its end. */
  __wasi_fd_t fd;
  __wasi_filestat_t stat;
  CHECK_WASI(raw_path_open(sandbox, 0, (intptr_t)OUT, 10, 0, 0, 0, 0, (intptr_t)&fd), FAULT);
  CHECK_WASI(raw_path_open(sandbox, 0, (intptr_t)"f", 1, 0, __WASI_RIGHTS_FD_READ, 0, 0, (intptr_t)OUT), FAULT);
  CHECK_WASI(raw_path_filestat_get(sandbox, 0, (intptr_t)"f", 0x7FFFFFFF, (intptr_t)&stat), FAULT);
  CHECK_WASI(__wasi_path_filestat_get(sandbox, 0, "f", OUT), FAULT);
  CHECK_WASI(raw_path_create_directory(sandbox, (intptr_t)EDGE, 2), FAULT);
  CHECK_WASI(raw_path_rename(sandbox, (intptr_t)"f", 1, sandbox, (intptr_t)OUT, 30), FAULT);
  CHECK_WASI(raw_path_symlink((intptr_t)OUT, 30, sandbox, (intptr_t)"l", 1), FAULT);
  CHECK_WASI(__wasi_path_readlink(sandbox, "f", OUT, 100, &done), FAULT);
  CHECK_WASI(__wasi_path_readlink(sandbox, "f", (uint8_t*)buffer, sizeof buffer, OUT), FAULT);
  /* Paths that hold a NUL byte, or nothing. */
  CHECK_WASI(raw_path_open(sandbox, 0, (intptr_t)"f\0../../x", 9, 0, 0, 0, 0, (intptr_t)&fd), INVAL);
  CHECK_WASI(raw_path_create_directory(sandbox, (intptr_t)"", 0), __WASI_ERRNO_NOENT);
  CHECK_WASI(raw_path_symlink((intptr_t)"a\0b", 3, sandbox, (intptr_t)"l", 1), INVAL);

  /* poll_oneoff's arrays. */
  __wasi_subscription_t sub;
  memset(&sub, 0, sizeof sub);
  sub.u.tag = __WASI_EVENTTYPE_CLOCK;
  sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  __wasi_event_t event;
  __wasi_size_t n;
  CHECK_WASI(__wasi_poll_oneoff(OUT, &event, 1, &n), FAULT);
  CHECK_WASI(__wasi_poll_oneoff(&sub, OUT, 1, &n), FAULT);
  CHECK_WASI(__wasi_poll_oneoff(&sub, &event, 1, OUT), FAULT);
  CHECK_WASI(__wasi_poll_oneoff(&sub, &event, 60000, &n), FAULT);
  CHECK_WASI(__wasi_poll_oneoff(&sub, &event, 0x10000000, &n), INVAL);  /* more than the host takes */
  CHECK_WASI(__wasi_poll_oneoff(&sub, &event, 1, &n), 0);
}

static void descriptors(void) {
  char buffer[4];
  __wasi_size_t done;
  __wasi_iovec_t iov = {(uint8_t*)buffer, sizeof buffer};
  __wasi_fd_t fds[] = {(__wasi_fd_t)-1, 100, 0x7FFFFFFF, (__wasi_fd_t)0x80000000};
  for (size_t i = 0; i < sizeof fds / sizeof *fds; ++i) {
    __wasi_fd_t fd = fds[i];
    CHECK_WASI(__wasi_fd_read(fd, &iov, 1, &done), BADF);
    CHECK_WASI(__wasi_fd_close(fd), BADF);
    CHECK_WASI(__wasi_fd_fdstat_get(fd, &(__wasi_fdstat_t){0}), BADF);
    CHECK_WASI(__wasi_fd_prestat_get(fd, &(__wasi_prestat_t){0}), BADF);
    CHECK_WASI(__wasi_fd_sync(fd), BADF);
    CHECK_WASI(__wasi_fd_renumber(fd, 1), BADF);
    CHECK_WASI(__wasi_path_create_directory(fd, "x"), BADF);
    CHECK_WASI(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD), BADF);
  }
}

static void values(int file) {
  __wasi_filesize_t position;
  CHECK_WASI(raw_fd_seek(file, 0, 3, (intptr_t)&position), INVAL);
  CHECK_WASI(raw_fd_seek(file, 0, 0x100, (intptr_t)&position), INVAL);
  CHECK_WASI(__wasi_fd_seek(file, -1, __WASI_WHENCE_SET, &position), INVAL);
  CHECK_WASI(raw_fd_advise(file, 0, 0, 6), INVAL);
  CHECK_WASI(__wasi_fd_allocate(file, UINT64_MAX, 1), INVAL);
  CHECK_WASI(__wasi_fd_allocate(file, INT64_MAX, INT64_MAX), __WASI_ERRNO_FBIG);
  CHECK_WASI(__wasi_fd_filestat_set_size(file, UINT64_MAX), INVAL);
  char buffer[4];
  __wasi_size_t done;
  __wasi_iovec_t iov = {(uint8_t*)buffer, sizeof buffer};
  CHECK_WASI(__wasi_fd_pread(file, &iov, 1, UINT64_MAX, &done), INVAL);
  CHECK_WASI(raw_fd_fdstat_set_flags(file, 0x20), INVAL);
  CHECK_WASI(__wasi_fd_fdstat_set_flags(file, __WASI_FDFLAGS_SYNC), __WASI_ERRNO_NOTSUP);
  __wasi_fd_t fd;
  CHECK_WASI(raw_path_open(sandbox, 0, (intptr_t)"f", 1, 0x10, 0, 0, 0, (intptr_t)&fd), INVAL);
  CHECK_WASI(raw_path_open(sandbox, 2, (intptr_t)"f", 1, 0, 0, 0, 0, (intptr_t)&fd), INVAL);
  CHECK_WASI(raw_path_open(sandbox, 0, (intptr_t)"f", 1, 0, 0, 0, 0x40, (intptr_t)&fd), INVAL);
  CHECK_WASI(__wasi_path_filestat_get(sandbox, 4, "f", &(__wasi_filestat_t){0}), INVAL);
  CHECK_WASI(raw_proc_raise(31), INVAL);
  CHECK_WASI(raw_proc_raise(0), 0);  /* no signal */
  CHECK_WASI(raw_proc_raise(16), 0); /* SIGCHLD: ignored */
  CHECK_WASI(raw_proc_raise(18), __WASI_ERRNO_NOTSUP);  /* SIGSTOP */
  /* Sockets: none here, so every socket call on a file is ENOTSOCK. */
  __wasi_size_t length;
  __wasi_roflags_t roflags;
  CHECK_WASI(__wasi_sock_recv(file, &iov, 1, 0, &length, &roflags), __WASI_ERRNO_NOTSOCK);
  CHECK_WASI(__wasi_sock_send(file, (__wasi_ciovec_t*)&iov, 1, 0, &length), __WASI_ERRNO_NOTSOCK);
  CHECK_WASI(__wasi_sock_accept(sandbox, 0, &fd), __WASI_ERRNO_NOTSOCK);
  CHECK_WASI(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
  /* Rights: a file's own rights drop, never come back, and are checked. */
  CHECK_WASI(__wasi_fd_fdstat_set_rights(file, __WASI_RIGHTS_FD_READ, 0), 0);
  CHECK_WASI(__wasi_fd_seek(file, 0, __WASI_WHENCE_SET, &position), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_fd_filestat_set_size(file, 0), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_fd_sync(file), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_fd_fdstat_set_rights(file, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_fd_read(file, &iov, 1, &done), 0);
  __wasi_fdstat_t stat;
  CHECK_WASI(__wasi_fd_fdstat_get(file, &stat), 0);
  CHECK(stat.fs_rights_base == __WASI_RIGHTS_FD_READ && stat.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  /* A directory cannot be read as a file, nor a file listed. */
  CHECK_WASI(__wasi_fd_read(sandbox, &iov, 1, &done), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_fd_readdir(file, (uint8_t*)buffer, sizeof buffer, 0, &done), __WASI_ERRNO_NOTCAPABLE);
}

static void limits(void) {
  /* One process holds at most 1024 descriptors: the host's are shared by all. */
  static int fds[1100];
  int opened = 0;
  while (opened < 1100 && (fds[opened] = open("/sandbox/f", O_RDONLY)) >= 0) ++opened;
  CHECK(opened < 1024 && errno == EMFILE);
  for (int i = 0; i < opened; ++i) CHECK(close(fds[i]) == 0);
  int fd = open("/sandbox/f", O_RDONLY);
  CHECK(fd >= 0 && close(fd) == 0);
  /* The files behind stdio are not the guest's to change. */
  CHECK_WASI(__wasi_fd_filestat_set_times(1, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_fd_filestat_set_size(1, 0), __WASI_ERRNO_NOTCAPABLE);
}

int main(void) {
  find_sandbox();
  int file = open("/sandbox/f", O_RDWR | O_CREAT, 0644);
  CHECK(file >= 0 && write(file, "data", 4) == 4);
  pointers(file);
  descriptors();
  values(file);
  limits();
  return checks_done("hostile");
}
