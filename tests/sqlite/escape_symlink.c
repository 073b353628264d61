/* A symlink inside the granted directory that leads out of it (relative with "..", or
 * absolute, which only the host can make), as the database or as a directory on its way, is refused; one that stays
 * inside is followed.
 *
 * given-file: /other/outside.db: not to be opened from /sandbox
 * given-symlink: /sandbox/absolute.db: /etc/passwd
 * expect-stdout: relative symlink out: refused: Failed to access '/sandbox/relative\.db': leads outside the granted directory /sandbox
 * expect-stdout: absolute symlink out: refused: Failed to access '/sandbox/absolute\.db': leads outside the granted directory /sandbox
 * expect-stdout: symlinked directory out: refused: Failed to access '/sandbox/outdir/new\.db': leads outside the granted directory /sandbox
 * expect-stdout: symlink inside: 1
 * expect-stdout: symlink: all ok
 * expect-file: /other/outside.db: not to be opened from /sandbox\n
 * expect-no-file: /other/new.db
 */
#include "sqlite_test.h"

int main(void) {
  CHECK_EQ(symlink("../other/outside.db", "/sandbox/relative.db"), 0);
  CHECK_EQ(symlink("../other", "/sandbox/outdir"), 0);
  CHECK_EQ(symlink("real.db", "/sandbox/alias.db"), 0);
  expect_open_refused("/sandbox/relative.db", "relative symlink out");
  expect_open_refused("/sandbox/absolute.db", "absolute symlink out");
  expect_open_refused("/sandbox/outdir/new.db", "symlinked directory out");
  expect_usable("/sandbox/alias.db", "symlink inside");
  say("symlink: all ok");
  return 0;
}
