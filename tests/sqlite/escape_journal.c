/* The names SQLite makes from a database's (its journal, its WAL) go through the sandbox as
 * the database's does, and so does asking whether they exist, which SQLite does before every
 * query: a journal or WAL that is a symlink leading out of the granted directory (relative
 * with "..", or absolute, which only the host can make) is not there as far as SQLite can
 * tell, so nothing outside is read as a journal to roll back, and a write that would make
 * the journal through the symlink fails (SQLite says the database is read-only, the journal
 * refused with EACCES); nothing outside changes.
 *
 * given-file: /other/outside-journal: not a journal, and not to be opened from /sandbox
 * given-symlink: /sandbox/j.db-wal: /etc/passwd
 * expect-stdout: read with a journal that leads out: 1 row
 * expect-stdout: write through a journal that leads out: 8 attempt to write a readonly database
 * expect-stdout: after the refused write: 1 row
 * expect-stdout: journal: all ok
 * expect-file: /other/outside-journal: not a journal, and not to be opened from /sandbox\n
 */
#include "sqlite_test.h"

int main(void) {
  uint64_t db = db_open_ok("/sandbox/j.db");
  CHECK_EQ(db_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)"), 0);
  CHECK_EQ(symlink("../other/outside-journal", "/sandbox/j.db-journal"), 0);
  say("read with a journal that leads out: %lld row", (long long)db_integer(db, "SELECT count(*) FROM t"));
  uint32_t rc = db_exec(db, "INSERT INTO t VALUES (2)");
  uint32_t code = 0;
  char text[256];
  db_last_error(db, &code, text, sizeof text);
  CHECK_EQ(code, rc);
  say("write through a journal that leads out: %u %s", rc, text);
  say("after the refused write: %lld row", (long long)db_integer(db, "SELECT count(*) FROM t"));
  say("journal: all ok");
  return 0;
}
