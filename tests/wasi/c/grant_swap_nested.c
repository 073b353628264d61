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

static const char* symlink_to_host_etc(void) {
  static char target[3 * 64 + 4];
  target[0] = '\0';
  for (int i = 0; i < 64; ++i) strcat(target, "../");
  strcat(target, "etc");
  return target;
}

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
  report("child", "marker", "/pub/marker");
  report("child", "passwd", "/pub/passwd");
}

int main(void) {
  CHECK(rename("/sandbox/pub", "/sandbox/pub.old") == 0);
  CHECK(symlink(symlink_to_host_etc(), "/sandbox/pub") == 0);
  report("root", "marker", "/pub/marker");
  report("root", "passwd", "/pub/passwd");

  uint64_t pid;
  CHECK(lunatic_spawn("child", 0, &pid));
  lunatic_monitor(pid);
  lunatic_message_info info;
  CHECK(lunatic_receive(NULL, 0, 10000, NULL, 0, &info) == LUNATIC_RECEIVE_PROCESS_DIED && info.process == pid);
  CHECK(unlink("/sandbox/pub") == 0);
  return checks_done("grant_swap_nested");
}
