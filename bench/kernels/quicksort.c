// Quicksort of pseudo-random integers: data-dependent branches and memory traffic.
#include <stdio.h>
#include <stdlib.h>

enum { COUNT = 3000000 };

static void sort(int* v, int lo, int hi) {
  while (lo < hi) {
    int pivot = v[lo + (hi - lo) / 2], i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) ++i;
      while (v[j] > pivot) --j;
      if (i <= j) {
        int t = v[i];
        v[i++] = v[j];
        v[j--] = t;
      }
    }
    if (j - lo < hi - i) {
      sort(v, lo, j);
      lo = i;
    } else {
      sort(v, i, hi);
      hi = j;
    }
  }
}

int main(void) {
  int* v = malloc(sizeof(int) * COUNT);
  unsigned x = 12345;
  for (int i = 0; i < COUNT; ++i) {
    x = x * 1103515245u + 12345u;
    v[i] = (int)(x >> 1);
  }
  sort(v, 0, COUNT - 1);
  long long check = 0;
  for (int i = 0; i < COUNT; i += 1000) check += v[i] % 1000;
  printf("%lld\n", check);
  return 0;
}
