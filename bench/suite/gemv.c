// Matrix-vector products y = A*x and z = A^T*y over a malloc'd row-major matrix reached
// through a pointer to rows (double (*a)[N]): power iteration for the largest singular value.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 1500, ITERATIONS = 650 };

int main(void) {
  double (*a)[N] = malloc(sizeof(double[N][N]));
  double *x = malloc(N * sizeof(double)), *y = malloc(N * sizeof(double));
  if (!a || !x || !y) return 1;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) a[i][j] = 1.0 / (1 + i + j) + ((i ^ j) & 3) * 0.001;
  for (int j = 0; j < N; j++) x[j] = 1.0;

  double sigma = 0;
  for (int it = 0; it < ITERATIONS; it++) {
    for (int i = 0; i < N; i++) {  // y = A x
      double s = 0;
      for (int j = 0; j < N; j++) s += a[i][j] * x[j];
      y[i] = s;
    }
    for (int j = 0; j < N; j++) x[j] = 0;
    for (int i = 0; i < N; i++) {  // x = A^T y, a row at a time
      double yi = y[i];
      for (int j = 0; j < N; j++) x[j] += a[i][j] * yi;
    }
    double norm = 0;
    for (int j = 0; j < N; j++) norm += x[j] * x[j];
    norm = sqrt(norm);
    sigma = sqrt(norm);
    for (int j = 0; j < N; j++) x[j] /= norm;
  }
  printf("sigma %.12e x0 %.12e xlast %.12e\n", sigma, x[0], x[N - 1]);
  free(a);
  free(x);
  free(y);
  return 0;
}
