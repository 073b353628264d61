// Spectral norm of an infinite matrix A(i,j) = 1/((i+j)(i+j+1)/2 + i + 1), truncated to
// N x N, by the power method: a double divide and multiply-add in an O(N^2) inner loop.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 3500, ITERATIONS = 10 };

static double entry(int i, int j) { return 1.0 / ((double)((i + j) * (i + j + 1) / 2 + i + 1)); }

// out = A * in
static void times(const double* in, double* out) {
  for (int i = 0; i < N; ++i) {
    double sum = 0;
    for (int j = 0; j < N; ++j) sum += entry(i, j) * in[j];
    out[i] = sum;
  }
}

// out = transpose(A) * in
static void times_transposed(const double* in, double* out) {
  for (int i = 0; i < N; ++i) {
    double sum = 0;
    for (int j = 0; j < N; ++j) sum += entry(j, i) * in[j];
    out[i] = sum;
  }
}

// out = At * A * in
static void times_both(const double* in, double* out, double* scratch) {
  times(in, scratch);
  times_transposed(scratch, out);
}

int main(void) {
  double* u = malloc(N * sizeof(double));
  double* v = malloc(N * sizeof(double));
  double* scratch = malloc(N * sizeof(double));
  for (int i = 0; i < N; ++i) u[i] = 1.0;
  for (int k = 0; k < ITERATIONS; ++k) {
    times_both(u, v, scratch);
    times_both(v, u, scratch);
  }
  double uv = 0, vv = 0;
  for (int i = 0; i < N; ++i) {
    uv += u[i] * v[i];
    vv += v[i] * v[i];
  }
  printf("%.9f\n", sqrt(uv / vv));
  return 0;
}
