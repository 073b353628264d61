// Two-dimensional Jacobi iteration: a 5-point stencil over static double[N][N] grids,
// time-stepped, A into B then B into A, the boundary fixed.
#include <stdio.h>

enum { N = 1000, STEPS = 1300 };

static double A[N][N], B[N][N];

int main(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      A[i][j] = (i == 0 || j == 0) ? 1.0 : ((i * j) % 13) / 13.0;
      B[i][j] = A[i][j];
    }
  for (int t = 0; t < STEPS; t++) {
    for (int i = 1; i < N - 1; i++)
      for (int j = 1; j < N - 1; j++)
        B[i][j] = 0.2 * (A[i][j] + A[i - 1][j] + A[i + 1][j] + A[i][j - 1] + A[i][j + 1]);
    for (int i = 1; i < N - 1; i++)
      for (int j = 1; j < N - 1; j++)
        A[i][j] = 0.2 * (B[i][j] + B[i - 1][j] + B[i + 1][j] + B[i][j - 1] + B[i][j + 1]);
  }
  double sum = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) sum += A[i][j];
  printf("sum %.12e centre %.12e\n", sum, A[N / 2][N / 2]);
  return 0;
}
