// Base64 encoding and decoding of a generated buffer, round trip checked: table lookups,
// shifts and byte stores.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BYTES = 6 << 20, ROUNDS = 64 };

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static signed char reverse[256];

static size_t encode(const unsigned char* in, size_t n, char* out) {
  char* o = out;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    o[0] = alphabet[v >> 18], o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63], o[3] = alphabet[v & 63];
    o += 4;
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)in[i] << 16;
    o[0] = alphabet[v >> 18], o[1] = alphabet[(v >> 12) & 63], o[2] = '=', o[3] = '=';
    o += 4;
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
    o[0] = alphabet[v >> 18], o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63], o[3] = '=';
    o += 4;
  }
  return (size_t)(o - out);
}

// Returns the decoded length, or (size_t)-1 on a character outside the alphabet.
static size_t decode(const char* in, size_t n, unsigned char* out) {
  if (n % 4) return (size_t)-1;
  unsigned char* o = out;
  for (size_t i = 0; i < n; i += 4) {
    int pad = (in[i + 3] == '=') + (in[i + 2] == '=');
    if (pad && i + 4 != n) return (size_t)-1;
    int a = reverse[(unsigned char)in[i]], b = reverse[(unsigned char)in[i + 1]];
    int c = pad >= 2 ? 0 : reverse[(unsigned char)in[i + 2]];
    int d = pad >= 1 ? 0 : reverse[(unsigned char)in[i + 3]];
    if ((a | b | c | d) < 0) return (size_t)-1;
    uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
    *o++ = (unsigned char)(v >> 16);
    if (pad < 2) *o++ = (unsigned char)(v >> 8);
    if (pad < 1) *o++ = (unsigned char)v;
  }
  return (size_t)(o - out);
}

int main(void) {
  memset(reverse, -1, sizeof reverse);
  for (int i = 0; i < 64; ++i) reverse[(unsigned char)alphabet[i]] = (signed char)i;

  unsigned char* data = malloc(BYTES);
  char* text = malloc(BYTES / 3 * 4 + 8);
  unsigned char* back = malloc(BYTES);
  uint32_t x = 88172645u;
  for (size_t i = 0; i < BYTES; ++i) {
    x = x * 1664525u + 1013904223u;
    data[i] = (unsigned char)(x >> 24);
  }
  uint32_t hash = 2166136261u;
  for (int r = 0; r < ROUNDS; ++r) {
    size_t n = BYTES - (size_t)r;  // every padding case occurs
    size_t encoded = encode(data, n, text);
    size_t decoded = decode(text, encoded, back);
    if (decoded != n || memcmp(back, data, n) != 0) {
      printf("round trip failed in round %d\n", r);
      return 1;
    }
    for (size_t i = 0; i < encoded; i += 61) hash = (hash ^ (unsigned char)text[i]) * 16777619u;
    data[r * 7919] ^= (unsigned char)hash;
  }
  printf("%08x\n", (unsigned)hash);
  return 0;
}
