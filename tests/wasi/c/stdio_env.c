/* Arguments, environment and stdio: what argv, environ and the three standard descriptors
 * look like to a guest, reading stdin to its end, and writing to stdout and stderr.
 *
 * args: first "second word"
 * env: GREETING=hello world
 * env: EMPTY=
 * stdin: line one
 * stdin: line two
 *
 * expect-stdout: argc 3
 * expect-stdout: argv\[1\] first
 * expect-stdout: argv\[2\] second word
 * expect-stdout: GREETING=hello world
 * expect-stdout: stdin: line one\|line two\|
 * expect-stdout: stdio_env: all checks passed
 * expect-stderr: to stderr
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <wasi/api.h>

#include "check.h"

extern char** environ;

int main(int argc, char** argv) {
  say("argc %d", argc);
  for (int i = 1; i < argc; ++i) say("argv[%d] %s", i, argv[i]);
  CHECK(argc == 3 && strcmp(argv[1], "first") == 0 && strcmp(argv[2], "second word") == 0);

  /* Only what was granted: nothing of the runner's own environment. */
  int variables = 0;
  for (char** e = environ; *e; ++e) ++variables;
  CHECK(variables == 2);
  const char* greeting = getenv("GREETING");
  CHECK(greeting && strcmp(greeting, "hello world") == 0);
  if (greeting) say("GREETING=%s", greeting);
  CHECK(getenv("EMPTY") && getenv("EMPTY")[0] == 0);
  CHECK(getenv("PATH") == NULL && getenv("HOME") == NULL);

  /* stdin to its end, in small reads. */
  char text[64] = {0};
  size_t length = 0;
  for (;;) {
    ssize_t n = read(0, text + length, 5);
    CHECK(n >= 0);
    if (n <= 0) break;
    length += (size_t)n;
    CHECK(length < sizeof text - 5);
  }
  for (size_t i = 0; i < length; ++i) if (text[i] == '\n') text[i] = '|';
  say("stdin: %s", text);
  CHECK(read(0, text, 1) == 0);  /* still at the end */

  /* The standard descriptors: stdin reads, stdout and stderr write, none is a directory. */
  __wasi_fdstat_t fdstat;
  CHECK_WASI(__wasi_fd_fdstat_get(0, &fdstat), 0);
  CHECK((fdstat.fs_rights_base & __WASI_RIGHTS_FD_READ) && !(fdstat.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
  CHECK_WASI(__wasi_fd_fdstat_get(1, &fdstat), 0);
  CHECK(!(fdstat.fs_rights_base & __WASI_RIGHTS_FD_READ) && (fdstat.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
  CHECK(fdstat.fs_filetype != __WASI_FILETYPE_DIRECTORY);
  CHECK(!isatty(1));  /* the runner's pipes */
  struct stat st;
  CHECK(fstat(1, &st) == 0);
  CHECK_WASI(__wasi_fd_prestat_get(1, &(__wasi_prestat_t){0}), __WASI_ERRNO_BADF);
  CHECK_ERRNO(write(0, "x", 1), EBADF);
  /* A pipe cannot seek. */
  CHECK_ERRNO(lseek(0, 0, SEEK_SET), ESPIPE);
  /* stdio can be made non-blocking for this process alone; stdin at its end still says so. */
  CHECK(fcntl(0, F_SETFL, O_NONBLOCK) == 0);
  CHECK(fcntl(0, F_GETFL) & O_NONBLOCK);
  CHECK(read(0, text, 1) == 0);
  CHECK(fcntl(0, F_SETFL, 0) == 0);
  /* ... but not made to append: the host's descriptor is shared. */
  CHECK_WASI(__wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_APPEND), __WASI_ERRNO_NOTSUP);

  const char message[] = "to stderr\n";
  CHECK(write(2, message, sizeof message - 1) == sizeof message - 1);
  /* Closing stdin frees its number: the next file opened takes it. */
  CHECK(close(0) == 0);
  CHECK_ERRNO(read(0, text, 1), EBADF);
  int fd = open("/sandbox/zero", O_WRONLY | O_CREAT, 0644);
  CHECK(fd == 0);
  /* Renumbering moves a descriptor over another. */
  int other = open("/sandbox/other-file", O_WRONLY | O_CREAT, 0644);
  CHECK(other > 2);
  CHECK_WASI(__wasi_fd_renumber(other, 0), 0);
  CHECK_WASI(__wasi_fd_close(other), __WASI_ERRNO_BADF);
  CHECK(write(0, "renumbered", 10) == 10);
  CHECK_WASI(__wasi_fd_renumber(0, 99), __WASI_ERRNO_BADF);  /* the target must be open */
  CHECK_WASI(__wasi_fd_renumber(99, 0), __WASI_ERRNO_BADF);
  CHECK(stat("/sandbox/other-file", &st) == 0 && st.st_size == 10);
  CHECK(stat("/sandbox/zero", &st) == 0 && st.st_size == 0);
  return checks_done("stdio_env");
}
