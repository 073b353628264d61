// A fast non-cryptographic 64-bit hash in the style of xxHash: four accumulator lanes, each
// taking an 8-byte word per 32-byte stripe (multiply, rotate, multiply), merged and
// avalanched at the end. Used to fingerprint fixed-size blocks of a buffer and to find
// duplicate blocks by sorting the fingerprints.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BUFFER = 32 << 20, BLOCK = 4096, PASSES = 240 };

static const uint64_t P1 = 0x9E3779B185EBCA87ull, P2 = 0xC2B2AE3D27D4EB4Full;
static const uint64_t P3 = 0x165667B19E3779F9ull, P4 = 0x85EBCA77C2B2AE63ull;

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t read64(const unsigned char* p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static uint64_t lane(uint64_t acc, uint64_t word) { return rotl(acc + word * P2, 31) * P1; }

static uint64_t stripe_hash(const unsigned char* p, size_t len, uint64_t seed) {
  const unsigned char* end = p + len;
  uint64_t h;
  if (len >= 32) {
    uint64_t a = seed + P1 + P2, b = seed + P2, c = seed, d = seed - P1;
    for (; p + 32 <= end; p += 32) {
      a = lane(a, read64(p));
      b = lane(b, read64(p + 8));
      c = lane(c, read64(p + 16));
      d = lane(d, read64(p + 24));
    }
    h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18);
    h = (h ^ lane(0, a)) * P1 + P4;
    h = (h ^ lane(0, b)) * P1 + P4;
    h = (h ^ lane(0, c)) * P1 + P4;
    h = (h ^ lane(0, d)) * P1 + P4;
  } else {
    h = seed + P3;
  }
  h += len;
  for (; p + 8 <= end; p += 8) h = rotl(h ^ lane(0, read64(p)), 27) * P1 + P4;
  for (; p < end; p++) h = rotl(h ^ (*p * P3), 11) * P1;
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  return h ^ (h >> 32);
}

static int compare_u64(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return (x > y) - (x < y);
}

int main(void) {
  unsigned char* buf = malloc(BUFFER);
  uint64_t* prints = malloc((BUFFER / BLOCK) * sizeof(uint64_t));
  if (!buf || !prints) return 1;
  uint64_t s = 42;
  for (size_t i = 0; i < BUFFER; i += 8) {
    s = s * 6364136223846793005ull + 1;
    uint64_t word = s >> 3;
    memcpy(buf + i, &word, 8);
  }
  for (size_t b = 0; b < BUFFER / BLOCK; b += 5)  // every fifth block copies an earlier one
    memcpy(buf + b * BLOCK, buf + (b / 3) * BLOCK, BLOCK);
  uint64_t acc = 0;
  size_t duplicates = 0;
  for (int pass = 0; pass < PASSES; pass++) {
    size_t blocks = BUFFER / BLOCK;
    for (size_t b = 0; b < blocks; b++) prints[b] = stripe_hash(buf + b * BLOCK, BLOCK, pass);
    qsort(prints, blocks, sizeof(uint64_t), compare_u64);
    duplicates = 0;
    for (size_t b = 1; b < blocks; b++) duplicates += prints[b] == prints[b - 1];
    for (size_t len = 0; len < 2000; len++) acc += stripe_hash(buf + len * 3, len, len);
    acc ^= prints[blocks / 2];
  }
  printf("duplicates %zu acc %016llx\n", duplicates, (unsigned long long)acc);
  free(buf);
  free(prints);
  return 0;
}
