// CRC-32 (the reflected polynomial 0xEDB88320 of zlib and Ethernet) with a 256-entry table
// built at start, a byte at a time, over a buffer in chunks of varying length.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { BUFFER = 16 << 20, PASSES = 12 };

static uint32_t table[256];

static void make_table(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
}

static uint32_t crc32_update(uint32_t crc, const unsigned char* p, size_t n) {
  crc = ~crc;
  while (n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

int main(void) {
  make_table();
  unsigned char* buf = malloc(BUFFER);
  if (!buf) return 1;
  uint32_t x = 123456789;
  for (size_t i = 0; i < BUFFER; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    buf[i] = (unsigned char)(x % 7 == 0 ? x >> 24 : "crc over text "[i % 14]);
  }
  uint32_t whole = 0, chunks = 0;
  for (int pass = 0; pass < PASSES; pass++) {
    whole = crc32_update(whole, buf, BUFFER);
    size_t pos = 0, len = 1;
    while (pos + len <= BUFFER) {  // chunks of 1, 2, 3, ... 4096 bytes, then again
      chunks += crc32_update(pass, buf + pos, len);
      pos += len;
      len = len % 4096 + 1;
    }
  }
  printf("crc %08x chunks %08x check %08x\n", whole, chunks,
         crc32_update(0, (const unsigned char*)"123456789", 9));
  free(buf);
  return 0;
}
