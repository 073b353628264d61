/* Escapes: every way out of the granted directories must be refused, through wasi-libc's
 * POSIX calls and through raw WASI calls on the directory descriptors themselves: "..",
 * absolute paths, symlinks that lead outside (absolute or relative, followed by open, stat,
 * mkdir, rename, link, ...), hard links to files outside, renames to places not granted,
 * and descriptors opened below a granted directory, which are confined to what is below them.
 * A refusal for leaving a directory is ENOTCAPABLE (WASI errno notcapable, 76).
 *
 * The runner fails the test if anything appears beside the two granted directories.
 *
 * Each refusal is logged: "refused: CALL: ERROR".
 *
 * expect-stdout: refused: open\("/sandbox/\.\./etc/passwd", O_RDONLY\): Capabilities insufficient
 * expect-stdout: escape: all checks passed
 * given-file: /sandbox/inside.txt: inside
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <wasi/api.h>

#include "check.h"

static int sandbox_fd = -1, other_fd = -1;

/* The descriptors of the granted directories. */
static void find_preopens(void) {
  sandbox_fd = preopen_fd("/sandbox");
  other_fd = preopen_fd("/other");
  CHECK(sandbox_fd >= 3 && other_fd >= 3);
}

static __wasi_errno_t raw_open(int dir, const char* path, __wasi_lookupflags_t lookup, __wasi_oflags_t oflags,
                               __wasi_fd_t* fd) {
  __wasi_rights_t rights = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK;
  return __wasi_path_open(dir, lookup, path, oflags, rights, 0, 0, fd);
}

/* A raw open of `path` beneath `dir` is refused with ENOTCAPABLE, following symlinks or not. */
static void refused_open(int dir, const char* path) {
  __wasi_fd_t fd;
  __wasi_errno_t e = raw_open(dir, path, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd);
  if (e != __WASI_ERRNO_NOTCAPABLE) say("FAIL open %s (following): WASI errno %d", path, e), ++check_failures;
  e = raw_open(dir, path, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, __WASI_OFLAGS_CREAT, &fd);
  if (e != __WASI_ERRNO_NOTCAPABLE) say("FAIL open %s (creating): WASI errno %d", path, e), ++check_failures;
}

static void dot_dot(void) {
  /* Through wasi-libc: it hands the path below /sandbox to the host as is. */
  CHECK_ERRNO(open("/sandbox/../etc/passwd", O_RDONLY), ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/../../../../etc/passwd", O_RDONLY), ENOTCAPABLE);
  CHECK(mkdir("/sandbox/sub", 0755) == 0);
  CHECK_ERRNO(open("/sandbox/sub/../../other/x", O_RDONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(mkdir("/sandbox/../escaped", 0755), ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/../escaped.txt", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(rename("/sandbox/inside.txt", "/sandbox/../escaped.txt"), ENOTCAPABLE);
  CHECK_ERRNO(link("/sandbox/inside.txt", "/sandbox/../escaped.txt"), ENOTCAPABLE);
  CHECK_ERRNO(symlink("inside.txt", "/sandbox/../escaped-link"), ENOTCAPABLE);
  CHECK_ERRNO(unlink("/sandbox/../other"), ENOTCAPABLE);
  CHECK_ERRNO(rmdir("/sandbox/.."), ENOTCAPABLE);
  struct stat st;
  CHECK_ERRNO(stat("/sandbox/..", &st), ENOTCAPABLE);
  CHECK(opendir("/sandbox/..") == NULL && errno == ENOTCAPABLE);
  /* Paths outside every granted directory: wasi-libc finds no directory to ask. */
  CHECK_ERRNO(open("/etc/passwd", O_RDONLY), ENOTCAPABLE);
  /* Going down and up again stays inside and is fine. */
  int fd = open("/sandbox/sub/../inside.txt", O_RDONLY);
  CHECK(fd >= 0);
  close(fd);

  /* Raw, on the directory descriptor. */
  refused_open(sandbox_fd, "..");
  refused_open(sandbox_fd, "../x");
  refused_open(sandbox_fd, "sub/../../x");
  refused_open(sandbox_fd, "/etc/passwd");
  refused_open(sandbox_fd, "/x");
  refused_open(other_fd, "../sandbox/inside.txt");
}

static void symlinks_out(void) {
  /* Links to outside may be made (relative ones: they are only text), never followed. */
  CHECK(symlink("../../../../../../etc", "/sandbox/etc-rel") == 0);
  CHECK(symlink("..", "/sandbox/up") == 0);
  CHECK(symlink("sub/../..", "/sandbox/up2") == 0);
  /* An absolute target could never be followed here: refused outright. */
  CHECK_ERRNO(symlink("/etc/passwd", "/sandbox/etc-abs"), ENOTCAPABLE);
  CHECK_ERRNO(symlink("/sandbox/inside.txt", "/sandbox/abs-inside"), ENOTCAPABLE);
  CHECK_WASI(__wasi_path_symlink("/tmp", sandbox_fd, "tmp-link"), __WASI_ERRNO_NOTCAPABLE);

  const char* ways_out[] = {"etc-rel/passwd", "up/x", "up2/x", "up", "etc-rel", "sub/../up/x"};
  for (size_t i = 0; i < sizeof ways_out / sizeof *ways_out; ++i) refused_open(sandbox_fd, ways_out[i]);
  struct stat st;
  CHECK_ERRNO(stat("/sandbox/etc-rel/passwd", &st), ENOTCAPABLE);
  CHECK_ERRNO(stat("/sandbox/up", &st), ENOTCAPABLE);
  CHECK(lstat("/sandbox/up", &st) == 0 && S_ISLNK(st.st_mode));  /* the link itself is inside */
  CHECK_ERRNO(mkdir("/sandbox/up/escaped", 0755), ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/up/escaped.txt", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(rename("/sandbox/inside.txt", "/sandbox/up/escaped.txt"), ENOTCAPABLE);
  CHECK_ERRNO(symlink("x", "/sandbox/up/escaped-link"), ENOTCAPABLE);
  CHECK_ERRNO(unlink("/sandbox/up/sandbox"), ENOTCAPABLE);
  CHECK(opendir("/sandbox/up") == NULL && errno == ENOTCAPABLE);
  CHECK(opendir("/sandbox/up/") == NULL && errno == ENOTCAPABLE);
  /* A trailing slash follows the link: still refused, even for lstat. */
  CHECK_ERRNO(lstat("/sandbox/up/", &st), ENOTCAPABLE);
  /* Setting times through a link that leads out. */
  struct timespec times[2] = {{1, 0}, {1, 0}};
  CHECK_ERRNO(utimensat(AT_FDCWD, "/sandbox/etc-rel/passwd", times, 0), ENOTCAPABLE);
  CHECK_ERRNO(utimensat(AT_FDCWD, "/sandbox/up/", times, AT_SYMLINK_NOFOLLOW), ENOTCAPABLE);
  /* Reading a link through a link that leads out. */
  char buffer[64];
  CHECK_ERRNO(readlink("/sandbox/up/sandbox/up", buffer, sizeof buffer), ENOTCAPABLE);
  /* A link in one granted directory to the other is a way out of the first. */
  CHECK(symlink("../other", "/sandbox/to-other") == 0);
  CHECK_ERRNO(open("/sandbox/to-other/x", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
}

static void hard_links(void) {
  /* Hard links: both ends are resolved inside, so no name for a file outside can appear. */
  CHECK_ERRNO(link("/sandbox/etc-rel/passwd", "/sandbox/passwd"), ENOTCAPABLE);
  CHECK_ERRNO(linkat(AT_FDCWD, "/sandbox/etc-rel/passwd", AT_FDCWD, "/sandbox/passwd", AT_SYMLINK_FOLLOW),
              ENOTCAPABLE);
  /* Following a symlink whose target lies outside. */
  CHECK(symlink("../../../../../../etc/passwd", "/sandbox/passwd-link") == 0);
  CHECK_ERRNO(linkat(AT_FDCWD, "/sandbox/passwd-link", AT_FDCWD, "/sandbox/passwd", AT_SYMLINK_FOLLOW),
              ENOTCAPABLE);
  /* Without following, the link itself is linked: a second name for the symlink, inside. */
  CHECK(linkat(AT_FDCWD, "/sandbox/passwd-link", AT_FDCWD, "/sandbox/passwd-link2", 0) == 0);
  struct stat st;
  CHECK(lstat("/sandbox/passwd-link2", &st) == 0 && S_ISLNK(st.st_mode));
  CHECK_ERRNO(stat("/sandbox/passwd-link2", &st), ENOTCAPABLE);
  CHECK_ERRNO(access("/sandbox/passwd", F_OK), ENOENT);
  CHECK_WASI(__wasi_path_link(sandbox_fd, 0, "inside.txt", sandbox_fd, "../escaped"), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_link(sandbox_fd, 0, "/etc/passwd", sandbox_fd, "passwd"), __WASI_ERRNO_NOTCAPABLE);
}

static void confined_descriptors(void) {
  /* A directory opened below /sandbox is confined to what lies below it. */
  int sub = open("/sandbox/sub", O_RDONLY | O_DIRECTORY);
  CHECK(sub >= 0);
  __wasi_fd_t fd;
  CHECK_WASI(raw_open(sub, "../inside.txt", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(raw_open(sub, "..", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_create_directory(sub, "../made-from-sub"), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_rename(sub, "../inside.txt", sub, "stolen"), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_remove_directory(sub, ".."), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_unlink_file(sub, "../inside.txt"), __WASI_ERRNO_NOTCAPABLE);
  __wasi_filestat_t stat;
  CHECK_WASI(__wasi_path_filestat_get(sub, 0, "..", &stat), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_filestat_get(sub, 0, ".", &stat), 0);
  close(sub);
  /* Rename between the granted directories is fine, to anywhere else not. */
  CHECK_WASI(__wasi_path_rename(sandbox_fd, "inside.txt", other_fd, "../sandbox/x"), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_rename(sandbox_fd, "inside.txt", other_fd, "/tmp/x"), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_rename(sandbox_fd, "inside.txt", other_fd, "inside.txt"), 0);
  CHECK_WASI(__wasi_path_rename(other_fd, "inside.txt", sandbox_fd, "inside.txt"), 0);
  /* Rights: a directory handed fewer rights cannot hand on more, or get them back. */
  CHECK_WASI(__wasi_fd_fdstat_set_rights(sandbox_fd, __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR,
                                         __WASI_RIGHTS_FD_READ),
             0);
  CHECK_WASI(raw_open(sandbox_fd, "inside.txt", 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);  /* asks to write */
  CHECK_WASI(__wasi_path_open(sandbox_fd, 0, "inside.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd), 0);
  char buffer[8];
  CHECK(read(fd, buffer, sizeof buffer) == 7);
  CHECK_ERRNO(write(fd, "x", 1), EBADF);  /* wasi-libc's name for a missing right here */
  __wasi_ciovec_t one = {(const uint8_t*)"x", 1};
  size_t written;
  CHECK_WASI(__wasi_fd_write(fd, &one, 1, &written), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_create_directory(sandbox_fd, "no-right"), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_fd_fdstat_set_rights(sandbox_fd, __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_CREATE_DIRECTORY,
                                         __WASI_RIGHTS_FD_READ),
             __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0),
             __WASI_ERRNO_NOTCAPABLE);
}

int main(void) {
  log_refusals = 1;
  find_preopens();
  dot_dot();
  symlinks_out();
  hard_links();
  confined_descriptors();
  return checks_done("escape");
}
