// A 27-point smoothing stencil over a static double[N][N][N] grid (weights by distance:
// centre, faces, edges, corners), time-stepped between two static grids.
#include <stdio.h>

enum { N = 128, STEPS = 240 };

static double grid[N][N][N], next[N][N][N];

static void smooth(double (*dst)[N][N], double (*src)[N][N]) {
  for (int i = 1; i < N - 1; i++)
    for (int j = 1; j < N - 1; j++)
      for (int k = 1; k < N - 1; k++) {
        double faces = src[i - 1][j][k] + src[i + 1][j][k] + src[i][j - 1][k] +
                       src[i][j + 1][k] + src[i][j][k - 1] + src[i][j][k + 1];
        double edges = src[i - 1][j - 1][k] + src[i - 1][j + 1][k] + src[i + 1][j - 1][k] +
                       src[i + 1][j + 1][k] + src[i - 1][j][k - 1] + src[i - 1][j][k + 1] +
                       src[i + 1][j][k - 1] + src[i + 1][j][k + 1] + src[i][j - 1][k - 1] +
                       src[i][j - 1][k + 1] + src[i][j + 1][k - 1] + src[i][j + 1][k + 1];
        double corners = src[i - 1][j - 1][k - 1] + src[i - 1][j - 1][k + 1] +
                         src[i - 1][j + 1][k - 1] + src[i - 1][j + 1][k + 1] +
                         src[i + 1][j - 1][k - 1] + src[i + 1][j - 1][k + 1] +
                         src[i + 1][j + 1][k - 1] + src[i + 1][j + 1][k + 1];
        dst[i][j][k] = 0.4 * src[i][j][k] + 0.06 * faces + 0.015 * edges + 0.0075 * corners;
      }
}

int main(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      for (int k = 0; k < N; k++) grid[i][j][k] = next[i][j][k] = ((i * 7 + j * 5 + k * 3) % 19) - 9.0;
  for (int t = 0; t < STEPS; t += 2) {
    smooth(next, grid);
    smooth(grid, next);
  }
  double sum = 0, sq = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      for (int k = 0; k < N; k++) {
        sum += grid[i][j][k];
        sq += grid[i][j][k] * grid[i][j][k];
      }
  printf("sum %.12e squares %.12e\n", sum, sq);
  return 0;
}
