// UTF-8 handling: decoding with full validation (overlongs, surrogates, range), conversion
// to UTF-16 and back, code point classes counted, over text mixing ASCII, Latin, Greek,
// CJK and emoji, with a few invalid sequences planted.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TEXT = 12 << 20, PASSES = 11 };

static size_t encode_utf8(uint32_t cp, unsigned char* out) {
  if (cp < 0x80) {
    out[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (unsigned char)(0xC0 | cp >> 6);
    out[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (unsigned char)(0xE0 | cp >> 12);
    out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (unsigned char)(0xF0 | cp >> 18);
  out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
  out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
  out[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

// Decodes one code point at p (n bytes left); returns its length, or 0 if invalid.
static size_t decode_utf8(const unsigned char* p, size_t n, uint32_t* cp) {
  unsigned char b = p[0];
  if (b < 0x80) {
    *cp = b;
    return 1;
  }
  size_t len;
  uint32_t c, min;
  if ((b & 0xE0) == 0xC0) {
    len = 2, c = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3, c = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4, c = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    c = c << 6 | (p[i] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

int main(void) {
  static const uint32_t kBlocks[][2] = {{0x20, 0x7E}, {0xC0, 0x17F}, {0x391, 0x3C9},
                                        {0x4E00, 0x9FFF}, {0x1F600, 0x1F64F}};
  unsigned char* text = malloc(TEXT);
  uint16_t* units = malloc(TEXT * sizeof(uint16_t));
  unsigned char* back = malloc(2 * TEXT);  // an invalid byte comes back as 3
  if (!text || !units || !back) return 1;
  size_t n = 0;
  uint32_t seed = 8;
  while (n + 4 < TEXT) {
    seed = seed * 1664525u + 1013904223u;
    unsigned r = seed >> 24;
    int block = r < 150 ? 0 : r < 190 ? 1 : r < 215 ? 2 : r < 250 ? 3 : 4;
    uint32_t span = kBlocks[block][1] - kBlocks[block][0] + 1;
    uint32_t cp = kBlocks[block][0] + (seed >> 4) % span;
    n += encode_utf8(cp, text + n);
    if ((seed & 0xFFFF) == 7) text[n++] = 0xC0;  // an overlong lead byte, always invalid
  }
  uint64_t letters = 0, wide = 0, invalid = 0, checksum = 0;
  size_t back_len = 0;
  for (int pass = 0; pass < PASSES; pass++) {
    size_t u = 0;
    for (size_t i = 0; i < n;) {
      uint32_t cp;
      size_t len = decode_utf8(text + i, n - i, &cp);
      if (len == 0) {
        invalid++;
        cp = 0xFFFD;
        len = 1;
      }
      i += len;
      if (cp >= 0x10000) {
        cp -= 0x10000;
        units[u++] = (uint16_t)(0xD800 | cp >> 10);
        units[u++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
        wide++;
      } else {
        units[u++] = (uint16_t)cp;
        letters += (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
      }
    }
    back_len = 0;  // UTF-16 back to UTF-8, pairing surrogates
    for (size_t k = 0; k < u; k++) {
      uint32_t cp = units[k];
      if (cp >= 0xD800 && cp <= 0xDBFF && k + 1 < u) cp = 0x10000 + ((cp - 0xD800) << 10 | (units[++k] - 0xDC00));
      back_len += encode_utf8(cp, back + back_len);
    }
    for (size_t k = 0; k < back_len; k += 4093) checksum = checksum * 31 + back[k];
    checksum += u;
  }
  printf("bytes %zu back %zu letters %llu wide %llu invalid %llu checksum %016llx\n", n, back_len,
         (unsigned long long)letters, (unsigned long long)wide, (unsigned long long)invalid,
         (unsigned long long)checksum);
  free(text);
  free(units);
  free(back);
  return 0;
}
