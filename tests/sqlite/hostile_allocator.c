/* A guest's lunatic_alloc is guest code: one that answers an address outside the process's
 * memory, or calls back into lunatic::sqlite, ends only the calling process.
 *
 * expect-stdout: allocation outside memory: (?P<p1>\d+) failed
 * expect-stdout: allocator calls back: (?P<p2>\d+) failed
 * expect-stdout: a well-behaved allocation: 2 columns
 * expect-stdout: hostile allocator: all ok
 * expect-stderr: lunatic: process {{p1}} failed: column_names: lunatic_alloc returned memory outside the process's memory at .*
 * expect-stderr: lunatic: process {{p2}} failed: column_names: lunatic_alloc called a host function that replies at .*
 */
#include "common.h"
#include "lunatic_sqlite.h"

static int mode; /* 0 malloc, 1 outside memory, 2 call back into lunatic::sqlite */
static uint64_t statement;

__attribute__((export_name("lunatic_alloc"))) void* lunatic_alloc(uint32_t size) {
  if (mode == 1) return (void*)(uintptr_t)0xFFFFFF00u;
  if (mode == 2) {
    mode = 0;
    uint32_t len;
    lunatic_raw_sqlite_column_name(statement, 0, &len);
  }
  return malloc(size ? size : 1);
}

static void names_with(int how) {
  uint64_t db;
  CHECK_EQ(lunatic_raw_sqlite_open(":memory:", 8, &db), 0);
  statement = lunatic_raw_sqlite_query_prepare(db, "SELECT 1 AS a, 2 AS b", 21);
  mode = how;
  lunatic_sqlite_reply names = lunatic_sqlite_column_names(statement);
  uint64_t count = 0;
  lunatic_sqlite_reader in = lunatic_sqlite_reader_of(names);
  CHECK(lunatic_sqlite_next_u64(&in, &count));
  say("a well-behaved allocation: %llu columns", (unsigned long long)count);
}

TEST_ENTRY(outside) { names_with(1); }
TEST_ENTRY(calls_back) { names_with(2); }

int main(void) {
  expect_failure_of("outside", "allocation outside memory");
  expect_failure_of("calls_back", "allocator calls back");
  names_with(0);
  say("hostile allocator: all ok");
  return 0;
}
