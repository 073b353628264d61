/* Counted loops still run out of fuel: a process with max_fuel 1 (100,000 reductions) that
 * runs long loops of exact trip count (the shapes reduction-check versioning and
 * strip-mining rewrite: passes/preemption) dies of it before one pass ends, whatever the
 * loop's shape: a store loop, a loop with a value live out, and a 2-D nest over static
 * arrays; the same over a heap buffer whose length is known only at run time (the shape
 * strip-mining slices); a search through it that may leave early (which stays checked);
 * an interpreter's dispatch loop (unrolled, one check per four opcodes); and a loop without
 * end. Each pass of 2^20 iterations charges at least one reduction an
 * iteration; a rewritten loop that ran iterations it had not paid for would let a pass
 * finish.
 *
 * expect-stdout: fill: died of fuel after 0 passes
 * expect-stdout: sum: died of fuel after 0 passes
 * expect-stdout: rows: died of fuel after 0 passes
 * expect-stdout: heap_fill: died of fuel after 0 passes
 * expect-stdout: heap_sum: died of fuel after 0 passes
 * expect-stdout: heap_search: died of fuel after 0 passes
 * expect-stdout: dispatch: died of fuel after 0 passes
 * expect-stdout: endless: died of fuel after 0 passes
 * expect-stdout: fuel_counted_loops: all ok
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 * expect-stderr: lunatic: process \d+ failed: out of fuel( at .*)?
 */
#include "common.h"

enum { TAG_PASS = 1, PASSES = 10000, N = 1 << 20, ROWS = 1024, COLS = N / ROWS };

static uint32_t cells[N];
static uint32_t grid[ROWS][COLS];
static volatile uint32_t sink;
static volatile uint32_t heap_length = N;  // unknown to the compiler

// A heap buffer of heap_length words, with its length.
static uint32_t* heapBuffer(uint32_t* length) {
  *length = heap_length;
  uint32_t* words = calloc(*length, sizeof(uint32_t));
  CHECK(words != NULL);
  return words;
}

/* The passes of the store loop and of the reduction over `words`; the static arrays' entries
 * inline them with n constant, the heap buffer's with n known only at run time. */
static void fillPasses(uint64_t parent, uint32_t* words, uint32_t n) {
  for (uint64_t pass = 1; pass <= PASSES; ++pass) {
    for (uint32_t i = 0; i < n; ++i) words[i] = words[i] * 3 + (uint32_t)pass;
    send_u64(parent, TAG_PASS, pass);
  }
}

static void sumPasses(uint64_t parent, const uint32_t* words, uint32_t n) {
  for (uint64_t pass = 1; pass <= PASSES; ++pass) {
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; ++i) total += words[i] ^ (uint32_t)pass;
    sink = total;
    send_u64(parent, TAG_PASS, pass);
  }
}

TEST_ENTRY(fill) { fillPasses(parent, cells, N); }

TEST_ENTRY(sum) { sumPasses(parent, cells, N); }

TEST_ENTRY(rows) {
  for (uint64_t pass = 1; pass <= PASSES; ++pass) {
    for (uint32_t r = 1; r < ROWS; ++r)
      for (uint32_t c = 0; c < COLS; ++c) grid[r][c] = grid[r - 1][c] + (uint32_t)pass;
    send_u64(parent, TAG_PASS, pass);
  }
}

TEST_ENTRY(heap_fill) {
  uint32_t n = 0;
  uint32_t* words = heapBuffer(&n);
  fillPasses(parent, words, n);
}

TEST_ENTRY(heap_sum) {
  uint32_t n = 0;
  uint32_t* words = heapBuffer(&n);
  sumPasses(parent, words, n);
}

/* Looks for a word that is not there: the loop may leave early, so it is not sliced. */
TEST_ENTRY(heap_search) {
  uint32_t n = 0;
  uint32_t* words = heapBuffer(&n);
  for (uint64_t pass = 1; pass <= PASSES; ++pass) {
    uint32_t i = 0;
    while (i < n && words[i] != (uint32_t)pass) ++i;
    sink = i;
    send_u64(parent, TAG_PASS, pass);
  }
}

/* A bytecode interpreter's loop: a switch over the next opcode, each case going round again.
 * The program, copied from a volatile array so that the compiler cannot fold it, goes round
 * its LOOP opcode n times, three opcodes a time. */
enum Opcode { OP_HALT, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_LOOP };
static volatile uint8_t program_source[] = {OP_ADD, 3, OP_SUB, 3, OP_LOOP, 0, OP_HALT, 0};
static uint8_t program[sizeof program_source];

static uint32_t interpret(const uint8_t* code, uint32_t acc) {
  uint32_t pc = 0;
  for (;;) {
    uint8_t op = code[pc], arg = code[pc + 1];
    pc += 2;
    switch (op) {
      case OP_ADD: acc += arg; break;
      case OP_SUB: acc -= arg; break;
      case OP_MUL: acc *= arg; break;
      case OP_XOR: acc ^= arg; break;
      case OP_LOOP:
        if (--acc != 0) pc = arg;
        break;
      default: return acc;
    }
  }
}

TEST_ENTRY(dispatch) {
  for (size_t k = 0; k < sizeof program; ++k) program[k] = program_source[k];
  for (uint64_t pass = 1; pass <= PASSES; ++pass) {
    sink = interpret(program, N);
    send_u64(parent, TAG_PASS, pass);
  }
}

TEST_ENTRY(endless) {
  for (;;) sink = sink + 1;
}

int main(void) {
  lunatic_config_id config = lunatic_config_create();
  CHECK(config != -1);
  lunatic_config_set_max_fuel(config, 1);
  const char* entries[] = {"fill", "sum", "rows", "heap_fill", "heap_sum", "heap_search", "dispatch", "endless"};
  for (size_t k = 0; k < sizeof entries / sizeof entries[0]; ++k) {
    uint64_t child = 0;
    CHECK_EQ(spawn_child(config, 0, entries[k], 0, &child), 0);
    lunatic_monitor(child);
    uint64_t passes = last_u64_before_death(TAG_PASS, 20000);
    CHECK(!lunatic_exists(child));
    say("%s: died of fuel after %llu passes", entries[k], (unsigned long long)passes);
  }
  say("fuel_counted_loops: all ok");
  return 0;
}
