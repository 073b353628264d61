// FNV-1a hashing, 32- and 64-bit, of the words of a generated text: each word is found by
// scanning for separators and hashed byte by byte, and the hashes fill a counting histogram
// from which the number of distinct buckets is read.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TEXT = 24 << 20, PASSES = 14, BUCKETS = 1 << 16 };

static uint32_t fnv1a32(const unsigned char* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static uint64_t fnv1a64(const unsigned char* p, size_t n) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

static int is_separator(unsigned char c) { return c == ' ' || c == '\n' || c == ',' || c == '.'; }

int main(void) {
  static const char* const kSyllables[] = {"ka", "to", "ri", "ne", "su", "mo", "la", "pe",
                                           "qui", "dra", "ven", "ost", "ur", "bel", "an", "i"};
  unsigned char* text = malloc(TEXT);
  uint32_t* counts = calloc(BUCKETS, sizeof(uint32_t));
  if (!text || !counts) return 1;
  uint32_t seed = 2718;
  size_t n = 0;
  while (n + 32 < TEXT) {
    seed = seed * 1103515245u + 12345u;
    int syllables = 1 + (seed >> 16) % 4;
    for (int s = 0; s < syllables; s++) {
      seed = seed * 1103515245u + 12345u;
      const char* syl = kSyllables[(seed >> 16) % 16];
      size_t len = strlen(syl);
      memcpy(text + n, syl, len);
      n += len;
    }
    seed = seed * 1103515245u + 12345u;
    unsigned r = (seed >> 16) % 20;
    text[n++] = r == 0 ? '.' : r == 1 ? ',' : r == 2 ? '\n' : ' ';
  }
  uint64_t mix64 = 0;
  uint32_t words = 0;
  for (int pass = 0; pass < PASSES; pass++) {
    size_t i = 0;
    while (i < n) {
      while (i < n && is_separator(text[i])) i++;
      size_t start = i;
      while (i < n && !is_separator(text[i])) i++;
      if (i == start) break;
      uint32_t h = fnv1a32(text + start, i - start);
      counts[(h ^ (uint32_t)pass) & (BUCKETS - 1)]++;
      mix64 += fnv1a64(text + start, i - start) >> pass;
      words++;
    }
  }
  uint32_t used = 0, fullest = 0;
  for (int b = 0; b < BUCKETS; b++) {
    used += counts[b] != 0;
    if (counts[b] > fullest) fullest = counts[b];
  }
  printf("words %u buckets used %u fullest %u mix %016llx\n", words, used, fullest,
         (unsigned long long)mix64);
  free(text);
  free(counts);
  return 0;
}
