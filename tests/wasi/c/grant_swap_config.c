/* Issue 22, the first attack on directory grants: a grant made by a config names a
 * directory, the granter swaps that directory for a symlink that leads out, and the child
 * spawned from the config must still see the directory it was granted, never where the
 * name now leads. A grant is a descriptor, opened beneath the granter's own directory when
 * config_preopen_dir is called (runtime/wasi_grants.h), not a name opened again later.
 *
 * The root makes /sandbox/sub (with a file in it), preopens /sandbox/sub in a new config,
 * then renames sub away and puts in its place a relative symlink that climbs to the host's
 * /etc, and spawns a child with the config. The child reads "marker" (the directory it was
 * granted, now named sub.old on the host) and must find no "passwd".
 *
 * expect-stdout: child: marker: granted
 * expect-stdout: child: passwd: No such file or directory
 * expect-stdout: grant_swap_config: all checks passed
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../../sdk/c/lunatic.h"
#include "check.h"

/* Far more "../" than any host directory is deep: from the sandbox, the host's root. */
static const char* symlink_to_host_etc(void) {
  static char target[3 * 64 + 4];
  target[0] = '\0';
  for (int i = 0; i < 64; ++i) strcat(target, "../");
  strcat(target, "etc");
  return target;
}

/* What reading `path` gives: its first line, or why it cannot be read. */
static void report(const char* who, const char* name, const char* path) {
  char line[128] = "";
  FILE* f = fopen(path, "r");
  if (!f) {
    say("%s: %s: %s", who, name, strerror(errno));
    return;
  }
  if (!fgets(line, sizeof line, f)) line[0] = '\0';
  fclose(f);
  line[strcspn(line, "\n")] = '\0';
  say("%s: %s: %s", who, name, line);
}

__attribute__((export_name("child"))) void child(int32_t unused) {
  (void)unused;
  report("child", "marker", "/sandbox/sub/marker");
  report("child", "passwd", "/sandbox/sub/passwd");
}

int main(void) {
  CHECK(mkdir("/sandbox/sub", 0755) == 0);
  FILE* marker = fopen("/sandbox/sub/marker", "w");
  CHECK(marker && fputs("granted\n", marker) >= 0 && fclose(marker) == 0);

  lunatic_config_id config = lunatic_config_create();
  lunatic_config_preopen_dir(config, "/sandbox/sub");

  CHECK(rename("/sandbox/sub", "/sandbox/sub.old") == 0);
  CHECK(symlink(symlink_to_host_etc(), "/sandbox/sub") == 0);

  uint64_t pid;
  CHECK(lunatic_spawn_config(config, LUNATIC_NO_TAG, "child", 0, &pid));
  lunatic_monitor(pid);
  lunatic_message_info info;
  CHECK(lunatic_receive(NULL, 0, 10000, NULL, 0, &info) == LUNATIC_RECEIVE_PROCESS_DIED && info.process == pid);
  CHECK(unlink("/sandbox/sub") == 0);  /* the runner removes the sandbox: leave no way out in it */
  return checks_done("grant_swap_config");
}
