// Prim's minimum spanning tree in O(V^2) over a dense weighted graph held as a static
// adjacency matrix (int w[N][N]), for several random weight sets.
#include <stdio.h>

enum { N = 3000, GRAPHS = 45, NONE = -1 };

static int w[N][N];
static int key[N], parent[N];
static unsigned char in_tree[N];

int main(void) {
  unsigned seed = 271828;
  unsigned long long checksum = 0;
  for (int g = 0; g < GRAPHS; g++) {
    for (int i = 0; i < N; i++) {
      w[i][i] = 0;
      for (int j = 0; j < i; j++) {
        seed = seed * 1664525u + 1013904223u;
        w[i][j] = w[j][i] = 1 + (int)((seed >> 10) % 100000);
      }
    }
    for (int v = 0; v < N; v++) {
      key[v] = 1 << 30;
      parent[v] = NONE;
      in_tree[v] = 0;
    }
    key[0] = 0;
    long long total = 0;
    for (int step = 0; step < N; step++) {
      int u = NONE;
      for (int v = 0; v < N; v++)
        if (!in_tree[v] && (u == NONE || key[v] < key[u])) u = v;
      in_tree[u] = 1;
      total += key[u];
      for (int v = 0; v < N; v++)
        if (!in_tree[v] && w[u][v] < key[v]) {
          key[v] = w[u][v];
          parent[v] = u;
        }
    }
    long long parents = 0;
    for (int v = 1; v < N; v++) parents += parent[v];
    checksum = checksum * 1000003u + (unsigned long long)total * 7 + (unsigned long long)parents;
  }
  printf("checksum %llu\n", checksum);
  return 0;
}
