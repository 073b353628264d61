// Gauss-Seidel relaxation with a 9-point stencil, in place over a grid passed as a VLA
// parameter (double a[n][n]): every update reads the values just written above and left.
#include <stdio.h>
#include <stdlib.h>

enum { N = 800, SWEEPS = 240 };

static void sweep(int n, double a[n][n]) {
  for (int i = 1; i < n - 1; i++)
    for (int j = 1; j < n - 1; j++)
      a[i][j] = (a[i - 1][j - 1] + a[i - 1][j] + a[i - 1][j + 1] + a[i][j - 1] + a[i][j] +
                 a[i][j + 1] + a[i + 1][j - 1] + a[i + 1][j] + a[i + 1][j + 1]) / 9.0;
}

int main(void) {
  int n = N;
  double (*a)[n] = malloc(sizeof(double[n][n]));
  if (!a) return 1;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) a[i][j] = ((i * i + 3 * j) % 17) / 17.0 + (i == j);
  for (int s = 0; s < SWEEPS; s++) sweep(n, a);
  double sum = 0;
  for (int i = 0; i < n; i++) sum += a[i][i] + a[i][n - 1 - i];
  printf("diagonals %.12e corner %.12e\n", sum, a[1][1]);
  free(a);
  return 0;
}
