/* Nested grants (issue 22): /sandbox is writable and /pub, the directory pub inside it, is
 * granted again, read-only. Each grant is its own descriptor with its own rights: what is
 * reached through /pub cannot be changed, what is reached through /sandbox can (the
 * granter's choice). A config grant takes the rights of the caller's grant it is found
 * under (the one with the longest guest name), and a child that inherits its parent's view
 * shares both grants.
 *
 * grant: /pub: sandbox/pub:ro
 * given-file: /pub/doc.txt: doc
 * expect-stdout: root: ok
 * expect-stdout: inheriting child: ok
 * expect-stdout: child granted /sandbox/pub: ok
 * expect-stdout: child granted /pub/inner: ok
 * expect-stdout: grants_nested: all checks passed
 * expect-file: /sandbox/pub/doc.txt: doc\n
 * expect-file: /sandbox/pub/by-child.txt: child\n
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include "../../../sdk/c/lunatic.h"
#include "check.h"

static void write_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
}

static int file_exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* What both the root and an inheriting child see. */
static void check_view(void) {
  CHECK(file_exists("/pub/doc.txt") && file_exists("/sandbox/pub/doc.txt"));
  CHECK_ERRNO(open("/pub/new.txt", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(unlink("/pub/doc.txt"), ENOTCAPABLE);
  CHECK_ERRNO(mkdir("/pub/made", 0755), ENOTCAPABLE);
  write_file("/sandbox/pub/scratch.txt", "scratch");
  CHECK(file_exists("/pub/scratch.txt"));  /* one directory, two grants */
  CHECK(unlink("/sandbox/pub/scratch.txt") == 0);
}

__attribute__((export_name("inheriting_child"))) void inheriting_child(int32_t unused) {
  (void)unused;
  check_view();
  say("inheriting child: ok");
}

/* Granted /sandbox/pub, found under the writable /sandbox: writable. */
__attribute__((export_name("sandbox_pub_child"))) void sandbox_pub_child(int32_t unused) {
  (void)unused;
  CHECK(preopen_fd("/pub") < 0);
  write_file("/sandbox/pub/by-child.txt", "child\n");
  say("child granted /sandbox/pub: ok");
}

/* Granted /pub/inner, found under the read-only /pub: read-only. */
__attribute__((export_name("pub_inner_child"))) void pub_inner_child(int32_t unused) {
  (void)unused;
  CHECK(file_exists("/pub/inner"));
  CHECK_ERRNO(open("/pub/inner/new.txt", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  say("child granted /pub/inner: ok");
}

int main(void) {
  check_view();
  CHECK(mkdir("/sandbox/pub/inner", 0755) == 0);
  say("root: ok");
  run_child(LUNATIC_CONFIG_INHERIT, "inheriting_child", 0);

  lunatic_config_id config = lunatic_config_create();
  lunatic_config_preopen_dir(config, "/sandbox/pub");
  run_child(config, "sandbox_pub_child", 0);
  lunatic_config_drop(config);

  config = lunatic_config_create();
  lunatic_config_preopen_dir(config, "/pub/inner");
  run_child(config, "pub_inner_child", 0);
  lunatic_config_drop(config);
  CHECK(rmdir("/sandbox/pub/inner") == 0);
  return checks_done("grants_nested");
}
