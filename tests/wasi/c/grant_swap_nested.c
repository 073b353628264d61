/* Issue 22, the second attack on directory grants: two nested grants, /sandbox and /pub,
 * which is the directory pub inside /sandbox on the host. Through /sandbox the root swaps
 * pub for a relative symlink that climbs to the host's /etc, then spawns a child that
 * inherits its view. The child must see the directory /pub was granted as (now named
 * pub.old on the host), never where the name pub now leads: the grants were opened once,
 * when the executable started, and children share those descriptors.
 *
 * grant: /pub: sandbox/pub
 * given-file: /pub/marker: granted
 * expect-stdout: root: marker: granted
 * expect-stdout: root: passwd: No such file or directory
 * expect-stdout: child: marker: granted
 * expect-stdout: child: passwd: No such file or directory
 * expect-stdout: grant_swap_nested: all checks passed
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../../sdk/c/lunatic.h"
#include "check.h"

__attribute__((export_name("child"))) void child(int32_t unused) {
  (void)unused;
  say_first_line("child", "marker", "/pub/marker");
  say_first_line("child", "passwd", "/pub/passwd");
}

int main(void) {
  CHECK(rename("/sandbox/pub", "/sandbox/pub.old") == 0);
  CHECK(symlink(climbing_to_host_etc(), "/sandbox/pub") == 0);
  say_first_line("root", "marker", "/pub/marker");
  say_first_line("root", "passwd", "/pub/passwd");

  run_child(LUNATIC_CONFIG_INHERIT, "child", 0);
  CHECK(unlink("/sandbox/pub") == 0);
  return checks_done("grant_swap_nested");
}
