/* A process's memory is pristine however many processes used its slot before: the runtime
 * keeps ended processes' memories and resets them for the next (runtime/memory.cpp), reading
 * pages to find the written ones and leaving pages no one wrote mapped to the kernel's zero
 * page. Each child, spawned one after the other so that it gets its predecessor's slot,
 * checks that its initialised data holds the module's image, that its zero-initialised data
 * and everything from the heap base to the end of its memory are zeros, and that memory it
 * grows is zeros; then it writes over all of them for the next child to find.
 *
 * expect-stdout: memory_reuse: 300 children found pristine memories
 * expect-stdout: memory_reuse: all ok
 */
#include "common.h"

#define ROUNDS 300
#define INITIAL_PAGES 2 /* -Wl,--initial-memory=131072 */
#define GROWN_PAGES 3

/* 4 KiB of initialised data, 0..1023, and 20 KiB of zero-initialised data. */
#define SEQ4(x) x, x + 1, x + 2, x + 3
#define SEQ16(x) SEQ4(x), SEQ4(x + 4), SEQ4(x + 8), SEQ4(x + 12)
#define SEQ64(x) SEQ16(x), SEQ16(x + 16), SEQ16(x + 32), SEQ16(x + 48)
#define SEQ256(x) SEQ64(x), SEQ64(x + 64), SEQ64(x + 128), SEQ64(x + 192)
static uint32_t seeded[1024] = {SEQ256(0), SEQ256(256), SEQ256(512), SEQ256(768)};
static uint8_t blank[20000];
extern unsigned char __heap_base;

/* The first non-zero byte of [from, to), or NULL. */
static const volatile uint8_t* first_non_zero(const volatile uint8_t* from, const volatile uint8_t* to) {
  for (; from < to; ++from)
    if (*from) return from;
  return NULL;
}

TEST_ENTRY(child) {
  for (uint32_t i = 0; i < 1024; ++i) CHECK_EQ(seeded[i], i);
  CHECK(first_non_zero(blank, blank + sizeof blank) == NULL);
  CHECK_EQ(__builtin_wasm_memory_size(0), INITIAL_PAGES);
  volatile uint8_t* heap = &__heap_base;
  volatile uint8_t* end = (volatile uint8_t*)(uintptr_t)(INITIAL_PAGES * 65536u);
  CHECK(heap < end);
  const volatile uint8_t* dirty = first_non_zero(heap, end);
  if (dirty) say("FAIL child %d: byte %lu of the heap is %d", arg, (unsigned long)(uintptr_t)dirty, *dirty);
  CHECK(dirty == NULL);
  CHECK_EQ(__builtin_wasm_memory_grow(0, GROWN_PAGES), INITIAL_PAGES);
  volatile uint8_t* grown_end = end + GROWN_PAGES * 65536u;
  CHECK(first_non_zero(end, grown_end) == NULL);

  /* Leave something on every page for the next child. */
  for (uint32_t i = 0; i < 1024; ++i) seeded[i] = ~i;
  memset(blank, 0x5a, sizeof blank);
  for (volatile uint8_t* at = heap; at < grown_end; at += 512) *at = (uint8_t)(arg | 1);
  send_u64(parent, 1, (uint64_t)arg);
}

int main(void) {
  for (int round = 0; round < ROUNDS; ++round) {
    uint64_t id = spawn_ok("child", round);
    lunatic_monitor(id);
    CHECK_EQ(expect_u64(1), round);
    expect_died(id);
  }
  say("memory_reuse: %d children found pristine memories", ROUNDS);
  say("memory_reuse: all ok");
  return 0;
}
