// Matrix-chain ordering: the O(n^3) interval dynamic programme over a cost table (static
// long long[N][N]) filled by increasing chain length, and the split table read back to
// count the multiplications of the best bracketing.
#include <stdio.h>

enum { N = 1800 };

static long long cost[N][N];
static int split[N][N];
static long long dims[N + 1];

static long long depth_sum(int i, int j, int depth) {
  if (i == j) return depth;
  int k = split[i][j];
  return depth_sum(i, k, depth + 1) + depth_sum(k + 1, j, depth + 1);
}

int main(void) {
  unsigned seed = 5;
  for (int i = 0; i <= N; i++) {
    seed = seed * 22695477u + 1u;
    dims[i] = 5 + (seed >> 16) % 200;
  }
  for (int i = 0; i < N; i++) cost[i][i] = 0;
  for (int length = 2; length <= N; length++)
    for (int i = 0; i + length - 1 < N; i++) {
      int j = i + length - 1;
      long long best = -1;
      int best_k = i;
      for (int k = i; k < j; k++) {
        long long c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1];
        if (best < 0 || c < best) {
          best = c;
          best_k = k;
        }
      }
      cost[i][j] = best;
      split[i][j] = best_k;
    }
  printf("cost %lld depth sum %lld\n", cost[0][N - 1], depth_sum(0, N - 1, 0));
  return 0;
}
