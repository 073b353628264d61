/* A byte-compare loop (wasi-libc's memcmp) that runs into the end of a process's memory:
 * lunaticc lets such a loop compare 16 bytes at once (compiler/byte_compare.cpp), and must
 * still trap where the byte loop would, though the bytes past the end may be the next
 * process's memory (bounds-checked memories are neighbours in one mapping). Compares that
 * find a difference before the end return without a trap.
 *
 * expect-stdout: differs before the end: ok
 * expect-stdout: equal up to the end: (?P<id>\d+) died: PROCESS_DIED
 * expect-stdout: compare at end: all ok
 * expect-stderr: lunatic: process {{id}} failed: out of bounds memory access at .*
 */
#include <string.h>

#include "common.h"

/* The end of this process's memory. */
static unsigned char* memory_end(void) {
  return (unsigned char*)(uintptr_t)(__builtin_wasm_memory_size(0) * 65536u);
}

/* Keeps the compiler from knowing what the two sides are. */
static const unsigned char* volatile launder;

TEST_ENTRY(equal_to_end) {
  unsigned char* end = memory_end();
  /* Zeros on both sides (a fresh memory's), as the bytes past the end may be too: equal
   * until `a` reaches the end, where the next byte traps. (Not one pointer twice: Wasm keeps
   * no volatile, so LLVM would see *a == *a and drop the loads, and with them the trap.) */
  launder = end - 40;
  const unsigned char* a = launder;
  launder = end - 56;
  const unsigned char* b = launder;
  say("compared %d", memcmp(a, b, 200));
}

int main(void) {
  unsigned char* end = memory_end();
  for (int i = 0; i < 80; ++i) end[-80 + i] = (unsigned char)(i % 40);
  end[-20] ^= 1; /* the two 40-byte halves differ at their 20th byte */
  launder = end - 40;
  const unsigned char* high = launder;
  launder = end - 80;
  const unsigned char* low = launder;
  CHECK(memcmp(low, high, 200) != 0);
  CHECK(memcmp(low, high, 20) == 0);
  say("differs before the end: ok");

  uint64_t id = spawn_ok("equal_to_end", 0);
  lunatic_monitor(id);
  expect_died(id);
  say("equal up to the end: %llu died: PROCESS_DIED", (unsigned long long)id);
  say("compare at end: all ok");
  return 0;
}
