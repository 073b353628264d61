/* A database path that climbs out of the granted directory with "..", to a file that
 * exists outside it and to one it would create there, is refused; ".." that stays inside
 * is not.
 *
 * given-file: /other/outside.db: not to be opened from /sandbox
 * expect-stdout: to an existing file: refused: Failed to access '/sandbox/\.\./other/outside\.db': leads outside the granted directory /sandbox
 * expect-stdout: to a new file: refused: Failed to access '/sandbox/sub/\.\./\.\./escaped\.db': leads outside the granted directory /sandbox
 * expect-stdout: relative: refused: Failed to access '\.\./escaped\.db': not inside a directory this process was granted
 * expect-stdout: staying inside: 1
 * expect-stdout: dotdot: all ok
 * expect-file: /other/outside.db: not to be opened from /sandbox\n
 * expect-no-file: /sandbox/escaped.db
 */
#include <sys/stat.h>

#include "sqlite_test.h"

int main(void) {
  CHECK_EQ(mkdir("/sandbox/sub", 0755), 0);
  expect_open_refused("/sandbox/../other/outside.db", "to an existing file");
  expect_open_refused("/sandbox/sub/../../escaped.db", "to a new file");
  expect_open_refused("../escaped.db", "relative");
  expect_usable("/sandbox/sub/../inside.db", "staying inside");
  say("dotdot: all ok");
  return 0;
}
