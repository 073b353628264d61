/* sqlite_test.h: what the programs of tests/sqlite share, over tests/processes/common.h
 * (say, CHECK, processes) and sdk/c/lunatic_sqlite.h. */
#ifndef SQLITE_TEST_H
#define SQLITE_TEST_H

#include "common.h"
#include "lunatic_sqlite.h"

LUNATIC_SQLITE_ALLOCATOR

/* Opens `path`: 0 and the connection id in *out, or 1 and an error id. */
static inline uint64_t db_open(const char* path, uint64_t* out) {
  return lunatic_raw_sqlite_open(path, strlen(path), out);
}

/* Opens `path`, which must succeed. */
static inline uint64_t db_open_ok(const char* path) {
  uint64_t db = 0;
  if (db_open(path, &db) != 0) {
    char text[512];
    say("FAIL opening %s: %s", path, error_text(db, text, sizeof text));
    exit(1);
  }
  return db;
}

/* open must refuse `path`: says "WHAT: refused: <the error's text>". */
static inline void expect_open_refused(const char* path, const char* what) {
  uint64_t error = 0;
  CHECK_EQ(db_open(path, &error), 1);
  char text[512];
  say("%s: refused: %s", what, error_text(error, text, sizeof text));
}

static inline uint32_t db_exec(uint64_t db, const char* sql) {
  return lunatic_raw_sqlite_execute(db, sql, strlen(sql));
}

static inline uint64_t db_prepare(uint64_t db, const char* sql) {
  return lunatic_raw_sqlite_query_prepare(db, sql, strlen(sql));
}

/* The text of the connection's last error, NUL-terminated in `buf`; its code in *code. */
static inline const char* db_last_error(uint64_t db, uint32_t* code, char* buf, size_t cap) {
  lunatic_sqlite_reply reply = lunatic_sqlite_last_error(db);
  lunatic_sqlite_reader in = lunatic_sqlite_reader_of(reply);
  uint8_t some = 0;
  const uint8_t* text = NULL;
  uint64_t length = 0;
  CHECK(lunatic_sqlite_next_u8(&in, &some) && some == 1 && lunatic_sqlite_next_u32(&in, code));
  CHECK(lunatic_sqlite_next_u8(&in, &some) && some == 1 && lunatic_sqlite_next_bytes(&in, &text, &length));
  CHECK(in.at == in.end && length < cap);
  memcpy(buf, text, length);
  buf[length] = '\0';
  return buf;
}

/* The one integer a query gives (its first row's first column). */
static inline int64_t db_integer(uint64_t db, const char* sql) {
  uint64_t st = db_prepare(db, sql);
  CHECK_EQ(lunatic_raw_sqlite_sqlite3_step(st), LUNATIC_SQLITE_ROW);
  lunatic_sqlite_reply reply = lunatic_sqlite_read_column(st, 0);
  lunatic_sqlite_reader in = lunatic_sqlite_reader_of(reply);
  lunatic_sqlite_value value;
  CHECK(lunatic_sqlite_next_value(&in, &value) && value.type == LUNATIC_SQLITE_INTEGER);
  lunatic_raw_sqlite_sqlite3_finalize(st);
  return value.integer;
}

/* Opens `path`, which must succeed, writes a row there and says "WHAT: <rows>". */
static inline void expect_usable(const char* path, const char* what) {
  uint64_t db = db_open_ok(path);
  CHECK_EQ(db_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)"), 0);
  say("%s: %lld", what, (long long)db_integer(db, "SELECT count(*) FROM t"));
}

#endif /* SQLITE_TEST_H */
