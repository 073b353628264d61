// PageRank by power iteration over a web-like graph (preferential attachment: a few pages
// with many links) held as incoming-edge lists, with dangling pages' rank spread evenly.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { PAGES = 1000000, LINKS_PER_PAGE = 8, ITERATIONS = 90 };

int main(void) {
  const int links = PAGES * LINKS_PER_PAGE;
  int* src = malloc(links * sizeof(int));
  int* dst = malloc(links * sizeof(int));
  int* out_degree = calloc(PAGES, sizeof(int));
  int* in_start = calloc(PAGES + 1, sizeof(int));
  int* in_from = malloc(links * sizeof(int));
  double* rank = malloc(PAGES * sizeof(double));
  double* next = malloc(PAGES * sizeof(double));
  double* share = malloc(PAGES * sizeof(double));
  if (!src || !dst || !out_degree || !in_start || !in_from || !rank || !next || !share) return 1;
  uint32_t seed = 1;
  int count = 0;
  for (int p = 1; p < PAGES; p++) {
    int k = p % 10 == 0 ? 0 : 1 + p % LINKS_PER_PAGE;  // every tenth page links nowhere
    for (int i = 0; i < k && count < links; i++) {
      seed = seed * 1103515245u + 12345u;
      // Half the links copy the target of an earlier link: the rich get richer.
      int target = (seed >> 16) % 2 && count > 0 ? dst[(seed >> 3) % count] : (int)((seed >> 8) % p);
      src[count] = p;
      dst[count] = target;
      out_degree[p]++;
      in_start[target + 1]++;
      count++;
    }
  }
  for (int p = 0; p < PAGES; p++) in_start[p + 1] += in_start[p];
  int* fill = malloc(PAGES * sizeof(int));
  if (!fill) return 1;
  for (int p = 0; p < PAGES; p++) fill[p] = in_start[p];
  for (int e = 0; e < count; e++) in_from[fill[dst[e]]++] = src[e];
  free(fill);

  const double damping = 0.85;
  for (int p = 0; p < PAGES; p++) rank[p] = 1.0 / PAGES;
  double delta = 0;
  for (int it = 0; it < ITERATIONS; it++) {
    double dangling = 0;
    for (int p = 0; p < PAGES; p++) {
      if (out_degree[p] == 0)
        dangling += rank[p];
      else
        share[p] = rank[p] / out_degree[p];
    }
    double base = (1.0 - damping) / PAGES + damping * dangling / PAGES;
    delta = 0;
    for (int p = 0; p < PAGES; p++) {
      double sum = 0;
      for (int i = in_start[p]; i < in_start[p + 1]; i++) sum += share[in_from[i]];
      next[p] = base + damping * sum;
      delta += fabs(next[p] - rank[p]);
    }
    double* t = rank;
    rank = next;
    next = t;
  }
  int top = 0;
  double total = 0;
  for (int p = 0; p < PAGES; p++) {
    total += rank[p];
    if (rank[p] > rank[top]) top = p;
  }
  printf("links %d top %d rank %.12e total %.12e delta %.6e\n", count, top, rank[top], total, delta);
  free(src);
  free(dst);
  free(out_degree);
  free(in_start);
  free(in_from);
  free(rank);
  free(next);
  free(share);
  return 0;
}
