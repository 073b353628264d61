// Dense matrix multiply of doubles: loads and stores in tight loops, the pattern where
// bounds checks cost most.
#include <stdio.h>
#include <stdlib.h>

enum { N = 512 };

int main(void) {
  double* a = malloc(sizeof(double) * N * N);
  double* b = malloc(sizeof(double) * N * N);
  double* c = malloc(sizeof(double) * N * N);
  for (int i = 0; i < N * N; ++i) {
    a[i] = (double)(i % 17) * 0.5;
    b[i] = (double)(i % 13) * 0.25;
    c[i] = 0;
  }
  for (int rep = 0; rep < 16; ++rep)
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < N; ++k) {
        double aik = a[i * N + k];
        for (int j = 0; j < N; ++j) c[i * N + j] += aik * b[k * N + j];
      }
  double sum = 0;
  for (int i = 0; i < N * N; ++i) sum += c[i];
  printf("%.1f\n", sum);
  return 0;
}
