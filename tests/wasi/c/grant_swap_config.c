/* Issue 22, the first attack on directory grants: a grant made by a config names a
 * directory, the granter swaps that directory for a symlink that leads out, and the child
 * spawned from the config must still see the directory it was granted, never where the
 * name now leads. A grant is a descriptor, opened beneath the granter's own directory when
 * config_preopen_dir is called (wasi/grants.h), not a name opened again later.
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

__attribute__((export_name("child"))) void child(int32_t unused) {
  (void)unused;
  say_first_line("child", "marker", "/sandbox/sub/marker");
  say_first_line("child", "passwd", "/sandbox/sub/passwd");
}

int main(void) {
  CHECK(mkdir("/sandbox/sub", 0755) == 0);
  FILE* marker = fopen("/sandbox/sub/marker", "w");
  CHECK(marker && fputs("granted\n", marker) >= 0 && fclose(marker) == 0);

  lunatic_config_id config = lunatic_config_create();
  lunatic_config_preopen_dir(config, "/sandbox/sub");

  CHECK(rename("/sandbox/sub", "/sandbox/sub.old") == 0);
  CHECK(symlink(climbing_to_host_etc(), "/sandbox/sub") == 0);

  run_child(config, "child", 0);
  CHECK(unlink("/sandbox/sub") == 0);  /* the runner removes the sandbox: leave no way out in it */
  return checks_done("grant_swap_config");
}
