// LU factorisation with partial pivoting (right-looking: pivot search down a column, row
// swap, rank-1 update of the trailing matrix) of a malloc'd double (*a)[N], then a solve
// and the residual against the original matrix.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 800, REPEATS = 28 };

static int lu(double (*a)[N], int* perm) {
  for (int i = 0; i < N; i++) perm[i] = i;
  for (int k = 0; k < N; k++) {
    int p = k;
    double best = fabs(a[k][k]);
    for (int i = k + 1; i < N; i++)
      if (fabs(a[i][k]) > best) {
        best = fabs(a[i][k]);
        p = i;
      }
    if (best == 0) return 0;
    if (p != k) {
      double row[N];
      memcpy(row, a[p], sizeof row);
      memcpy(a[p], a[k], sizeof row);
      memcpy(a[k], row, sizeof row);
      int t = perm[p];
      perm[p] = perm[k];
      perm[k] = t;
    }
    for (int i = k + 1; i < N; i++) {
      double m = a[i][k] /= a[k][k];
      for (int j = k + 1; j < N; j++) a[i][j] -= m * a[k][j];
    }
  }
  return 1;
}

int main(void) {
  double (*orig)[N] = malloc(sizeof(double[N][N]));
  double (*a)[N] = malloc(sizeof(double[N][N]));
  double *b = malloc(N * sizeof(double)), *x = malloc(N * sizeof(double));
  int* perm = malloc(N * sizeof(int));
  if (!orig || !a || !b || !x || !perm) return 1;
  double checksum = 0, worst = 0;
  unsigned seed = 2024;
  for (int r = 0; r < REPEATS; r++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        seed = seed * 1664525u + 1013904223u;
        orig[i][j] = (double)(seed >> 8) / (1 << 24) - 0.5;
      }
    memcpy(a, orig, sizeof(double[N][N]));
    if (!lu(a, perm)) {
      printf("singular\n");
      return 1;
    }
    for (int i = 0; i < N; i++) b[i] = 1.0 + (i % 7);
    for (int i = 0; i < N; i++) {  // L y = P b (unit diagonal)
      double s = b[perm[i]];
      for (int j = 0; j < i; j++) s -= a[i][j] * x[j];
      x[i] = s;
    }
    for (int i = N - 1; i >= 0; i--) {  // U x = y
      double s = x[i];
      for (int j = i + 1; j < N; j++) s -= a[i][j] * x[j];
      x[i] = s / a[i][i];
    }
    for (int i = 0; i < N; i++) {
      double s = -b[i];
      for (int j = 0; j < N; j++) s += orig[i][j] * x[j];
      if (fabs(s) > worst) worst = fabs(s);
    }
    for (int i = 0; i < N; i++) checksum += x[i];
  }
  printf("checksum %.12e residual %s\n", checksum, worst < 1e-6 ? "small" : "LARGE");
  free(orig);
  free(a);
  free(b);
  free(x);
  free(perm);
  return 0;
}
