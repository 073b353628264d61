// Symmetric rank-k update C = alpha*A*A^T + beta*C on the lower triangle, A an N x K static
// array: each element a dot product of two rows of A.
#include <stdio.h>

enum { N = 700, K = 600, REPEATS = 14 };

static double A[N][K], C[N][N];

int main(void) {
  for (int i = 0; i < N; i++) {
    for (int k = 0; k < K; k++) A[i][k] = (double)((i * k + 3) % 17) / 17.0 - 0.5;
    for (int j = 0; j <= i; j++) C[i][j] = (double)(i + j) / (N * 2.0);
  }
  double alpha = 0.75, beta = 0.5;
  for (int r = 0; r < REPEATS; r++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j <= i; j++) {
        double dot = 0;
        for (int k = 0; k < K; k++) dot += A[i][k] * A[j][k];
        C[i][j] = alpha * dot + beta * C[i][j];
      }
  }
  double sum = 0, diag = 0;
  for (int i = 0; i < N; i++) {
    diag += C[i][i];
    for (int j = 0; j <= i; j++) sum += C[i][j];
  }
  printf("sum %.12e diag %.12e\n", sum, diag);
  return 0;
}
