// Heap sort of doubles in place: build a max-heap bottom up, then repeatedly move the top
// to the end and sift the new root down. Unpredictable branches and strided reads.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { COUNT = 1500000, ROUNDS = 4 };

static void sift_down(double* a, size_t root, size_t n) {
  double value = a[root];
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n) break;
    if (child + 1 < n && a[child + 1] > a[child]) child++;
    if (a[child] <= value) break;
    a[root] = a[child];
    root = child;
  }
  a[root] = value;
}

static void heap_sort(double* a, size_t n) {
  for (size_t i = n / 2; i-- > 0;) sift_down(a, i, n);
  for (size_t end = n - 1; end > 0; end--) {
    double top = a[0];
    a[0] = a[end];
    a[end] = top;
    sift_down(a, 0, end);
  }
}

int main(void) {
  double* a = malloc(COUNT * sizeof(double));
  if (!a) return 1;
  uint32_t seed = 42;
  double checksum = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (size_t i = 0; i < COUNT; i++) {
      seed = seed * 1664525u + 1013904223u;
      a[i] = (double)seed / 4294967296.0 * 1000.0 - 500.0 + round;
    }
    heap_sort(a, COUNT);
    for (size_t i = 1; i < COUNT; i++)
      if (a[i - 1] > a[i]) {
        printf("not sorted at %zu\n", i);
        return 1;
      }
    for (size_t i = 0; i < COUNT; i += 997) checksum += a[i] * (double)(i % 5);
  }
  printf("checksum %.10e\n", checksum);
  free(a);
  return 0;
}
