// One-dimensional heat equation, explicit time steps: a 3-point stencil from one malloc'd
// array of doubles into another, the two swapped after every step, ends held fixed.
#include <stdio.h>
#include <stdlib.h>

enum { N = 200000, STEPS = 20000 };

int main(void) {
  double* u = malloc(N * sizeof(double));
  double* next = malloc(N * sizeof(double));
  if (!u || !next) return 1;
  for (int i = 0; i < N; i++) u[i] = (i / 1000) % 2 ? 1.0 : 0.0;
  u[0] = next[0] = 2.0;
  u[N - 1] = next[N - 1] = -1.0;
  const double r = 0.25;
  for (int t = 0; t < STEPS; t++) {
    for (int i = 1; i < N - 1; i++) next[i] = u[i] + r * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
    double* swap = u;
    u = next;
    next = swap;
  }
  double sum = 0, weighted = 0;
  for (int i = 0; i < N; i++) {
    sum += u[i];
    weighted += u[i] * (i % 100);
  }
  printf("sum %.12e weighted %.12e mid %.12e\n", sum, weighted, u[N / 2]);
  free(u);
  free(next);
  return 0;
}
