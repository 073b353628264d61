// Huffman coding of bytes: frequencies, a code tree built with a small binary heap, code
// lengths, canonical codes, then bit packing through a 64-bit accumulator and decoding with
// a lookup table indexed by the next bits; the round trip is checked.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { INPUT = 8 << 20, SYMBOLS = 256, TABLE_BITS = 12, MAX_LEN = 12, ROUNDS = 6 };

typedef struct {
  uint32_t count;
  int symbol;  // a leaf's byte, or -1
  int left, right;
} Node;

static Node nodes[2 * SYMBOLS];
static int heap[2 * SYMBOLS], heap_size;

static int less(int a, int b) {
  return nodes[a].count < nodes[b].count || (nodes[a].count == nodes[b].count && a < b);
}

static void heap_push(int n) {
  int i = heap_size++;
  heap[i] = n;
  while (i > 0 && less(heap[i], heap[(i - 1) / 2])) {
    int p = (i - 1) / 2, t = heap[p];
    heap[p] = heap[i];
    heap[i] = t;
    i = p;
  }
}

static int heap_pop(void) {
  int top = heap[0], i = 0;
  heap[0] = heap[--heap_size];
  for (;;) {
    int l = 2 * i + 1, r = l + 1, m = i;
    if (l < heap_size && less(heap[l], heap[m])) m = l;
    if (r < heap_size && less(heap[r], heap[m])) m = r;
    if (m == i) return top;
    int t = heap[m];
    heap[m] = heap[i];
    heap[i] = t;
    i = m;
  }
}

static void assign_lengths(int n, int depth, uint8_t* length) {
  if (nodes[n].symbol >= 0) {
    length[nodes[n].symbol] = (uint8_t)(depth ? depth : 1);
    return;
  }
  assign_lengths(nodes[n].left, depth + 1, length);
  assign_lengths(nodes[n].right, depth + 1, length);
}

// Code lengths limited to MAX_LEN by flattening the counts and trying again.
static void build_lengths(const uint32_t* freq, uint8_t* length) {
  uint32_t scaled[SYMBOLS];
  memcpy(scaled, freq, sizeof scaled);
  for (;;) {
    int count = 0;
    heap_size = 0;
    memset(length, 0, SYMBOLS);
    for (int s = 0; s < SYMBOLS; s++)
      if (scaled[s]) {
        nodes[count] = (Node){scaled[s], s, -1, -1};
        heap_push(count++);
      }
    while (heap_size > 1) {
      int a = heap_pop(), b = heap_pop();
      nodes[count] = (Node){nodes[a].count + nodes[b].count, -1, a, b};
      heap_push(count++);
    }
    assign_lengths(heap_pop(), 0, length);
    int longest = 0;
    for (int s = 0; s < SYMBOLS; s++)
      if (length[s] > longest) longest = length[s];
    if (longest <= MAX_LEN) return;
    for (int s = 0; s < SYMBOLS; s++)
      if (scaled[s]) scaled[s] = (scaled[s] >> 1) | 1;
  }
}

// Canonical codes: shorter codes first, ties by symbol.
static void canonical_codes(const uint8_t* length, uint16_t* code) {
  int count_of_length[MAX_LEN + 1] = {0};
  for (int s = 0; s < SYMBOLS; s++) count_of_length[length[s]]++;
  count_of_length[0] = 0;
  int next[MAX_LEN + 2];
  int c = 0;
  for (int len = 1; len <= MAX_LEN; len++) {
    c = (c + count_of_length[len - 1]) << 1;
    next[len] = c;
  }
  for (int s = 0; s < SYMBOLS; s++)
    if (length[s]) code[s] = (uint16_t)next[length[s]]++;
}

static size_t encode(const unsigned char* in, size_t n, const uint8_t* length,
                     const uint16_t* code, unsigned char* out) {
  uint64_t bits = 0;
  int used = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    bits = (bits << length[in[i]]) | code[in[i]];
    used += length[in[i]];
    while (used >= 8) {
      used -= 8;
      out[o++] = (unsigned char)(bits >> used);
    }
  }
  if (used > 0) out[o++] = (unsigned char)(bits << (8 - used));
  return o;
}

static void decode(const unsigned char* in, size_t n_out, const uint8_t* length,
                   const uint16_t* code, unsigned char* out) {
  static uint16_t table[1 << TABLE_BITS];  // symbol << 4 | length, by the next TABLE_BITS bits
  for (int s = 0; s < SYMBOLS; s++)
    if (length[s]) {
      int shift = TABLE_BITS - length[s];
      for (int fill = 0; fill < (1 << shift); fill++)
        table[(code[s] << shift) | fill] = (uint16_t)(s << 4 | length[s]);
    }
  uint64_t bits = 0;
  int have = 0;
  size_t pos = 0;
  for (size_t o = 0; o < n_out; o++) {
    while (have < TABLE_BITS) {
      bits = (bits << 8) | in[pos++];
      have += 8;
    }
    uint16_t entry = table[(bits >> (have - TABLE_BITS)) & ((1 << TABLE_BITS) - 1)];
    out[o] = (unsigned char)(entry >> 4);
    have -= entry & 15;
  }
}

int main(void) {
  unsigned char* input = malloc(INPUT);
  unsigned char* packed = malloc(INPUT * 2 + 8);
  unsigned char* output = malloc(INPUT);
  if (!input || !packed || !output) return 1;
  size_t total_packed = 0;
  uint32_t digest = 0;
  uint32_t seed = 77;
  for (int round = 0; round < ROUNDS; round++) {
    // Skewed bytes: geometric-ish over letters, with rare others.
    for (size_t i = 0; i < INPUT; i++) {
      seed = seed * 1664525u + 1013904223u;
      uint32_t r = seed >> 8;
      int k = 0;
      while ((r & 3) && k < 20) {
        r >>= 2;
        k++;
      }
      input[i] = (unsigned char)((r & 0x700) ? 'a' + k + round : (seed >> 24));
    }
    memset(packed, 0, INPUT * 2 + 8);  // decode may read a few bytes past the end
    uint32_t freq[SYMBOLS] = {0};
    for (size_t i = 0; i < INPUT; i++) freq[input[i]]++;
    uint8_t length[SYMBOLS];
    uint16_t code[SYMBOLS];
    build_lengths(freq, length);
    canonical_codes(length, code);
    size_t n = encode(input, INPUT, length, code, packed);
    decode(packed, INPUT, length, code, output);
    if (memcmp(input, output, INPUT) != 0) {
      printf("round trip failed\n");
      return 1;
    }
    total_packed += n;
    for (size_t i = 0; i < n; i += 61) digest = digest * 16777619u ^ packed[i];
  }
  printf("packed %zu digest %08x\n", total_packed, digest);
  free(input);
  free(packed);
  free(output);
  return 0;
}
