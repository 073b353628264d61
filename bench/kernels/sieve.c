// Sieve of Eratosthenes over bytes, repeated: byte stores with strides.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LIMIT = 50000000 };

int main(void) {
  unsigned char* composite = malloc(LIMIT + 1);
  int count = 0;
  for (int rep = 0; rep < 3; ++rep) {
    memset(composite, 0, LIMIT + 1);
    count = 0;
    for (int i = 2; i <= LIMIT; ++i) {
      if (composite[i]) continue;
      ++count;
      for (long long j = (long long)i * i; j <= LIMIT; j += i) composite[j] = 1;
    }
  }
  printf("%d\n", count);
  return 0;
}
