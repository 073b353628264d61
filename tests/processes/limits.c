/* Limits of a config: max_memory caps memory.grow (whole pages within the limit succeed,
 * beyond it grow returns -1); max_fuel (units of 100,000 reductions) ends a process that
 * runs for ever, as a failure its monitor sees, with one log line, and where its fuel runs
 * out: four units buy about four times the work of one, although a time slice is longer
 * than either. The module is linked with a 1-page initial memory so that the first page of
 * growth is within a 2-page limit.
 *
 * expect-stdout: max_memory 131072: grew 1 -> 2 pages, then grow returned -1 \(size 2\)
 * expect-stdout: max_memory 200000: grew to 3 pages, the 4th returned -1
 * expect-stdout: no limit: grew by 100 pages
 * expect-stdout: max_fuel 1: a short job finished
 * expect-stdout: max_fuel 1: the endless loop of (?P<fuel>\d+) died after \d+ ms
 * expect-stdout: max_fuel 1 and 4: the counting loops of (?P<one>\d+) and (?P<four>\d+) ran \d+ and \d+ iterations
 * expect-stdout: limits: all ok
 * expect-stderr: lunatic: process {{fuel}} failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process {{one}} failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process {{four}} failed: out of fuel( at .*)?
 */
#include "common.h"

enum { TAG_REPORT = 1, TAG_PROGRESS = 2 };

/* Iterations between two progress reports of `counting`. */
enum { PROGRESS_EVERY = 256 };

/* Grows memory a page at a time until it fails, reporting the final size in pages and the
 * number of successful grows as size * 1000 + grows. */
TEST_ENTRY(grower) {
  CHECK_EQ(__builtin_wasm_memory_size(0), 1);
  uint64_t grows = 0;
  for (int i = 0; i < 100; ++i) {
    size_t before = __builtin_wasm_memory_size(0);
    size_t old = __builtin_wasm_memory_grow(0, 1);
    if (old == (size_t)-1) {
      CHECK_EQ(__builtin_wasm_memory_size(0), before);
      break;
    }
    CHECK_EQ(old, before);
    ++grows;
  }
  /* A large request fails as a whole, too. */
  CHECK_EQ(__builtin_wasm_memory_grow(0, 1000), (size_t)-1);
  /* The pages it has are usable. */
  volatile uint8_t* last = (volatile uint8_t*)(__builtin_wasm_memory_size(0) * 65536 - 1);
  *last = 42;
  CHECK_EQ(*last, 42);
  send_u64(parent, TAG_REPORT, __builtin_wasm_memory_size(0) * 1000 + grows);
}

static volatile uint64_t counter;

TEST_ENTRY(short_job) {
  for (int i = 0; i < 1000; ++i) counter = counter + 1;
  send_u64(parent, TAG_REPORT, counter);
}

TEST_ENTRY(endless) {
  send_u64(parent, TAG_REPORT, 0);
  for (;;) counter = counter + 1;
}

/* Counts until its fuel runs out, reporting every PROGRESS_EVERY iterations. */
TEST_ENTRY(counting) {
  for (uint64_t n = 1;; ++n) {
    counter = counter + 1;
    if (n % PROGRESS_EVERY == 0) send_u64(parent, TAG_PROGRESS, n);
  }
}

static uint64_t spawn_with(lunatic_config_id config, const char* entry) {
  uint64_t id = 0;
  CHECK_EQ(spawn_child(config, 0, entry, 0, &id), 0);
  return id;
}

int main(void) {
  lunatic_config_id config = lunatic_config_create();
  CHECK(config != -1);
  lunatic_config_set_max_memory(config, 131072);
  CHECK_EQ(lunatic_raw_process_config_get_max_memory((uint64_t)config), 131072);
  (void)spawn_with(config, "grower");
  uint64_t report = expect_u64(TAG_REPORT);
  CHECK_EQ(report, 2 * 1000 + 1);
  say("max_memory 131072: grew 1 -> 2 pages, then grow returned -1 (size 2)");

  lunatic_config_set_max_memory(config, 200000);
  (void)spawn_with(config, "grower");
  CHECK_EQ(expect_u64(TAG_REPORT), 3 * 1000 + 2);
  say("max_memory 200000: grew to 3 pages, the 4th returned -1");
  lunatic_config_drop(config);

  size_t old = __builtin_wasm_memory_grow(0, 100);
  CHECK(old != (size_t)-1);
  CHECK_EQ(__builtin_wasm_memory_size(0), old + 100);
  say("no limit: grew by 100 pages");

  config = lunatic_config_create();
  lunatic_config_set_max_fuel(config, 1);
  CHECK_EQ(lunatic_raw_process_config_get_max_fuel((uint64_t)config), 1);
  uint64_t child = spawn_with(config, "short_job");
  lunatic_monitor(child);
  CHECK_EQ(expect_u64(TAG_REPORT), 1000);
  expect_died(child);
  say("max_fuel 1: a short job finished");

  child = spawn_with(config, "endless");
  lunatic_monitor(child);
  (void)expect_u64(TAG_REPORT);
  int64_t start = now_ms();
  expect_died(child);
  int64_t elapsed = now_ms() - start;
  CHECK(elapsed < 3000);
  CHECK(!lunatic_exists(child));
  say("max_fuel 1: the endless loop of %llu died after %lld ms", (unsigned long long)child,
      (long long)elapsed);

  /* How far `counting` gets on `fuel` units: the last progress it reported before it died. */
  uint64_t iterations[2], ids[2];
  const uint64_t fuels[2] = {1, 4};
  for (int k = 0; k < 2; ++k) {
    lunatic_config_set_max_fuel(config, fuels[k]);
    ids[k] = spawn_with(config, "counting");
    lunatic_monitor(ids[k]);
    iterations[k] = last_u64_before_death(TAG_PROGRESS, 5000);
  }
  CHECK(iterations[0] >= PROGRESS_EVERY);
  CHECK(iterations[1] >= 3 * iterations[0] && iterations[1] <= 5 * iterations[0] + PROGRESS_EVERY);
  say("max_fuel 1 and 4: the counting loops of %llu and %llu ran %llu and %llu iterations",
      (unsigned long long)ids[0], (unsigned long long)ids[1], (unsigned long long)iterations[0],
      (unsigned long long)iterations[1]);

  say("limits: all ok");
  return 0;
}
