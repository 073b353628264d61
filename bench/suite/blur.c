// Image filters over an 8-bit greyscale image held as unsigned char (*img)[W]: a 5x5
// binomial blur in integer arithmetic, then a Sobel edge magnitude and a histogram.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { W = 3840, H = 2160, PASSES = 36 };

static const int kWeights[5] = {1, 4, 6, 4, 1};  // rows and columns: 256 in all

int main(void) {
  unsigned char (*img)[W] = malloc(sizeof(unsigned char[H][W]));
  unsigned char (*out)[W] = malloc(sizeof(unsigned char[H][W]));
  if (!img || !out) return 1;
  uint32_t seed = 7;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      seed = seed * 1664525u + 1013904223u;
      int shape = ((x / 64 + y / 48) & 1) ? 180 : 60;
      img[y][x] = (unsigned char)(shape + (seed >> 28) * 4);
    }
  uint64_t edge_total = 0;
  uint32_t histogram[16] = {0};
  for (int p = 0; p < PASSES; p++) {
    for (int y = 2; y < H - 2; y++)
      for (int x = 2; x < W - 2; x++) {
        int acc = 0;
        for (int dy = -2; dy <= 2; dy++)
          for (int dx = -2; dx <= 2; dx++)
            acc += kWeights[dy + 2] * kWeights[dx + 2] * img[y + dy][x + dx];
        out[y][x] = (unsigned char)((acc + 128) >> 8);
      }
    for (int y = 1; y < H - 1; y++)
      for (int x = 1; x < W - 1; x++) {
        int gx = out[y - 1][x + 1] + 2 * out[y][x + 1] + out[y + 1][x + 1] - out[y - 1][x - 1] -
                 2 * out[y][x - 1] - out[y + 1][x - 1];
        int gy = out[y + 1][x - 1] + 2 * out[y + 1][x] + out[y + 1][x + 1] - out[y - 1][x - 1] -
                 2 * out[y - 1][x] - out[y - 1][x + 1];
        int mag = abs(gx) + abs(gy);
        edge_total += mag;
        histogram[mag > 255 ? 15 : mag >> 4]++;
      }
    // Feed the blurred image back in, brighter or darker, so each pass differs.
    int shift = p % 2 ? 3 : -2;
    for (int y = 2; y < H - 2; y++)
      for (int x = 2; x < W - 2; x++) {
        int v = out[y][x] + shift;
        img[y][x] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
      }
  }
  uint32_t mix = 0;
  for (int i = 0; i < 16; i++) mix = mix * 31 + histogram[i];
  printf("edges %llu histogram %u\n", (unsigned long long)edge_total, mix);
  free(img);
  free(out);
  return 0;
}
