// LZ77-style compression with hash chains (as in deflate's matcher): a hash of the next
// three bytes leads to earlier positions with the same hash, the longest match within the
// window wins; literals and (length, distance) pairs go to a byte stream, which is then
// decompressed and compared with the input.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  INPUT = 6 << 20,
  WINDOW = 1 << 15,
  HASH_BITS = 15,
  MIN_MATCH = 3,
  MAX_MATCH = 258,
  MAX_CHAIN = 48,
  ROUNDS = 8
};

static unsigned hash3(const unsigned char* p) {
  return ((p[0] << 10) ^ (p[1] << 5) ^ p[2]) & ((1u << HASH_BITS) - 1);
}

// The stream: a byte below 0x80 is followed by that many literals plus one; 0x80 starts a
// match, followed by its length less MIN_MATCH and its distance (two bytes, low first).
static size_t compress(const unsigned char* in, size_t n, unsigned char* out) {
  int32_t* head = malloc((1u << HASH_BITS) * sizeof(int32_t));
  int32_t* prev = malloc(n * sizeof(int32_t));
  if (!head || !prev) exit(1);
  for (unsigned i = 0; i < (1u << HASH_BITS); i++) head[i] = -1;
  size_t o = 0, literal_start = 0, i = 0;
  while (i < n) {
    size_t best_len = 0, best_dist = 0;
    if (i + MIN_MATCH <= n) {
      unsigned h = hash3(in + i);
      size_t limit = n - i < MAX_MATCH ? n - i : MAX_MATCH;
      int chain = MAX_CHAIN;
      for (int32_t cand = head[h]; cand >= 0 && i - cand <= WINDOW && chain-- > 0;
           cand = prev[cand]) {
        if (in[cand + best_len] != in[i + best_len]) continue;
        size_t len = 0;
        while (len < limit && in[cand + len] == in[i + len]) len++;
        if (len > best_len) {
          best_len = len;
          best_dist = i - cand;
          if (len == limit) break;
        }
      }
    }
    if (best_len >= MIN_MATCH) {
      while (literal_start < i) {  // flush pending literals in runs of up to 128
        size_t run = i - literal_start < 128 ? i - literal_start : 128;
        out[o++] = (unsigned char)(run - 1);
        memcpy(out + o, in + literal_start, run);
        o += run;
        literal_start += run;
      }
      out[o++] = 0x80;
      out[o++] = (unsigned char)(best_len - MIN_MATCH);
      out[o++] = (unsigned char)(best_dist & 0xff);
      out[o++] = (unsigned char)(best_dist >> 8);
      for (size_t k = 0; k < best_len; k++, i++) {  // insert every covered position
        if (i + MIN_MATCH <= n) {
          unsigned h = hash3(in + i);
          prev[i] = head[h];
          head[h] = (int32_t)i;
        }
      }
      literal_start = i;
    } else {
      if (i + MIN_MATCH <= n) {
        unsigned h = hash3(in + i);
        prev[i] = head[h];
        head[h] = (int32_t)i;
      }
      i++;
    }
  }
  while (literal_start < n) {
    size_t run = n - literal_start < 128 ? n - literal_start : 128;
    out[o++] = (unsigned char)(run - 1);
    memcpy(out + o, in + literal_start, run);
    o += run;
    literal_start += run;
  }
  free(head);
  free(prev);
  return o;
}

static size_t decompress(const unsigned char* in, size_t n, unsigned char* out) {
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    unsigned token = in[i++];
    if (token < 0x80) {
      memcpy(out + o, in + i, token + 1);
      o += token + 1;
      i += token + 1;
    } else {
      size_t len = in[i] + (size_t)MIN_MATCH;
      size_t dist = in[i + 1] | (in[i + 2] << 8);
      i += 3;
      for (size_t k = 0; k < len; k++, o++) out[o] = out[o - dist];  // may overlap
    }
  }
  return o;
}

int main(void) {
  unsigned char* input = malloc(INPUT);
  unsigned char* packed = malloc(INPUT + INPUT / 64 + 16);
  unsigned char* unpacked = malloc(INPUT);
  if (!input || !packed || !unpacked) return 1;
  uint32_t seed = 1234;
  static const char* const kWords[] = {"the ", "compression ", "of ", "data ", "window ",
                                       "match ", "length ", "distance ", "literal ", "a ",
                                       "hash ", "chain ", "\n", "and ", "is ", "byte "};
  size_t n = 0;
  while (n < INPUT - 16) {
    seed = seed * 1103515245u + 12345u;
    unsigned r = (seed >> 16) & 0xff;
    if (r < 200) {
      const char* w = kWords[r & 15];
      size_t len = strlen(w);
      if (n + len > INPUT) break;
      memcpy(input + n, w, len);
      n += len;
    } else {
      input[n++] = (unsigned char)(seed >> 8);  // noise
    }
  }
  size_t packed_size = 0;
  uint32_t digest = 0;
  for (int round = 0; round < ROUNDS; round++) {
    input[round] ^= 1;
    packed_size = compress(input, n, packed);
    size_t m = decompress(packed, packed_size, unpacked);
    if (m != n || memcmp(input, unpacked, n) != 0) {
      printf("round trip failed\n");
      return 1;
    }
    for (size_t i = 0; i < packed_size; i++) digest = digest * 31 + packed[i];
  }
  printf("input %zu packed %zu digest %08x\n", n, packed_size, digest);
  free(input);
  free(packed);
  free(unpacked);
  return 0;
}
