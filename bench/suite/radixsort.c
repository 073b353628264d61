// Least-significant-digit radix sort of 64-bit keys, eight passes of one byte with
// counting and prefix sums, ping-ponging between two arrays; passes in which all keys share
// the byte are skipped.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COUNT = 4000000, ROUNDS = 16 };

static void radix_sort(uint64_t* keys, uint64_t* tmp, size_t n) {
  size_t counts[8][256];
  memset(counts, 0, sizeof counts);
  for (size_t i = 0; i < n; i++)
    for (int b = 0; b < 8; b++) counts[b][(keys[i] >> (8 * b)) & 0xff]++;
  uint64_t *src = keys, *dst = tmp;
  for (int b = 0; b < 8; b++) {
    if (counts[b][(src[0] >> (8 * b)) & 0xff] == n) continue;  // one bucket: nothing to do
    size_t offset[256], total = 0;
    for (int d = 0; d < 256; d++) {
      offset[d] = total;
      total += counts[b][d];
    }
    for (size_t i = 0; i < n; i++) dst[offset[(src[i] >> (8 * b)) & 0xff]++] = src[i];
    uint64_t* t = src;
    src = dst;
    dst = t;
  }
  if (src != keys) memcpy(keys, src, n * sizeof(uint64_t));
}

int main(void) {
  uint64_t* keys = malloc(COUNT * sizeof(uint64_t));
  uint64_t* tmp = malloc(COUNT * sizeof(uint64_t));
  if (!keys || !tmp) return 1;
  uint64_t x = 0x2545F4914F6CDD1Dull, checksum = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (size_t i = 0; i < COUNT; i++) {
      x ^= x >> 12;
      x ^= x << 25;
      x ^= x >> 27;
      uint64_t r = x * 0x2545F4914F6CDD1Dull;
      keys[i] = round % 2 ? r >> 24 : r;  // odd rounds: 40-bit keys, the top passes skipped
    }
    radix_sort(keys, tmp, COUNT);
    for (size_t i = 1; i < COUNT; i++)
      if (keys[i - 1] > keys[i]) {
        printf("not sorted at %zu\n", i);
        return 1;
      }
    for (size_t i = 0; i < COUNT; i += 4099) checksum = checksum * 1000003u ^ keys[i];
  }
  printf("checksum %016llx\n", (unsigned long long)checksum);
  free(keys);
  free(tmp);
  return 0;
}
