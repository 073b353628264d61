/* A database path that is an absolute path of the host, outside every granted directory, is
 * refused: a file that exists (/etc/passwd), one in a directory that exists (/tmp), and the
 * root directory itself.
 *
 * expect-stdout: an existing host file: refused: Failed to access '/etc/passwd': not inside a directory this process was granted
 * expect-stdout: a new host file: refused: Failed to access '/tmp/lunatic-sqlite-escape\.db': not inside a directory this process was granted
 * expect-stdout: the root: refused: Failed to access '/': not inside a directory this process was granted
 * expect-stdout: absolute: all ok
 */
#include "sqlite_test.h"

int main(void) {
  expect_open_refused("/etc/passwd", "an existing host file");
  expect_open_refused("/tmp/lunatic-sqlite-escape.db", "a new host file");
  expect_open_refused("/", "the root");
  say("absolute: all ok");
  return 0;
}
