// String search: Boyer-Moore-Horspool for several patterns, and a naive scan for one, over a
// generated text of pseudo-random words. Byte loads, a skip table, unpredictable branches.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TEXT = 64 << 20, PATTERNS = 8 };

static size_t horspool(const unsigned char* text, size_t n, const unsigned char* pat, size_t m,
                       uint64_t* position_sum) {
  size_t skip[256];
  for (int c = 0; c < 256; ++c) skip[c] = m;
  for (size_t i = 0; i + 1 < m; ++i) skip[pat[i]] = m - 1 - i;
  size_t hits = 0;
  unsigned char last = pat[m - 1];
  for (size_t pos = 0; pos + m <= n; pos += skip[text[pos + m - 1]]) {
    if (text[pos + m - 1] != last) continue;
    size_t k = 0;
    while (k + 1 < m && text[pos + k] == pat[k]) ++k;
    if (k + 1 == m) ++hits, *position_sum += pos;
  }
  return hits;
}

static size_t naive(const unsigned char* text, size_t n, const unsigned char* pat, size_t m) {
  size_t hits = 0;
  for (size_t pos = 0; pos + m <= n; ++pos) {
    size_t k = 0;
    while (k < m && text[pos + k] == pat[k]) ++k;
    hits += k == m;
  }
  return hits;
}

int main(void) {
  unsigned char* text = malloc(TEXT);
  uint32_t x = 314159u;
  size_t i = 0;
  while (i < TEXT) {
    x = x * 1103515245u + 12345u;
    int length = 2 + (int)((x >> 16) % 9);
    for (int k = 0; k < length && i < TEXT; ++k) {
      x = x * 1103515245u + 12345u;
      text[i++] = (unsigned char)("etaoinshrdlucmfw"[(x >> 20) & 15]);
    }
    if (i < TEXT) text[i++] = ' ';
  }
  static const char* patterns[PATTERNS] = {
      "the",   "shrdlu",          "a tin hose", "wonder", "etaoin shrdlu cmfw",
      "loose", "modest hunter  ", "zebra",
  };
  uint64_t position_sum = 0, hits = 0;
  for (int p = 0; p < PATTERNS; ++p) {
    size_t found = horspool(text, TEXT, (const unsigned char*)patterns[p], strlen(patterns[p]),
                            &position_sum);
    hits = hits * 31 + found;
  }
  size_t plain = naive(text, TEXT, (const unsigned char*)"hen ", 4);
  printf("%llu %llu %llu\n", (unsigned long long)hits, (unsigned long long)position_sum,
         (unsigned long long)plain);
  return 0;
}
