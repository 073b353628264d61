// Longest common subsequence of two texts: the length table (malloc'd unsigned short
// (*len)[M + 1]) filled row by row, then a trace back through it to recover one subsequence.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 5000, M = 5000, ROUNDS = 28 };

int main(void) {
  unsigned short (*len)[M + 1] = malloc(sizeof(unsigned short[N + 1][M + 1]));
  char *a = malloc(N), *b = malloc(M), *common = malloc(N < M ? N : M);
  if (!len || !a || !b || !common) return 1;
  uint32_t seed = 99;
  uint32_t digest = 2166136261u;
  long total = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 0; i < N; i++) {
      seed = seed * 1103515245u + 12345u;
      a[i] = 'a' + (seed >> 16) % (4 + round % 24);
    }
    for (int j = 0; j < M; j++) {
      seed = seed * 1103515245u + 12345u;
      b[j] = 'a' + (seed >> 16) % (4 + round % 24);
    }
    for (int j = 0; j <= M; j++) len[0][j] = 0;
    for (int i = 1; i <= N; i++) {
      len[i][0] = 0;
      for (int j = 1; j <= M; j++) {
        if (a[i - 1] == b[j - 1])
          len[i][j] = len[i - 1][j - 1] + 1;
        else
          len[i][j] = len[i - 1][j] >= len[i][j - 1] ? len[i - 1][j] : len[i][j - 1];
      }
    }
    int k = len[N][M];
    for (int i = N, j = M; i > 0 && j > 0;) {
      if (a[i - 1] == b[j - 1]) {
        common[--k] = a[i - 1];
        i--, j--;
      } else if (len[i - 1][j] >= len[i][j - 1]) {
        i--;
      } else {
        j--;
      }
    }
    for (int i = 0; i < len[N][M]; i++) digest = (digest ^ (unsigned char)common[i]) * 16777619u;
    total += len[N][M];
  }
  printf("total %ld digest %08x\n", total, digest);
  free(len);
  free(a);
  free(b);
  free(common);
  return 0;
}
