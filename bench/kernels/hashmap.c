// Open-addressing hash map (linear probing, backward-shift deletion) from 32-bit keys to
// 32-bit values: inserts, hits, misses and deletions with random access into a 16 MiB table.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { CAPACITY_BITS = 22, KEYS = 1200000, ROUNDS = 6, LOOKUPS = 3000000 };

#define CAPACITY (1u << CAPACITY_BITS)
#define EMPTY 0u  // key 0 is never stored

typedef struct {
  uint32_t key, value;
} Slot;

static Slot* table;
static uint32_t size;

static uint32_t slot_of(uint32_t key) {
  uint32_t h = key * 0x9e3779b1u;
  h ^= h >> 15;
  return h & (CAPACITY - 1);
}

static void put(uint32_t key, uint32_t value) {
  uint32_t i = slot_of(key);
  while (table[i].key != EMPTY) {
    if (table[i].key == key) {
      table[i].value += value;
      return;
    }
    i = (i + 1) & (CAPACITY - 1);
  }
  table[i].key = key, table[i].value = value;
  ++size;
}

static int get(uint32_t key, uint32_t* value) {
  for (uint32_t i = slot_of(key); table[i].key != EMPTY; i = (i + 1) & (CAPACITY - 1))
    if (table[i].key == key) {
      *value = table[i].value;
      return 1;
    }
  return 0;
}

static int erase(uint32_t key) {
  uint32_t i = slot_of(key);
  while (table[i].key != key) {
    if (table[i].key == EMPTY) return 0;
    i = (i + 1) & (CAPACITY - 1);
  }
  // Shift later members of the probe run back so no lookup meets a hole too early.
  uint32_t hole = i;
  for (uint32_t j = (i + 1) & (CAPACITY - 1); table[j].key != EMPTY; j = (j + 1) & (CAPACITY - 1)) {
    uint32_t home = slot_of(table[j].key);
    // Move j into the hole unless its home lies cyclically in (hole, j].
    int stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!stays) {
      table[hole] = table[j];
      hole = j;
    }
  }
  table[hole].key = EMPTY, table[hole].value = 0;
  --size;
  return 1;
}

static uint32_t rng = 1;
static uint32_t next(void) {
  rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
  return rng;
}

int main(void) {
  table = calloc(CAPACITY, sizeof(Slot));
  uint64_t sum = 0;
  uint32_t found = 0, erased = 0;
  for (int r = 0; r < ROUNDS; ++r) {
    rng = 12345u + (uint32_t)r;
    for (int i = 0; i < KEYS; ++i) put((next() & 0x3fffffu) | 1u, (uint32_t)i);
    rng = 777u + (uint32_t)r;
    for (int i = 0; i < LOOKUPS; ++i) {
      uint32_t value;
      if (get((next() & 0x3fffffu) | 1u, &value)) ++found, sum += value;
    }
    rng = 999u + (uint32_t)r;
    for (int i = 0; i < KEYS / 2; ++i) erased += (uint32_t)erase((next() & 0x3fffffu) | 1u);
  }
  printf("%u %u %u %llu\n", (unsigned)size, (unsigned)found, (unsigned)erased,
         (unsigned long long)sum);
  return 0;
}
