/* The native side of bench/sqlite (run.py): the same SQL as guest.c through SQLite's C API,
 * a thread per process, each with its own connection and database file in DIR.
 *
 *     native DIR THREADS INSERTS SELECTS      (or DIR ":memory:")
 * prints: insert_seconds S select_seconds S rows N
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"

static const char* dir;
static int inserts, selects;
static pthread_barrier_t started, inserted, go, selected;

static void exec_ok(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) fail(sql);
}

static void* worker(void* argument) {
  long n = (long)argument;
  char path[260];
  if (!strcmp(dir, ":memory:")) snprintf(path, sizeof path, ":memory:");
  else snprintf(path, sizeof path, "%s/bench-%ld.db", dir, n);
  pthread_barrier_wait(&started);
  sqlite3* db;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
    fail("open");
  }
  exec_ok(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  exec_ok(db, "BEGIN");
  sqlite3_stmt* insert;
  if (sqlite3_prepare_v2(db, "INSERT INTO t (id, v) VALUES (?, ?)", -1, &insert, NULL) != SQLITE_OK) fail("prepare");
  char value[32];
  for (int i = 0; i < inserts; ++i) {
    int length = snprintf(value, sizeof value, "value %d", i);
    sqlite3_bind_int64(insert, 1, i);
    sqlite3_bind_text(insert, 2, value, length, SQLITE_TRANSIENT);
    if (sqlite3_step(insert) != SQLITE_DONE) fail("insert");
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  exec_ok(db, "COMMIT");
  pthread_barrier_wait(&inserted);
  pthread_barrier_wait(&go);
  sqlite3_stmt* select;
  if (sqlite3_prepare_v2(db, "SELECT v FROM t WHERE id = ?", -1, &select, NULL) != SQLITE_OK) fail("prepare");
  long found = 0;
  for (int i = 0; i < selects; ++i) {
    sqlite3_bind_int64(select, 1, (i * 7919) % inserts);
    if (sqlite3_step(select) == SQLITE_ROW) found += sqlite3_column_bytes(select, 0) > 0;
    sqlite3_reset(select);
  }
  sqlite3_finalize(select);
  pthread_barrier_wait(&selected);
  sqlite3_close(db);
  return (void*)found;
}

int main(int argc, char** argv) {
  if (argc != 5) fail("usage: native DIR THREADS INSERTS SELECTS");
  dir = argv[1];
  int threads = atoi(argv[2]);
  inserts = atoi(argv[3]);
  selects = atoi(argv[4]);
  pthread_barrier_init(&started, NULL, threads + 1);
  pthread_barrier_init(&inserted, NULL, threads + 1);
  pthread_barrier_init(&go, NULL, threads + 1);
  pthread_barrier_init(&selected, NULL, threads + 1);
  pthread_t* ids = calloc((size_t)threads, sizeof *ids);
  for (long t = 0; t < threads; ++t) {
    if (pthread_create(&ids[t], NULL, worker, (void*)t) != 0) fail("thread");
  }
  pthread_barrier_wait(&started);
  double start = now();
  pthread_barrier_wait(&inserted);
  double done_inserting = now();
  pthread_barrier_wait(&go);
  pthread_barrier_wait(&selected);
  double done_selecting = now();
  long rows = 0;
  for (int t = 0; t < threads; ++t) {
    void* found;
    pthread_join(ids[t], &found);
    rows += (long)found;
  }
  printf("insert_seconds %.6f select_seconds %.6f rows %ld\n", done_inserting - start, done_selecting - done_inserting,
         rows);
  return 0;
}
