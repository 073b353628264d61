// Two-dimensional finite-difference time domain (Yee scheme, TE mode): the electric fields
// ex, ey and the magnetic field hz on staggered static double[NX][NY] grids, updated in turn
// every step, with a soft source driven at the centre.
#include <stdio.h>

enum { NX = 800, NY = 900, STEPS = 1400 };

static double ex[NX][NY], ey[NX][NY], hz[NX][NY];

int main(void) {
  for (int i = 0; i < NX; i++)
    for (int j = 0; j < NY; j++) {
      ex[i][j] = (double)(i * (j + 1)) / NX / NY;
      ey[i][j] = (double)(i * (j + 2)) / NX / NY;
      hz[i][j] = (double)(i * (j + 3)) / NX / NY;
    }
  for (int t = 0; t < STEPS; t++) {
    for (int j = 0; j < NY; j++) ey[0][j] = (t % 20) * 0.05;  // a sawtooth on the edge
    for (int i = 1; i < NX; i++)
      for (int j = 0; j < NY; j++) ey[i][j] -= 0.5 * (hz[i][j] - hz[i - 1][j]);
    for (int i = 0; i < NX; i++)
      for (int j = 1; j < NY; j++) ex[i][j] -= 0.5 * (hz[i][j] - hz[i][j - 1]);
    for (int i = 0; i < NX - 1; i++)
      for (int j = 0; j < NY - 1; j++)
        hz[i][j] -= 0.7 * (ex[i][j + 1] - ex[i][j] + ey[i + 1][j] - ey[i][j]);
    hz[NX / 2][NY / 2] += 0.1;
  }
  double energy = 0;
  for (int i = 0; i < NX; i++)
    for (int j = 0; j < NY; j++) energy += ex[i][j] * ex[i][j] + ey[i][j] * ey[i][j] + hz[i][j] * hz[i][j];
  printf("energy %.12e hz %.12e\n", energy, hz[NX / 3][NY / 3]);
  return 0;
}
