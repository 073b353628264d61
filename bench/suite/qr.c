// Householder QR of a tall M x N matrix (VLA parameter double a[m][n]): each reflector is
// formed from a column and applied to the columns to its right a row at a time; then least
// squares by back substitution with R.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { M = 1000, N = 500, REPEATS = 20 };

// Leaves R in the upper triangle of a and the reflectors' vectors below it, with their
// leading entries in vhead and the reflectors' scale in beta.
static void householder(int m, int n, double a[m][n], double* vhead, double* beta, double* w) {
  for (int k = 0; k < n; k++) {
    double norm = 0;
    for (int i = k; i < m; i++) norm += a[i][k] * a[i][k];
    norm = sqrt(norm);
    double alpha = a[k][k] > 0 ? -norm : norm;
    double v0 = a[k][k] - alpha;
    double vnorm2 = v0 * v0 + (norm * norm - a[k][k] * a[k][k]);
    vhead[k] = v0;
    beta[k] = vnorm2 > 0 ? 2.0 / vnorm2 : 0.0;
    a[k][k] = alpha;
    // w = beta * v^T A(k:m, k+1:n), accumulated row by row; then A -= v w.
    for (int j = k + 1; j < n; j++) w[j] = v0 * a[k][j];
    for (int i = k + 1; i < m; i++) {
      double vi = a[i][k];
      for (int j = k + 1; j < n; j++) w[j] += vi * a[i][j];
    }
    for (int j = k + 1; j < n; j++) w[j] *= beta[k];
    for (int j = k + 1; j < n; j++) a[k][j] -= v0 * w[j];
    for (int i = k + 1; i < m; i++) {
      double vi = a[i][k];
      for (int j = k + 1; j < n; j++) a[i][j] -= vi * w[j];
    }
  }
}

int main(void) {
  int m = M, n = N;
  double (*a)[n] = malloc(sizeof(double[m][n]));
  double *b = malloc(m * sizeof(double)), *x = malloc(n * sizeof(double));
  double *vhead = malloc(n * sizeof(double)), *beta = malloc(n * sizeof(double));
  double* w = malloc(n * sizeof(double));
  if (!a || !b || !x || !vhead || !beta || !w) return 1;
  double checksum = 0;
  for (int r = 0; r < REPEATS; r++) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) a[i][j] = ((i * 31 + j * 17 + r) % 101) / 50.0 - 1.0;
      a[i][i % n] += 3.0;
      b[i] = ((i * 13) % 29) / 7.0;
    }
    householder(m, n, a, vhead, beta, w);
    // Q^T b: apply the reflectors in order.
    for (int k = 0; k < n; k++) {
      double s = vhead[k] * b[k];
      for (int i = k + 1; i < m; i++) s += a[i][k] * b[i];
      s *= beta[k];
      b[k] -= s * vhead[k];
      for (int i = k + 1; i < m; i++) b[i] -= s * a[i][k];
    }
    for (int i = n - 1; i >= 0; i--) {
      double s = b[i];
      for (int j = i + 1; j < n; j++) s -= a[i][j] * x[j];
      x[i] = s / a[i][i];
    }
    for (int j = 0; j < n; j++) checksum += x[j] * (1 + j % 4);
    double resid = 0;
    for (int i = n; i < m; i++) resid += b[i] * b[i];
    checksum += sqrt(resid);
  }
  printf("checksum %.12e\n", checksum);
  free(a);
  free(b);
  free(x);
  free(vhead);
  free(beta);
  free(w);
  return 0;
}
