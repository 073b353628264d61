// SipHash-2-4 (64-bit output, 128-bit key) written from the algorithm's description, over
// many short messages of every length up to 64 bytes, as a hash table keyed by strings
// would use it, and over a few long ones.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MESSAGES = 32000000, LONG = 4 << 20, LONG_REPEATS = 32 };

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND       \
  do {                 \
    v0 += v1;          \
    v1 = ROTL(v1, 13); \
    v1 ^= v0;          \
    v0 = ROTL(v0, 32); \
    v2 += v3;          \
    v3 = ROTL(v3, 16); \
    v3 ^= v2;          \
    v0 += v3;          \
    v3 = ROTL(v3, 21); \
    v3 ^= v0;          \
    v2 += v1;          \
    v1 = ROTL(v1, 17); \
    v1 ^= v2;          \
    v2 = ROTL(v2, 32); \
  } while (0)

static uint64_t load_le64(const unsigned char* p) {
  uint64_t v;
  memcpy(&v, p, 8);  // both targets are little-endian
  return v;
}

static uint64_t siphash24(const unsigned char* in, size_t len, uint64_t k0, uint64_t k1) {
  uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
  uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
  const unsigned char* end = in + (len & ~(size_t)7);
  for (; in != end; in += 8) {
    uint64_t m = load_le64(in);
    v3 ^= m;
    SIPROUND;
    SIPROUND;
    v0 ^= m;
  }
  uint64_t last = (uint64_t)len << 56;
  switch (len & 7) {
    case 7: last |= (uint64_t)in[6] << 48; /* fall through */
    case 6: last |= (uint64_t)in[5] << 40; /* fall through */
    case 5: last |= (uint64_t)in[4] << 32; /* fall through */
    case 4: last |= (uint64_t)in[3] << 24; /* fall through */
    case 3: last |= (uint64_t)in[2] << 16; /* fall through */
    case 2: last |= (uint64_t)in[1] << 8;  /* fall through */
    case 1: last |= (uint64_t)in[0]; break;
    case 0: break;
  }
  v3 ^= last;
  SIPROUND;
  SIPROUND;
  v0 ^= last;
  v2 ^= 0xff;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

int main(void) {
  const uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
  unsigned char* data = malloc(LONG);
  if (!data) return 1;
  for (size_t i = 0; i < LONG; i++) data[i] = (unsigned char)(i * 2654435761u >> 13);
  // The reference vector: the 15-byte message 00 01 ... 0e under the key above.
  unsigned char probe[15];
  for (int i = 0; i < 15; i++) probe[i] = (unsigned char)i;
  uint64_t reference = siphash24(probe, 15, k0, k1);

  uint64_t acc = 0;
  size_t offset = 0;
  for (uint32_t m = 0; m < MESSAGES; m++) {
    size_t len = m % 65;
    acc ^= siphash24(data + offset, len, k0, k1 + m);
    offset = (offset + 97) % (LONG - 64);
  }
  uint64_t long_acc = 0;
  for (int r = 0; r < LONG_REPEATS; r++) long_acc += siphash24(data, LONG - r, k0 + r, k1);
  printf("reference %016llx short %016llx long %016llx\n", (unsigned long long)reference,
         (unsigned long long)acc, (unsigned long long)long_acc);
  free(data);
  return 0;
}
