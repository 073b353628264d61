/* Every lunatic::sqlite function on its way that works: open (":memory:" with no grant
 * needed, and a file beneath /sandbox), execute, query_prepare, bind_value (by index, by
 * name, each type), sqlite3_step, read_row, read_column, column_count, column_name,
 * column_names, statement_reset, sqlite3_changes, last_error, sqlite3_finalize; what was
 * written is in the file for a second connection and a second process; and a process that
 * dies in the middle of a transaction gives its lock back and loses only that transaction.
 *
 * expect-stdout: memory: 42
 * expect-stdout: changes: 3
 * expect-stdout: columns: 4 id,name,score,data
 * expect-stdout: row: 1 'one' 1.5 blob\[3\]
 * expect-stdout: row: 2 'two' null null
 * expect-stdout: named: 'three'
 * expect-stdout: reset: 3 rows twice
 * expect-stdout: mid-way reset: the lock given back
 * expect-stdout: last_error: 1 no such table: missing_table
 * expect-stdout: no error: 0 not an error
 * expect-stdout: child saw 3 rows
 * expect-stdout: dying child: (?P<child>\d+) died
 * expect-stdout: after the dead transaction: 3 rows, and a write
 * expect-stdout: functions: all ok
 * expect-file: /sandbox/test.db: (?s)SQLite format 3.*
 */
#include "sqlite_test.h"

TEST_ENTRY(reads_in_child) {
  uint64_t db = db_open_ok("/sandbox/test.db");
  say("child saw %lld rows", (long long)db_integer(db, "SELECT count(*) FROM t"));
}

/* Starts a transaction, writes, steps into a query, says so and waits to be killed. */
TEST_ENTRY(dies_in_transaction) {
  uint64_t db = db_open_ok("/sandbox/test.db");
  CHECK_EQ(db_exec(db, "BEGIN IMMEDIATE; INSERT INTO t (name) VALUES ('lost')"), 0);
  uint64_t st = db_prepare(db, "SELECT name FROM t");
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(st), LUNATIC_SQLITE_ROW);
  send_u64(parent, 7, 0);
  expect_u64(8);
}

static void say_row(uint64_t st) {
  lunatic_sqlite_reply row = lunatic_sqlite_read_row(st);
  lunatic_sqlite_reader in = lunatic_sqlite_reader_of(row);
  uint64_t count = 0;
  CHECK(lunatic_sqlite_next_u64(&in, &count) && count == 4);
  char line[256];
  int at = snprintf(line, sizeof line, "row:");
  for (uint64_t i = 0; i < count; ++i) {
    lunatic_sqlite_value v;
    CHECK(lunatic_sqlite_next_value(&in, &v));
    switch (v.type) {
      case LUNATIC_SQLITE_NULL: at += snprintf(line + at, sizeof line - at, " null"); break;
      case LUNATIC_SQLITE_INTEGER: at += snprintf(line + at, sizeof line - at, " %lld", (long long)v.integer); break;
      case LUNATIC_SQLITE_DOUBLE: at += snprintf(line + at, sizeof line - at, " %g", v.real); break;
      case LUNATIC_SQLITE_TEXT:
        at += snprintf(line + at, sizeof line - at, " '%.*s'", (int)v.length, (const char*)v.bytes);
        break;
      case LUNATIC_SQLITE_BLOB: at += snprintf(line + at, sizeof line - at, " blob[%llu]", (unsigned long long)v.length); break;
      default: CHECK(0);
    }
  }
  CHECK(in.at == in.end);
  say("%s", line);
}

int main(void) {
  /* ":memory:" needs no grant. */
  uint64_t memory = db_open_ok(":memory:");
  say("memory: %lld", (long long)db_integer(memory, "SELECT 6 * 7"));

  uint64_t db = db_open_ok("/sandbox/test.db");
  CHECK_EQ(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)"), 0);
  CHECK_EQ(db_exec(db, "INSERT INTO t (name) VALUES ('a'), ('b'), ('c')"), 0);
  say("changes: %u", lunatic_raw_sqlite_sqlite3_changes(db));
  CHECK_EQ(db_exec(db, "DELETE FROM t"), 0);

  /* Binds by index, of every type. */
  uint64_t insert = db_prepare(db, "INSERT INTO t (id, name, score, data) VALUES (?, ?, ?, ?)");
  lunatic_sqlite_binds b = {0};
  lunatic_sqlite_bind_int64(&b, 1, 1);
  lunatic_sqlite_bind_text(&b, 2, "one", 3);
  lunatic_sqlite_bind_double(&b, 3, 1.5);
  lunatic_sqlite_bind_blob(&b, 4, "\x01\x02\x03", 3);
  lunatic_sqlite_bind(insert, &b);
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(insert), LUNATIC_SQLITE_DONE);
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_changes(db), 1);
  lunatic_raw_sqlite_statement_reset(insert);
  lunatic_sqlite_bind_int64(&b, 1, 2);
  lunatic_sqlite_bind_text(&b, 2, "two", 3);
  lunatic_sqlite_bind_null(&b, 3);
  lunatic_sqlite_bind_null(&b, 4);
  lunatic_sqlite_bind(insert, &b);
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(insert), LUNATIC_SQLITE_DONE);
  lunatic_raw_sqlite_sqlite3_finalize(insert);

  /* By name. */
  uint64_t named = db_prepare(db, "INSERT INTO t (id, name) VALUES (3, :name)");
  lunatic_sqlite_bind_named_text(&b, ":name", "three", 5);
  lunatic_sqlite_bind(named, &b);
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(named), LUNATIC_SQLITE_DONE);
  lunatic_raw_sqlite_sqlite3_finalize(named);
  lunatic_sqlite_binds_free(&b);

  uint64_t select = db_prepare(db, "SELECT id, name, score, data FROM t WHERE id < 3 ORDER BY id");
  uint32_t count = lunatic_raw_sqlite_column_count(select);
  lunatic_sqlite_reply names = lunatic_sqlite_column_names(select);
  /* Each column_name below is a reply too, which takes the place of this one: a copy. */
  uint8_t kept[256];
  CHECK(names.length <= sizeof kept);
  memcpy(kept, names.data, names.length);
  names.data = kept;
  lunatic_sqlite_reader in = lunatic_sqlite_reader_of(names);
  uint64_t name_count = 0;
  CHECK(lunatic_sqlite_next_u64(&in, &name_count) && name_count == count);
  char joined[128] = "";
  for (uint64_t i = 0; i < name_count; ++i) {
    const uint8_t* name;
    uint64_t length;
    CHECK(lunatic_sqlite_next_bytes(&in, &name, &length));
    lunatic_sqlite_reply one = lunatic_sqlite_column_name(select, (uint32_t)i);
    CHECK(one.length == length && memcmp(one.data, name, length) == 0);
    snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%.*s", i ? "," : "", (int)length, name);
  }
  CHECK(in.at == in.end);
  say("columns: %u %s", count, joined);
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(select), LUNATIC_SQLITE_ROW);
  say_row(select);
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(select), LUNATIC_SQLITE_ROW);
  say_row(select);
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(select), LUNATIC_SQLITE_DONE);
  lunatic_raw_sqlite_sqlite3_finalize(select);

  uint64_t by_name = db_prepare(db, "SELECT name FROM t WHERE id = 3");
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(by_name), LUNATIC_SQLITE_ROW);
  lunatic_sqlite_reply column = lunatic_sqlite_read_column(by_name, 0);
  in = lunatic_sqlite_reader_of(column);
  lunatic_sqlite_value value;
  CHECK(lunatic_sqlite_next_value(&in, &value) && value.type == LUNATIC_SQLITE_TEXT);
  say("named: '%.*s'", (int)value.length, (const char*)value.bytes);
  lunatic_raw_sqlite_sqlite3_finalize(by_name);

  /* A reset statement runs again from the start. */
  uint64_t all = db_prepare(db, "SELECT id FROM t");
  int rows = 0;
  for (int round = 0; round < 2; ++round) {
    int these = 0;
    while (lunatic_raw_sqlite_sqlite3_step(all) == LUNATIC_SQLITE_ROW) ++these;
    CHECK_EQ(these, 3);
    rows = these;
    lunatic_raw_sqlite_statement_reset(all);
  }
  lunatic_raw_sqlite_sqlite3_finalize(all);
  say("reset: %d rows twice", rows);

  /* A query reset mid-way (it runs on the process's stack) ends its read transaction: a
   * second connection to the file, refused a write while the query holds its lock, then
   * writes. */
  uint64_t writer = db_open_ok("/sandbox/test.db");
  uint64_t reading = db_prepare(db, "SELECT id FROM t");
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(reading), LUNATIC_SQLITE_ROW);
  CHECK_EQ(db_exec(writer, "INSERT INTO t (name) VALUES ('five')"), 5 /* SQLITE_BUSY */);
  lunatic_raw_sqlite_statement_reset(reading);
  CHECK_EQ(db_exec(writer, "INSERT INTO t (name) VALUES ('five'); DELETE FROM t WHERE name = 'five'"), 0);
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(reading), LUNATIC_SQLITE_ROW);
  lunatic_raw_sqlite_sqlite3_finalize(reading);
  say("mid-way reset: the lock given back");

  char text[256];
  uint32_t code = 0;
  CHECK_EQ(db_exec(db, "SELECT * FROM missing_table"), 1);
  db_last_error(db, &code, text, sizeof text);
  say("last_error: %u %s", code, text);
  CHECK_EQ(db_exec(db, "SELECT 1"), 0);
  db_last_error(db, &code, text, sizeof text);
  say("no error: %u %s", code, text);

  /* Another process, another connection, the same file. */
  run_until_it_ends("reads_in_child", 0, 10000);
  uint64_t dying = spawn_ok("dies_in_transaction", 0);
  lunatic_monitor(dying);
  expect_u64(7);
  lunatic_kill(dying);
  expect_died(dying);
  say("dying child: %llu died", (unsigned long long)dying);
  say("after the dead transaction: %lld rows, and a write", (long long)db_integer(db, "SELECT count(*) FROM t"));
  CHECK_EQ(db_exec(db, "INSERT INTO t (name) VALUES ('four'); DELETE FROM t WHERE name = 'four'"), 0);
  say("functions: all ok");
  return 0;
}
