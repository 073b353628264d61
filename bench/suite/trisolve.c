// Triangular solves: forward substitution with a lower-triangular L, then back substitution
// with an upper-triangular U, for many right-hand sides. The matrices are VLA parameters
// (double l[n][n]), as numerical C code passes them.
#include <stdio.h>
#include <stdlib.h>

enum { N = 1200, RHS = 900 };

static void forward(int n, double l[n][n], double* x, const double* b) {
  for (int i = 0; i < n; i++) {
    double s = b[i];
    for (int j = 0; j < i; j++) s -= l[i][j] * x[j];
    x[i] = s / l[i][i];
  }
}

static void backward(int n, double u[n][n], double* x, const double* b) {
  for (int i = n - 1; i >= 0; i--) {
    double s = b[i];
    for (int j = i + 1; j < n; j++) s -= u[i][j] * x[j];
    x[i] = s / u[i][i];
  }
}

int main(void) {
  int n = N;
  double (*l)[n] = malloc(sizeof(double[n][n]));
  double (*u)[n] = malloc(sizeof(double[n][n]));
  double *b = malloc(n * sizeof(double)), *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
  if (!l || !u || !b || !x || !y) return 1;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double off = ((i * 7 + j * 3) % 11 - 5) / (10.0 * n);
      l[i][j] = j < i ? off : j == i ? 2.0 + (i % 5) * 0.1 : 0.0;
      u[i][j] = j > i ? -off : j == i ? 1.5 + (i % 3) * 0.2 : 0.0;
    }
  double checksum = 0;
  unsigned seed = 12345;
  for (int r = 0; r < RHS; r++) {
    for (int i = 0; i < n; i++) {
      seed = seed * 1103515245u + 12345u;
      b[i] = (double)((seed >> 16) & 0x7fff) / 32768.0 - 0.5;
    }
    forward(n, l, y, b);
    backward(n, u, x, y);
    for (int i = 0; i < n; i += 97) checksum += x[i];
  }
  printf("checksum %.12e\n", checksum);
  free(l);
  free(u);
  free(b);
  free(x);
  free(y);
  return 0;
}
