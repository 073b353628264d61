// Alternating-direction implicit steps for 2-D diffusion: each half step solves one
// tridiagonal system per row (Thomas algorithm), then one per column, over static
// double[N][N] arrays.
#include <stdio.h>

enum { N = 1000, STEPS = 100 };

static double u[N][N], rhs[N][N], cprime[N][N];

int main(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) u[i][j] = ((i / 50 + j / 50) % 2) ? 1.0 : 0.0;
  const double r = 0.4, diag = 1.0 + 2.0 * r, off = -r;
  for (int t = 0; t < STEPS; t++) {
    // Rows: (1 + 2r) x_j - r x_{j-1} - r x_{j+1} = u_j, solved along each row.
    for (int i = 1; i < N - 1; i++) {
      for (int j = 0; j < N; j++) rhs[i][j] = u[i][j] + r * (u[i - 1][j] - 2 * u[i][j] + u[i + 1][j]);
      cprime[i][0] = off / diag;
      rhs[i][0] /= diag;
      for (int j = 1; j < N; j++) {
        double m = diag - off * cprime[i][j - 1];
        cprime[i][j] = off / m;
        rhs[i][j] = (rhs[i][j] - off * rhs[i][j - 1]) / m;
      }
      u[i][N - 1] = rhs[i][N - 1];
      for (int j = N - 2; j >= 0; j--) u[i][j] = rhs[i][j] - cprime[i][j] * u[i][j + 1];
    }
    // Columns: the same along each column, all columns advanced together row by row.
    for (int i = 0; i < N; i++)
      for (int j = 1; j < N - 1; j++) rhs[i][j] = u[i][j] + r * (u[i][j - 1] - 2 * u[i][j] + u[i][j + 1]);
    for (int j = 0; j < N; j++) {
      cprime[0][j] = off / diag;
      rhs[0][j] /= diag;
    }
    for (int i = 1; i < N; i++)
      for (int j = 0; j < N; j++) {
        double m = diag - off * cprime[i - 1][j];
        cprime[i][j] = off / m;
        rhs[i][j] = (rhs[i][j] - off * rhs[i - 1][j]) / m;
      }
    for (int j = 0; j < N; j++) u[N - 1][j] = rhs[N - 1][j];
    for (int i = N - 2; i >= 0; i--)
      for (int j = 0; j < N; j++) u[i][j] = rhs[i][j] - cprime[i][j] * u[i + 1][j];
  }
  double sum = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) sum += u[i][j] * ((i + j) % 3);
  printf("sum %.12e probe %.12e\n", sum, u[N / 3][N / 7]);
  return 0;
}
