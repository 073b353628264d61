// General matrix multiply C = alpha*A*B + beta*C over row-major static double[N][N] arrays,
// the i-k-j order a C programmer writes so the innermost loop walks rows of B and C.
#include <stdio.h>

enum { N = 640, REPEATS = 24 };

static double A[N][N], B[N][N], C[N][N];

static void gemm(double alpha, double beta) {
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) C[i][j] *= beta;
    for (int k = 0; k < N; k++) {
      double aik = alpha * A[i][k];
      for (int j = 0; j < N; j++) C[i][j] += aik * B[k][j];
    }
  }
}

int main(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      A[i][j] = (double)((i * j + 1) % N) / N;
      B[i][j] = (double)((i + 2 * j) % 7) / 7.0 - 0.4;
      C[i][j] = (double)(i - j) / N;
    }
  for (int r = 0; r < REPEATS; r++) gemm(1.5 / N, 0.25);
  double trace = 0, sum = 0;
  for (int i = 0; i < N; i++) {
    trace += C[i][i];
    for (int j = 0; j < N; j++) sum += C[i][j];
  }
  printf("trace %.12e sum %.12e\n", trace, sum);
  return 0;
}
