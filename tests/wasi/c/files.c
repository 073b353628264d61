/* Files: open, read, write, seek, pread/pwrite, append, truncate, stat, times, sync,
 * allocate, advice, flags, and the errors POSIX programs rely on.
 *
 * expect-stdout: files: all checks passed
 * expect-file: /sandbox/kept.txt: hello, world\n
 * given-file: /sandbox/given.txt: given line
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <wasi/api.h>

#include "check.h"

static void write_read_seek(void) {
  int fd = open("/sandbox/data.bin", O_RDWR | O_CREAT | O_EXCL, 0644);
  CHECK(fd >= 3);
  CHECK(write(fd, "0123456789", 10) == 10);
  CHECK(lseek(fd, 0, SEEK_CUR) == 10);
  CHECK(lseek(fd, 2, SEEK_SET) == 2);
  char buffer[16] = {0};
  CHECK(read(fd, buffer, 3) == 3 && memcmp(buffer, "234", 3) == 0);
  CHECK(lseek(fd, -1, SEEK_END) == 9);
  CHECK(read(fd, buffer, 16) == 1 && buffer[0] == '9');
  CHECK(read(fd, buffer, 16) == 0);  /* end of file */
  CHECK_ERRNO(lseek(fd, -100, SEEK_CUR), EINVAL);

  /* pread and pwrite leave the position alone. */
  CHECK(pwrite(fd, "ab", 2, 4) == 2);
  CHECK(pread(fd, buffer, 4, 3) == 4 && memcmp(buffer, "3ab6", 4) == 0);
  CHECK(lseek(fd, 0, SEEK_CUR) == 10);
  /* Writing past the end leaves a hole of zeros. */
  CHECK(pwrite(fd, "Z", 1, 20) == 1);
  CHECK(pread(fd, buffer, 2, 15) == 2 && buffer[0] == 0 && buffer[1] == 0);

  /* Scatter and gather. */
  struct iovec parts[2] = {{"he", 2}, {"llo", 3}};
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(writev(fd, parts, 2) == 5);
  char first[2], rest[3];
  struct iovec into[2] = {{first, 2}, {rest, 3}};
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(readv(fd, into, 2) == 5 && memcmp(first, "he", 2) == 0 && memcmp(rest, "llo", 3) == 0);

  struct stat st;
  CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 21 && st.st_nlink == 1);
  CHECK(ftruncate(fd, 4) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 4);
  CHECK(ftruncate(fd, 4096) == 0);  /* growing fills with zeros */
  CHECK(pread(fd, buffer, 1, 4000) == 1 && buffer[0] == 0);
  CHECK(fsync(fd) == 0);
  CHECK(fdatasync(fd) == 0);
  CHECK(posix_fallocate(fd, 0, 8192) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 8192);
  CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0);
  CHECK(posix_fadvise(fd, 0, 0, 99) == EINVAL);
  CHECK(close(fd) == 0);
  CHECK_ERRNO(close(fd), EBADF);
  CHECK_ERRNO(read(fd, buffer, 1), EBADF);
}

static void open_flags(void) {
  /* O_EXCL on an existing file; no O_CREAT on a missing one. */
  CHECK_ERRNO(open("/sandbox/data.bin", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
  CHECK_ERRNO(open("/sandbox/missing", O_RDONLY), ENOENT);
  CHECK_ERRNO(open("/sandbox/missing/below", O_RDONLY), ENOENT);
  CHECK_ERRNO(open("/sandbox/data.bin/below", O_RDONLY), ENOTDIR);
  CHECK_ERRNO(open("/sandbox", O_WRONLY), EISDIR);
  CHECK_ERRNO(open("/sandbox/data.bin", O_RDONLY | O_DIRECTORY), ENOTDIR);

  /* O_TRUNC empties, O_APPEND writes at the end whatever the position. */
  int fd = open("/sandbox/data.bin", O_WRONLY | O_TRUNC);
  CHECK(fd >= 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 0);
  CHECK(write(fd, "abc", 3) == 3);
  CHECK(close(fd) == 0);
  fd = open("/sandbox/data.bin", O_WRONLY | O_APPEND);
  CHECK(fd >= 0);
  CHECK(fcntl(fd, F_GETFL) & O_APPEND);
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(write(fd, "def", 3) == 3);
  /* Append can be switched off (and the write lands at the position again). */
  CHECK(fcntl(fd, F_SETFL, 0) == 0);
  CHECK(!(fcntl(fd, F_GETFL) & O_APPEND));
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  CHECK(write(fd, "A", 1) == 1);
  CHECK(close(fd) == 0);
  char buffer[8] = {0};
  fd = open("/sandbox/data.bin", O_RDONLY);
  CHECK(read(fd, buffer, sizeof buffer) == 6 && memcmp(buffer, "Abcdef", 6) == 0);
  /* A file opened for reading cannot be written, nor one for writing read. */
  CHECK_ERRNO(write(fd, "x", 1), EBADF);
  CHECK(close(fd) == 0);
  fd = open("/sandbox/data.bin", O_WRONLY);
  CHECK_ERRNO(read(fd, buffer, 1), EBADF);
  CHECK(close(fd) == 0);
}

static void times_and_stat(void) {
  struct timespec times[2] = {{1000000000, 5}, {1200000000, 7}};
  CHECK(utimensat(AT_FDCWD, "/sandbox/data.bin", times, 0) == 0);
  struct stat st;
  CHECK(stat("/sandbox/data.bin", &st) == 0);
  CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 5);
  CHECK(st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 7);
  /* Access time now, modification time kept (raw: this wasi-libc's futimens refuses
   * UTIME_NOW and UTIME_OMIT before asking the host). */
  int fd = open("/sandbox/data.bin", O_RDWR);
  CHECK_WASI(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW), 0);
  /* A time and "now" for the same field at once, or an unknown flag, is invalid. */
  CHECK_WASI(__wasi_fd_filestat_set_times(fd, 1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW), __WASI_ERRNO_INVAL);
  CHECK_WASI(__wasi_fd_filestat_set_times(fd, 0, 0, 0x10), __WASI_ERRNO_INVAL);
  CHECK(fstat(fd, &st) == 0);
  CHECK(st.st_atim.tv_sec > 1600000000 && st.st_mtim.tv_sec == 1200000000);
  CHECK(close(fd) == 0);
  CHECK(stat("/sandbox", &st) == 0 && S_ISDIR(st.st_mode));
}

static void given_and_kept(void) {
  FILE* f = fopen("/sandbox/given.txt", "r");
  CHECK(f != NULL);
  char line[64] = {0};
  CHECK(f && fgets(line, sizeof line, f) && strcmp(line, "given line\n") == 0);
  if (f) fclose(f);
  f = fopen("/sandbox/kept.txt", "w");
  CHECK(f != NULL);
  if (f) {
    fprintf(f, "hello, %s\n", "world");
    CHECK(fclose(f) == 0);
  }
}

int main(void) {
  write_read_seek();
  open_flags();
  times_and_stat();
  given_and_kept();
  return checks_done("files");
}
