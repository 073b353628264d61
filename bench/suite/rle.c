// Run-length coding in the PackBits style over scan lines of a synthetic palette image:
// a header byte gives either a literal run (copied) or a repeat run (one byte repeated);
// every line is decoded again and compared.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WIDTH = 4096, HEIGHT = 2048, FRAMES = 50 };

static size_t pack_line(const unsigned char* in, size_t n, unsigned char* out) {
  size_t o = 0, i = 0;
  while (i < n) {
    size_t run = 1;
    while (i + run < n && run < 128 && in[i + run] == in[i]) run++;
    if (run >= 3) {
      out[o++] = (unsigned char)(257 - run);  // -(run - 1) as a signed byte
      out[o++] = in[i];
      i += run;
      continue;
    }
    size_t start = i, len = 0;  // literals until a run of three begins
    while (i < n && len < 128) {
      if (i + 2 < n && in[i] == in[i + 1] && in[i] == in[i + 2]) break;
      i++;
      len++;
    }
    out[o++] = (unsigned char)(len - 1);
    memcpy(out + o, in + start, len);
    o += len;
  }
  return o;
}

static size_t unpack_line(const unsigned char* in, size_t n, unsigned char* out) {
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    signed char header = (signed char)in[i++];
    if (header >= 0) {
      memcpy(out + o, in + i, (size_t)header + 1);
      o += (size_t)header + 1;
      i += (size_t)header + 1;
    } else {
      size_t run = 1 - header;
      memset(out + o, in[i++], run);
      o += run;
    }
  }
  return o;
}

int main(void) {
  unsigned char* image = malloc(WIDTH * HEIGHT);
  unsigned char* packed = malloc(WIDTH + WIDTH / 64 + 8);
  unsigned char* line = malloc(WIDTH);
  if (!image || !packed || !line) return 1;
  uint64_t total = 0;
  uint32_t digest = 0, seed = 3;
  for (int f = 0; f < FRAMES; f++) {
    // Flat regions of a few colours, with dithered noise in one band.
    for (int y = 0; y < HEIGHT; y++)
      for (int x = 0; x < WIDTH; x++) {
        seed = seed * 1103515245u + 12345u;
        unsigned char c = (unsigned char)(((x + f * 37) / 200 + (y / 150)) % 6);
        if (y % 512 > 400) c = (unsigned char)((seed >> 16) % 5 == 0 ? (seed >> 20) : c);
        image[y * WIDTH + x] = c;
      }
    for (int y = 0; y < HEIGHT; y++) {
      size_t n = pack_line(image + y * WIDTH, WIDTH, packed);
      if (unpack_line(packed, n, line) != WIDTH || memcmp(line, image + y * WIDTH, WIDTH)) {
        printf("round trip failed\n");
        return 1;
      }
      total += n;
      digest = (digest ^ (uint32_t)n) * 16777619u ^ packed[n / 2];
    }
  }
  printf("packed %llu digest %08x\n", (unsigned long long)total, digest);
  free(image);
  free(packed);
  free(line);
  return 0;
}
