// Top-down merge sort of 64-bit records (key and payload) with one scratch buffer and
// insertion sort for short ranges, stable; checked for order and stability afterwards.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COUNT = 2000000, ROUNDS = 9, SMALL = 24 };

typedef struct {
  uint32_t key;
  uint32_t index;  // position before sorting, to check stability
} Record;

static void insertion_sort(Record* v, size_t n) {
  for (size_t i = 1; i < n; i++) {
    Record r = v[i];
    size_t j = i;
    while (j > 0 && v[j - 1].key > r.key) {
      v[j] = v[j - 1];
      j--;
    }
    v[j] = r;
  }
}

static void merge_sort(Record* v, Record* scratch, size_t n) {
  if (n <= SMALL) {
    insertion_sort(v, n);
    return;
  }
  size_t half = n / 2;
  merge_sort(v, scratch, half);
  merge_sort(v + half, scratch, n - half);
  if (v[half - 1].key <= v[half].key) return;  // already in order
  memcpy(scratch, v, half * sizeof(Record));
  size_t i = 0, j = half, k = 0;
  while (i < half && j < n) v[k++] = scratch[i].key <= v[j].key ? scratch[i++] : v[j++];
  while (i < half) v[k++] = scratch[i++];
}

int main(void) {
  Record* v = malloc(COUNT * sizeof(Record));
  Record* scratch = malloc(COUNT / 2 * sizeof(Record) + sizeof(Record));
  if (!v || !scratch) return 1;
  uint64_t s = 0x853c49e6748fea9bull, checksum = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (uint32_t i = 0; i < COUNT; i++) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      uint32_t r = (uint32_t)(s >> 32);
      // Every third round has many duplicate keys, every third after it is mostly sorted.
      v[i].key = round % 3 == 1 ? r % 1000 : round % 3 == 2 ? (i & ~63u) + r % 200 : r;
      v[i].index = i;
    }
    merge_sort(v, scratch, COUNT);
    for (uint32_t i = 1; i < COUNT; i++)
      if (v[i - 1].key > v[i].key || (v[i - 1].key == v[i].key && v[i - 1].index > v[i].index)) {
        printf("not sorted at %u\n", i);
        return 1;
      }
    for (uint32_t i = 0; i < COUNT; i += 1000) checksum = checksum * 31 + v[i].key + v[i].index;
  }
  printf("checksum %llu\n", (unsigned long long)checksum);
  free(v);
  free(scratch);
  return 0;
}
