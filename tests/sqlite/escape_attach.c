/* ATTACH goes through the same sandbox as open: a file outside the granted directories (by
 * "..", by an absolute host path, by a URI naming another VFS, by a symlink) cannot be
 * attached, and nothing is created outside; a file inside a granted directory can.
 *
 * given-file: /other/outside.db: not to be opened from /sandbox
 * expect-stdout: attach with \.\.: 14 unable to open database: /sandbox/\.\./escaped\.db
 * expect-stdout: attach a host file: 14 unable to open database: /etc/passwd
 * expect-stdout: attach a URI: 14 unable to open database: file:/etc/passwd\?vfs=unix
 * expect-stdout: attach through a symlink: 14 unable to open database: /sandbox/link\.db
 * expect-stdout: attach inside: 0 and 1 row
 * expect-stdout: attach: all ok
 * expect-file: /other/outside.db: not to be opened from /sandbox\n
 * expect-no-file: /sandbox/file:
 */
#include "sqlite_test.h"

static void attach_refused(uint64_t db, const char* path, const char* what) {
  char sql[256], text[256];
  snprintf(sql, sizeof sql, "ATTACH '%s' AS o", path);
  uint32_t rc = db_exec(db, sql);
  uint32_t code = 0;
  db_last_error(db, &code, text, sizeof text);
  CHECK_EQ(code, rc);
  say("%s: %u %s", what, rc, text);
}

int main(void) {
  uint64_t db = db_open_ok("/sandbox/main.db");
  CHECK_EQ(symlink("../other/outside.db", "/sandbox/link.db"), 0);
  attach_refused(db, "/sandbox/../escaped.db", "attach with ..");
  attach_refused(db, "/etc/passwd", "attach a host file");
  attach_refused(db, "file:/etc/passwd?vfs=unix", "attach a URI");
  attach_refused(db, "/sandbox/link.db", "attach through a symlink");
  uint32_t rc = db_exec(db, "ATTACH '/other/granted.db' AS g; CREATE TABLE g.t (x); INSERT INTO g.t VALUES (1)");
  say("attach inside: %u and %lld row", rc, (long long)db_integer(db, "SELECT count(*) FROM g.t"));
  say("attach: all ok");
  return 0;
}
