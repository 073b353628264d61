/* The error paths of lunatic::sqlite, as upstream answers them: open answers 1 and an error
 * id, execute SQLite's result code (last_error then says why); SQL that does not prepare, a
 * step that fails, an unknown connection or statement id, a pointer outside the process's
 * memory, a malformed or mismatched bind list and a column that does not exist end only the
 * calling process, with a line that says why. The runtime goes on: a new process still
 * answers, and the connection of the root still works.
 *
 * grant: /ro: sandbox/ro:ro
 * given-file: /sandbox/text.db: this is not a database
 * expect-stdout: missing directory: refused: Failed to access '/sandbox/missing/x\.db': No such file or directory
 * expect-stdout: read-only grant: refused: Failed to access '/ro/new\.db': .+
 * expect-stdout: NUL in the path: refused: Failed to access a path that holds a NUL character
 * expect-stdout: bad SQL: 1 near "SELEC": syntax error
 * expect-stdout: constraint: 19 UNIQUE constraint failed: t\.id
 * expect-stdout: not a database: 26 file is not a database
 * expect-stdout: prepare bad SQL: (?P<p1>\d+) failed
 * expect-stdout: prepare no statement: (?P<p2>\d+) failed
 * expect-stdout: unknown connection: (?P<p3>\d+) failed
 * expect-stdout: unknown statement: (?P<p4>\d+) failed
 * expect-stdout: finalize twice: (?P<p5>\d+) failed
 * expect-stdout: path outside memory: (?P<p6>\d+) failed
 * expect-stdout: id pointer outside memory: (?P<p7>\d+) failed
 * expect-stdout: path not UTF-8: (?P<p8>\d+) failed
 * expect-stdout: bind list outside memory: (?P<p9>\d+) failed
 * expect-stdout: bind list cut short: (?P<p10>\d+) failed
 * expect-stdout: bind index out of range: (?P<p11>\d+) failed
 * expect-stdout: bind unknown name: (?P<p12>\d+) failed
 * expect-stdout: bind bad value tag: (?P<p13>\d+) failed
 * expect-stdout: step into a constraint: (?P<p14>\d+) failed
 * expect-stdout: column out of range: (?P<p15>\d+) failed
 * expect-stdout: length pointer outside memory: (?P<p16>\d+) failed
 * expect-stdout: SQL outside memory: (?P<p17>\d+) failed
 * expect-stdout: a new process answers 42
 * expect-stdout: the root's connection: 1 row
 * expect-stdout: errors: all ok
 * expect-stderr: lunatic: process {{p1}} failed: query_prepare: near "SELEC": syntax error at .*
 * expect-stderr: lunatic: process {{p2}} failed: query_prepare: the SQL holds no statement at .*
 * expect-stderr: lunatic: process {{p3}} failed: execute: no such SQLite connection at .*
 * expect-stderr: lunatic: process {{p4}} failed: sqlite3_step: no such SQLite statement at .*
 * expect-stderr: lunatic: process {{p5}} failed: sqlite3_finalize: no such SQLite statement at .*
 * expect-stderr: lunatic: process {{p6}} failed: open: the path is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p7}} failed: open: the connection id pointer is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p8}} failed: open: the path is not UTF-8 at .*
 * expect-stderr: lunatic: process {{p9}} failed: bind_value: the bind list is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p10}} failed: bind_value: a bind key is malformed or names no parameter of the statement at .*
 * expect-stderr: lunatic: process {{p11}} failed: bind_value: a bind key is malformed or names no parameter of the statement at .*
 * expect-stderr: lunatic: process {{p12}} failed: bind_value: a bind key is malformed or names no parameter of the statement at .*
 * expect-stderr: lunatic: process {{p13}} failed: bind_value: a bind value is malformed at .*
 * expect-stderr: lunatic: process {{p14}} failed: sqlite3_step: UNIQUE constraint failed: t\.id at .*
 * expect-stderr: lunatic: process {{p15}} failed: read_column: no such column at .*
 * expect-stderr: lunatic: process {{p16}} failed: read_row: the length pointer is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p17}} failed: execute: the SQL is outside the process's memory at .*
 */
#include "sqlite_test.h"

#define OUTSIDE ((void*)(uintptr_t)0xFFFFFFF0u)

ANSWERING_ENTRY

/* A connection to a fresh table t (id primary key) holding the row 1, and a statement. */
static uint64_t fresh(void) {
  uint64_t db = db_open_ok(":memory:");
  CHECK_EQ(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v); INSERT INTO t VALUES (1, 'x')"), 0);
  return db;
}

TEST_ENTRY(prepare_bad_sql) { db_prepare(fresh(), "SELEC 1"); }
TEST_ENTRY(prepare_no_statement) { db_prepare(fresh(), "  -- nothing\n"); }
TEST_ENTRY(unknown_connection) { db_exec(fresh() + 1000, "SELECT 1"); }
TEST_ENTRY(unknown_statement) { lunatic_raw_sqlite_sqlite3_step(db_prepare(fresh(), "SELECT 1") + 1000); }
TEST_ENTRY(finalize_twice) {
  uint64_t st = db_prepare(fresh(), "SELECT 1");
  lunatic_raw_sqlite_sqlite3_finalize(st);
  lunatic_raw_sqlite_sqlite3_finalize(st);
}
TEST_ENTRY(path_outside) {
  uint64_t id;
  lunatic_raw_sqlite_open(OUTSIDE, 100, &id);
}
TEST_ENTRY(id_outside) { lunatic_raw_sqlite_open(":memory:", 8, OUTSIDE); }
TEST_ENTRY(path_not_utf8) {
  uint64_t id;
  lunatic_raw_sqlite_open("/sandbox/\xff.db", 13, &id);
}
TEST_ENTRY(binds_outside) { lunatic_raw_sqlite_bind_value(db_prepare(fresh(), "SELECT ?"), OUTSIDE, 64); }
TEST_ENTRY(binds_cut_short) {
  uint8_t list[10] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0}; /* one pair, then two bytes of its key */
  lunatic_raw_sqlite_bind_value(db_prepare(fresh(), "SELECT ?"), list, sizeof list);
}
TEST_ENTRY(bind_out_of_range) {
  lunatic_sqlite_binds b = {0};
  lunatic_sqlite_bind_int64(&b, 5, 1);
  lunatic_sqlite_bind(db_prepare(fresh(), "SELECT ?"), &b);
}
TEST_ENTRY(bind_unknown_name) {
  lunatic_sqlite_binds b = {0};
  lunatic_sqlite_bind_named_text(&b, ":nobody", "x", 1);
  lunatic_sqlite_bind(db_prepare(fresh(), "SELECT :somebody"), &b);
}
TEST_ENTRY(bind_bad_value) {
  /* one pair: key Numeric(1), value tag 9 */
  uint8_t list[24] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0};
  lunatic_raw_sqlite_bind_value(db_prepare(fresh(), "SELECT ?"), list, sizeof list);
}
TEST_ENTRY(step_constraint) { lunatic_raw_sqlite_sqlite3_step(db_prepare(fresh(), "INSERT INTO t VALUES (1, 'y')")); }
TEST_ENTRY(column_out_of_range) {
  uint64_t st = db_prepare(fresh(), "SELECT id FROM t");
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(st), LUNATIC_SQLITE_ROW);
  uint32_t len;
  lunatic_raw_sqlite_read_column(st, 1, &len);
}
TEST_ENTRY(length_outside) {
  uint64_t st = db_prepare(fresh(), "SELECT id FROM t");
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(st), LUNATIC_SQLITE_ROW);
  lunatic_raw_sqlite_read_row(st, OUTSIDE);
}
TEST_ENTRY(sql_outside) { lunatic_raw_sqlite_execute(fresh(), OUTSIDE, 64); }

static void say_result(uint64_t db, uint32_t rc, const char* what) {
  char text[256];
  uint32_t code = 0;
  db_last_error(db, &code, text, sizeof text);
  CHECK_EQ(code, rc);
  say("%s: %u %s", what, rc, text);
}

int main(void) {
  expect_open_refused("/sandbox/missing/x.db", "missing directory");
  expect_open_refused("/ro/new.db", "read-only grant");
  {
    uint64_t error = 0;
    CHECK_EQ(lunatic_raw_sqlite_open("/sandbox/a\0b.db", 14, &error), 1);
    char text[256];
    say("NUL in the path: refused: %s", error_text(error, text, sizeof text));
  }
  uint64_t db = fresh();
  say_result(db, db_exec(db, "SELEC 1"), "bad SQL");
  say_result(db, db_exec(db, "INSERT INTO t VALUES (1, 'again')"), "constraint");
  uint64_t text_db = db_open_ok("/sandbox/text.db");
  say_result(text_db, db_exec(text_db, "SELECT * FROM sqlite_master"), "not a database");

  expect_failure_of("prepare_bad_sql", "prepare bad SQL");
  expect_failure_of("prepare_no_statement", "prepare no statement");
  expect_failure_of("unknown_connection", "unknown connection");
  expect_failure_of("unknown_statement", "unknown statement");
  expect_failure_of("finalize_twice", "finalize twice");
  expect_failure_of("path_outside", "path outside memory");
  expect_failure_of("id_outside", "id pointer outside memory");
  expect_failure_of("path_not_utf8", "path not UTF-8");
  expect_failure_of("binds_outside", "bind list outside memory");
  expect_failure_of("binds_cut_short", "bind list cut short");
  expect_failure_of("bind_out_of_range", "bind index out of range");
  expect_failure_of("bind_unknown_name", "bind unknown name");
  expect_failure_of("bind_bad_value", "bind bad value tag");
  expect_failure_of("step_constraint", "step into a constraint");
  expect_failure_of("column_out_of_range", "column out of range");
  expect_failure_of("length_outside", "length pointer outside memory");
  expect_failure_of("sql_outside", "SQL outside memory");
  say("a new process answers %llu", (unsigned long long)new_process_answers());
  say("the root's connection: %lld row", (long long)db_integer(db, "SELECT count(*) FROM t"));
  say("errors: all ok");
  return 0;
}
