// Floyd-Warshall all-pairs shortest paths over a static int dist[N][N] adjacency matrix
// of a sparse random directed graph (absent edges are a large INF).
#include <stdio.h>

enum { N = 1500, INF = 1 << 29 };

static int dist[N][N];

int main(void) {
  unsigned seed = 4242;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      seed = seed * 1664525u + 1013904223u;
      dist[i][j] = i == j ? 0 : (seed >> 24) < 12 ? 1 + (int)((seed >> 8) % 1000) : INF;
    }
  for (int k = 0; k < N; k++)
    for (int i = 0; i < N; i++) {
      int dik = dist[i][k];
      if (dik == INF) continue;
      for (int j = 0; j < N; j++)
        if (dik + dist[k][j] < dist[i][j]) dist[i][j] = dik + dist[k][j];
    }
  long long sum = 0;
  int unreachable = 0, longest = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      if (dist[i][j] >= INF) {
        unreachable++;
        continue;
      }
      sum += dist[i][j];
      if (dist[i][j] > longest) longest = dist[i][j];
    }
  printf("sum %lld longest %d unreachable %d\n", sum, longest, unreachable);
  return 0;
}
