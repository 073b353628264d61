// Mandelbrot set: escape-time iteration over a grid of points, double arithmetic with a
// data-dependent exit, the iteration counts hashed.
#include <stdint.h>
#include <stdio.h>

enum { WIDTH = 2400, HEIGHT = 2000, LIMIT = 200 };

int main(void) {
  uint32_t hash = 2166136261u;
  uint64_t total = 0;
  for (int py = 0; py < HEIGHT; ++py) {
    double ci = -1.25 + 2.5 * py / HEIGHT;
    for (int px = 0; px < WIDTH; ++px) {
      double cr = -2.1 + 3.0 * px / WIDTH;
      double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
      int n = 0;
      while (n < LIMIT && zr2 + zi2 <= 4.0) {
        zi = 2 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        zr2 = zr * zr, zi2 = zi * zi;
        ++n;
      }
      total += (uint64_t)n;
      hash = (hash ^ (uint32_t)n) * 16777619u;
    }
  }
  printf("%llu %08x\n", (unsigned long long)total, (unsigned)hash);
  return 0;
}
