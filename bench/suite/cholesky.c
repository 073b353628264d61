// Cholesky factorisation A = L*L^T of a symmetric positive definite matrix, in place in a
// static double[N][N] (row by row, dot products of rows), then a solve with the factor.
#include <math.h>
#include <stdio.h>

enum { N = 900, REPEATS = 18 };

static double A[N][N];
static double b[N], x[N];

static void fill(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      int d = i > j ? i - j : j - i;
      A[i][j] = 1.0 / (1 + d) + (i == j ? N * 0.01 + 1.0 : 0.0);
    }
}

// Overwrites the lower triangle of A with L; returns 0 if A is not positive definite.
static int cholesky(void) {
  for (int i = 0; i < N; i++) {
    for (int j = 0; j <= i; j++) {
      double s = A[i][j];
      for (int k = 0; k < j; k++) s -= A[i][k] * A[j][k];
      if (i == j) {
        if (s <= 0) return 0;
        A[i][i] = sqrt(s);
      } else {
        A[i][j] = s / A[j][j];
      }
    }
  }
  return 1;
}

int main(void) {
  double checksum = 0;
  for (int r = 0; r < REPEATS; r++) {
    fill();
    A[r][r] += r;  // a different matrix each time
    if (!cholesky()) {
      printf("not positive definite\n");
      return 1;
    }
    for (int i = 0; i < N; i++) b[i] = (i % 10) - 4.5;
    for (int i = 0; i < N; i++) {  // L y = b
      double s = b[i];
      for (int k = 0; k < i; k++) s -= A[i][k] * x[k];
      x[i] = s / A[i][i];
    }
    for (int i = N - 1; i >= 0; i--) {  // L^T x = y
      double s = x[i];
      for (int k = i + 1; k < N; k++) s -= A[k][i] * x[k];
      x[i] = s / A[i][i];
    }
    for (int i = 0; i < N; i++) checksum += x[i] * (i % 3 + 1);
  }
  printf("checksum %.12e L[N-1][N-1] %.12e\n", checksum, A[N - 1][N - 1]);
  return 0;
}
