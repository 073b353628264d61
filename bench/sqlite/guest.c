/* The lunatic side of bench/sqlite (run.py): PROCESSES processes at once, each with its own
 * database file in DIR, insert INSERTS single rows in one transaction, then make SELECTS
 * point selects by primary key; the root times each phase from its start until the last
 * process has finished it. native.c does the same SQL with threads and SQLite's C API.
 *
 *     guest DIR PROCESSES INSERTS SELECTS      (DIR granted, or ":memory:")
 * prints: insert_seconds S select_seconds S rows N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"

#include "lunatic.h"
#include "lunatic_sqlite.h"

LUNATIC_SQLITE_ALLOCATOR

enum { TAG_SETUP = 1, TAG_INSERTED = 2, TAG_GO = 3, TAG_SELECTED = 4 };

typedef struct {
  char dir[200];
  int32_t inserts, selects;
} setup;

static void exec_ok(uint64_t db, const char* sql) {
  if (lunatic_raw_sqlite_execute(db, sql, strlen(sql)) != 0) fail(sql);
}

static uint64_t prepare(uint64_t db, const char* sql) { return lunatic_raw_sqlite_query_prepare(db, sql, strlen(sql)); }

LUNATIC_ENTRY(worker) {
  setup s;
  lunatic_message_info info;
  if (lunatic_receive((const lunatic_tag[]){TAG_SETUP}, 1, LUNATIC_WAIT_FOREVER, &s, sizeof s, &info) != LUNATIC_RECEIVE_DATA) return;
  char path[260];
  if (!strcmp(s.dir, ":memory:")) snprintf(path, sizeof path, ":memory:");
  else snprintf(path, sizeof path, "%s/bench-%d.db", s.dir, arg);
  uint64_t db;
  if (lunatic_raw_sqlite_open(path, strlen(path), &db) != 0) fail("open");
  exec_ok(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  exec_ok(db, "BEGIN");
  uint64_t insert = prepare(db, "INSERT INTO t (id, v) VALUES (?, ?)");
  lunatic_sqlite_binds b = {0};
  char value[32];
  for (int32_t i = 0; i < s.inserts; ++i) {
    int length = snprintf(value, sizeof value, "value %d", i);
    lunatic_sqlite_bind_int64(&b, 1, i);
    lunatic_sqlite_bind_text(&b, 2, value, (size_t)length);
    lunatic_sqlite_bind(insert, &b);
    if (lunatic_raw_sqlite_sqlite3_step(insert) != LUNATIC_SQLITE_DONE) fail("insert");
    lunatic_raw_sqlite_statement_reset(insert);
  }
  lunatic_raw_sqlite_sqlite3_finalize(insert);
  exec_ok(db, "COMMIT");
  uint64_t root_pid;
  lunatic_registry_get("bench.root", &root_pid, NULL);
  lunatic_send(root_pid, TAG_INSERTED, "", 0);
  lunatic_receive((const lunatic_tag[]){TAG_GO}, 1, LUNATIC_WAIT_FOREVER, NULL, 0, &info);
  uint64_t select = prepare(db, "SELECT v FROM t WHERE id = ?");
  uint64_t found = 0;
  for (int32_t i = 0; i < s.selects; ++i) {
    lunatic_sqlite_bind_int64(&b, 1, (i * 7919) % s.inserts);
    lunatic_sqlite_bind(select, &b);
    if (lunatic_raw_sqlite_sqlite3_step(select) == LUNATIC_SQLITE_ROW) {
      lunatic_sqlite_reply row = lunatic_sqlite_read_row(select);
      found += row.length > 0;
    }
    lunatic_raw_sqlite_statement_reset(select);
  }
  lunatic_raw_sqlite_sqlite3_finalize(select);
  lunatic_sqlite_binds_free(&b);
  lunatic_send(root_pid, TAG_SELECTED, &found, sizeof found);
}

int main(int argc, char** argv) {
  if (argc != 5) fail("usage: guest DIR PROCESSES INSERTS SELECTS");
  setup s;
  snprintf(s.dir, sizeof s.dir, "%s", argv[1]);
  int processes = atoi(argv[2]);
  s.inserts = atoi(argv[3]);
  s.selects = atoi(argv[4]);
  lunatic_registry_put("bench.root", lunatic_self());
  lunatic_process_id* pids = calloc((size_t)processes, sizeof *pids);
  for (int p = 0; p < processes; ++p) {
    if (!lunatic_spawn("worker", p, &pids[p])) fail("spawn");
  }
  double start = now();
  for (int p = 0; p < processes; ++p) lunatic_send(pids[p], TAG_SETUP, &s, sizeof s);
  lunatic_message_info info;
  for (int p = 0; p < processes; ++p) {
    lunatic_receive((const lunatic_tag[]){TAG_INSERTED}, 1, LUNATIC_WAIT_FOREVER, NULL, 0, &info);
  }
  double inserted = now();
  for (int p = 0; p < processes; ++p) lunatic_send(pids[p], TAG_GO, "", 0);
  uint64_t rows = 0;
  for (int p = 0; p < processes; ++p) {
    uint64_t found = 0;
    lunatic_receive((const lunatic_tag[]){TAG_SELECTED}, 1, LUNATIC_WAIT_FOREVER, &found, sizeof found, &info);
    rows += found;
  }
  double selected = now();
  printf("insert_seconds %.6f select_seconds %.6f rows %llu\n", inserted - start, selected - inserted,
         (unsigned long long)rows);
  return 0;
}
