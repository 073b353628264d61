/* A process whose config grants only /sandbox cannot open a database in /other, although
 * its parent can, nor reach it by ".." from /sandbox, nor ATTACH it.
 *
 * expect-stdout: parent: /other/db\.db written
 * expect-stdout: child: refused: Failed to access '/other/db\.db': not inside a directory this process was granted
 * expect-stdout: child by \.\.: refused: Failed to access '/sandbox/\.\./other/db\.db': leads outside the granted directory /sandbox
 * expect-stdout: child attach: 14
 * expect-stdout: child in /sandbox: ok
 * expect-stdout: not granted: all ok
 */
#include "sqlite_test.h"

TEST_ENTRY(sandbox_only) {
  expect_open_refused("/other/db.db", "child");
  expect_open_refused("/sandbox/../other/db.db", "child by ..");
  uint64_t db = db_open_ok("/sandbox/own.db");
  say("child attach: %u", db_exec(db, "ATTACH '/other/db.db' AS o"));
  CHECK_EQ(db_exec(db, "CREATE TABLE t (x)"), 0);
  say("child in /sandbox: ok");
}

int main(void) {
  uint64_t db = db_open_ok("/other/db.db");
  CHECK_EQ(db_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)"), 0);
  say("parent: /other/db.db written");
  lunatic_config_id config = lunatic_config_create();
  lunatic_config_preopen_dir(config, "/sandbox");
  uint64_t child = 0;
  CHECK_EQ(spawn_child(config, 0, "sandbox_only", 0, &child), 0);
  lunatic_monitor(child);
  expect_died(child);
  say("not granted: all ok");
  return 0;
}
