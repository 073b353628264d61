/* Directories and names: mkdir, rmdir, readdir (with many entries, rewinding and
 * seekdir to a remembered place), rename (also between the two granted directories),
 * unlink, hard links, symlinks and readlink, stat and lstat.
 *
 * expect-stdout: dirs: all checks passed
 * expect-file: /other/moved.txt: moved\n
 * expect-no-file: /sandbox/moved.txt
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "check.h"

static void make_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  CHECK(close(fd) == 0);
}

static void make_and_remove(void) {
  CHECK(mkdir("/sandbox/d", 0755) == 0);
  CHECK_ERRNO(mkdir("/sandbox/d", 0755), EEXIST);
  CHECK(mkdir("/sandbox/d/e/", 0755) == 0);  /* a trailing slash is allowed */
  CHECK_ERRNO(mkdir("/sandbox/missing/e", 0755), ENOENT);
  make_file("/sandbox/d/e/f.txt", "f");
  CHECK_ERRNO(rmdir("/sandbox/d/e"), ENOTEMPTY);
  CHECK_ERRNO(rmdir("/sandbox/d/e/f.txt"), ENOTDIR);
  CHECK_ERRNO(unlink("/sandbox/d/e"), EISDIR);
  CHECK_ERRNO(unlink("/sandbox/d/e/f.txt/"), ENOTDIR);
  CHECK(unlink("/sandbox/d/e/f.txt") == 0);
  CHECK_ERRNO(unlink("/sandbox/d/e/f.txt"), ENOENT);
  CHECK(rmdir("/sandbox/d/e/") == 0);
  CHECK_ERRNO(rmdir("/sandbox/d/e"), ENOENT);
  CHECK_ERRNO(rmdir("/sandbox/d/."), EINVAL);
  struct stat st;
  CHECK(stat("/sandbox/d", &st) == 0 && S_ISDIR(st.st_mode));
  CHECK(stat("/sandbox/d/", &st) == 0 && S_ISDIR(st.st_mode));
  CHECK(stat("/sandbox/d/..", &st) == 0 && S_ISDIR(st.st_mode));
}

enum { kEntries = 300 };

/* Lists /sandbox/many; returns how many regular files named n<number> it holds, each seen
 * once (a number seen twice counts as a failure). */
static int count_listing(DIR* dir) {
  static char seen[kEntries];
  memset(seen, 0, sizeof seen);
  int files = 0, dots = 0;
  struct dirent* e;
  while ((e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
      CHECK(e->d_type == DT_DIR);
      ++dots;
      continue;
    }
    int n = atoi(e->d_name + 1);
    CHECK(e->d_name[0] == 'n' && n >= 0 && n < kEntries && !seen[n]);
    CHECK(e->d_type == DT_REG);
    seen[n] = 1;
    ++files;
  }
  CHECK(dots == 2);
  return files;
}

static void listing(void) {
  CHECK(mkdir("/sandbox/many", 0755) == 0);
  char path[64];
  for (int i = 0; i < kEntries; ++i) {
    /* Long names, so the listing takes many fd_readdir calls. */
    snprintf(path, sizeof path, "/sandbox/many/n%d-%040d", i, i);
    make_file(path, "");
  }
  DIR* dir = opendir("/sandbox/many");
  CHECK(dir != NULL);
  if (!dir) return;
  CHECK(count_listing(dir) == kEntries);
  rewinddir(dir);
  CHECK(count_listing(dir) == kEntries);

  /* seekdir to a place telldir gave comes back to the same entry. */
  rewinddir(dir);
  for (int i = 0; i < 100; ++i) CHECK(readdir(dir) != NULL);
  long place = telldir(dir);
  struct dirent* e = readdir(dir);
  char name[256] = {0};
  CHECK(e != NULL);
  if (e) strcpy(name, e->d_name);
  for (int i = 0; i < 50; ++i) CHECK(readdir(dir) != NULL);
  seekdir(dir, place);
  e = readdir(dir);
  CHECK(e != NULL && strcmp(e->d_name, name) == 0);
  CHECK(closedir(dir) == 0);

  /* An empty directory lists only "." and "..". */
  CHECK(mkdir("/sandbox/empty", 0755) == 0);
  dir = opendir("/sandbox/empty");
  CHECK(dir != NULL);
  int count = 0;
  while (dir && readdir(dir)) ++count;
  CHECK(count == 2);
  if (dir) closedir(dir);
  CHECK(opendir("/sandbox/missing") == NULL && errno == ENOENT);
}

static void renames(void) {
  make_file("/sandbox/a.txt", "a");
  CHECK(rename("/sandbox/a.txt", "/sandbox/b.txt") == 0);
  CHECK_ERRNO(access("/sandbox/a.txt", F_OK), ENOENT);
  CHECK(access("/sandbox/b.txt", F_OK) == 0);
  make_file("/sandbox/c.txt", "c");
  CHECK(rename("/sandbox/c.txt", "/sandbox/b.txt") == 0);  /* replaces */
  char buffer[4] = {0};
  int fd = open("/sandbox/b.txt", O_RDONLY);
  CHECK(read(fd, buffer, 4) == 1 && buffer[0] == 'c');
  close(fd);
  CHECK(mkdir("/sandbox/dir1", 0755) == 0);
  CHECK(rename("/sandbox/dir1", "/sandbox/dir2/") == 0);
  CHECK_ERRNO(rename("/sandbox/b.txt/", "/sandbox/x"), ENOTDIR);
  CHECK_ERRNO(rename("/sandbox/b.txt", "/sandbox/dir2"), EISDIR);
  CHECK_ERRNO(rename("/sandbox/missing", "/sandbox/x"), ENOENT);
  CHECK_ERRNO(rename("/sandbox/dir2", "/sandbox/dir2/inside"), EINVAL);
  /* Between the two granted directories. */
  make_file("/sandbox/moved.txt", "moved\n");
  CHECK(rename("/sandbox/moved.txt", "/other/moved.txt") == 0);
}

static void links(void) {
  make_file("/sandbox/target.txt", "target");
  CHECK(link("/sandbox/target.txt", "/sandbox/hard.txt") == 0);
  struct stat a, b;
  CHECK(stat("/sandbox/target.txt", &a) == 0 && stat("/sandbox/hard.txt", &b) == 0);
  CHECK(a.st_ino == b.st_ino && a.st_nlink == 2);
  CHECK_ERRNO(link("/sandbox/target.txt", "/sandbox/hard.txt"), EEXIST);
  CHECK_ERRNO(link("/sandbox/missing", "/sandbox/x"), ENOENT);
  CHECK_ERRNO(link("/sandbox/dir2", "/sandbox/dirlink"), EPERM);
  /* A hard link into the other granted directory (they may be different file systems). */
  int linked = link("/sandbox/target.txt", "/other/hard.txt");
  CHECK(linked == 0 || errno == EXDEV);
  if (linked == 0) CHECK(unlink("/other/hard.txt") == 0);

  CHECK(symlink("target.txt", "/sandbox/sym") == 0);
  CHECK_ERRNO(symlink("target.txt", "/sandbox/sym"), EEXIST);
  char contents[64] = {0};
  CHECK(readlink("/sandbox/sym", contents, sizeof contents) == 10 && memcmp(contents, "target.txt", 10) == 0);
  /* A short buffer gets the start of the contents. */
  memset(contents, 0, sizeof contents);
  CHECK(readlink("/sandbox/sym", contents, 4) == 4 && memcmp(contents, "targ", 4) == 0);
  CHECK_ERRNO(readlink("/sandbox/target.txt", contents, sizeof contents), EINVAL);
  CHECK(stat("/sandbox/sym", &a) == 0 && S_ISREG(a.st_mode) && a.st_size == 6);
  CHECK(lstat("/sandbox/sym", &b) == 0 && S_ISLNK(b.st_mode) && b.st_size == 10);
  char buffer[8] = {0};
  int fd = open("/sandbox/sym", O_RDONLY);
  CHECK(fd >= 0 && read(fd, buffer, 8) == 6 && memcmp(buffer, "target", 6) == 0);
  close(fd);
  CHECK_ERRNO(open("/sandbox/sym", O_RDONLY | O_NOFOLLOW), ELOOP);
  /* Links through directories and a dangling one. */
  CHECK(mkdir("/sandbox/sub", 0755) == 0);
  CHECK(symlink("../target.txt", "/sandbox/sub/up") == 0);
  CHECK(stat("/sandbox/sub/up", &a) == 0 && S_ISREG(a.st_mode));
  CHECK(symlink("sub", "/sandbox/subdir-link") == 0);
  CHECK(stat("/sandbox/subdir-link/up", &a) == 0 && S_ISREG(a.st_mode));
  CHECK(symlink("nowhere", "/sandbox/dangling") == 0);
  CHECK_ERRNO(stat("/sandbox/dangling", &a), ENOENT);
  CHECK(lstat("/sandbox/dangling", &a) == 0 && S_ISLNK(a.st_mode));
  /* Unlinking a symlink removes the link, not its target. */
  CHECK(unlink("/sandbox/sym") == 0);
  CHECK(access("/sandbox/target.txt", F_OK) == 0);
  /* linkat following a symlink links its target. */
  CHECK(symlink("target.txt", "/sandbox/sym2") == 0);
  CHECK(linkat(AT_FDCWD, "/sandbox/sym2", AT_FDCWD, "/sandbox/hard2.txt", AT_SYMLINK_FOLLOW) == 0);
  CHECK(stat("/sandbox/target.txt", &a) == 0);
  CHECK(lstat("/sandbox/hard2.txt", &b) == 0 && S_ISREG(b.st_mode) && b.st_ino == a.st_ino && b.st_nlink == 3);
  CHECK(linkat(AT_FDCWD, "/sandbox/sym2", AT_FDCWD, "/sandbox/hard3", 0) == 0);
  CHECK(lstat("/sandbox/hard3", &b) == 0 && S_ISLNK(b.st_mode));
}

int main(void) {
  make_and_remove();
  listing();
  renames();
  links();
  return checks_done("dirs");
}
