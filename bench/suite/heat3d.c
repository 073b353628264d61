// Three-dimensional heat diffusion: a 7-point stencil over malloc'd grids reached through
// pointers to planes (double (*u)[N][N]), time-stepped by swapping the two pointers.
#include <stdio.h>
#include <stdlib.h>

enum { N = 120, STEPS = 560 };

int main(void) {
  double (*u)[N][N] = malloc(sizeof(double[N][N][N]));
  double (*v)[N][N] = malloc(sizeof(double[N][N][N]));
  if (!u || !v) return 1;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      for (int k = 0; k < N; k++) {
        double hot = (i > N / 3 && i < N / 2 && j > N / 4 && k < N / 2) ? 100.0 : 0.0;
        u[i][j][k] = v[i][j][k] = hot + (i + j + k) % 5;
      }
  const double c = 1.0 / 8.0;
  for (int t = 0; t < STEPS; t++) {
    for (int i = 1; i < N - 1; i++)
      for (int j = 1; j < N - 1; j++)
        for (int k = 1; k < N - 1; k++)
          v[i][j][k] = u[i][j][k] +
                       c * (u[i - 1][j][k] + u[i + 1][j][k] + u[i][j - 1][k] + u[i][j + 1][k] +
                            u[i][j][k - 1] + u[i][j][k + 1] - 6.0 * u[i][j][k]);
    double (*swap)[N][N] = u;
    u = v;
    v = swap;
  }
  double sum = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      for (int k = 0; k < N; k++) sum += u[i][j][k] * ((i + 2 * j + 3 * k) % 7);
  printf("sum %.12e probe %.12e\n", sum, u[N / 2][N / 3][N / 4]);
  free(u);
  free(v);
  return 0;
}
