// Breadth-first search over a random graph in compressed adjacency lists (offsets into one
// array of neighbours), from several sources: an array queue and a distance array, so the
// reads jump around memory.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { VERTICES = 1 << 20, EDGES = 8 << 20, SOURCES = 20 };

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint32_t random32(void) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(state >> 33);
}

typedef struct {
  uint32_t from, to;
} Edge;

// Edges mostly between nearby vertices, a few long ones: a graph with locality and a small
// diameter, like a road network with highways.
static Edge random_edge(void) {
  Edge e;
  e.from = random32() % VERTICES;
  e.to = random32() % 16 == 0 ? random32() % VERTICES : (e.from + random32() % 64) % VERTICES;
  return e;
}

int main(void) {
  uint32_t* offset = calloc(VERTICES + 1, sizeof(uint32_t));
  uint32_t* neighbours = malloc(EDGES * sizeof(uint32_t));
  uint32_t* fill = malloc(VERTICES * sizeof(uint32_t));
  int32_t* dist = malloc(VERTICES * sizeof(int32_t));
  uint32_t* queue = malloc(VERTICES * sizeof(uint32_t));
  if (!offset || !neighbours || !fill || !dist || !queue) return 1;
  // The edge list is generated twice from the same seed: once to count each vertex's
  // edges, once to place them, so it is never stored whole.
  const uint64_t graph_seed = state;
  for (int pass = 0; pass < 2; pass++) {
    state = graph_seed;
    for (uint32_t e = 0; e < EDGES; e++) {
      Edge edge = random_edge();
      if (pass == 0)
        offset[edge.from + 1]++;
      else
        neighbours[fill[edge.from]++] = edge.to;
    }
    if (pass == 0) {
      for (uint32_t v = 0; v < VERTICES; v++) offset[v + 1] += offset[v];
      for (uint32_t v = 0; v < VERTICES; v++) fill[v] = offset[v];
    }
  }
  free(fill);

  uint64_t checksum = 0;
  for (int s = 0; s < SOURCES; s++) {
    for (uint32_t v = 0; v < VERTICES; v++) dist[v] = -1;
    uint32_t source = random32() % VERTICES, head = 0, tail = 0;
    dist[source] = 0;
    queue[tail++] = source;
    while (head < tail) {
      uint32_t v = queue[head++];
      for (uint32_t i = offset[v]; i < offset[v + 1]; i++) {
        uint32_t w = neighbours[i];
        if (dist[w] < 0) {
          dist[w] = dist[v] + 1;
          queue[tail++] = w;
        }
      }
    }
    uint64_t reached = tail, far = 0;
    for (uint32_t v = 0; v < VERTICES; v++)
      if (dist[v] > 0) far += (uint64_t)dist[v];
    checksum = checksum * 1000003u + reached * 31 + far;
  }
  printf("checksum %llu\n", (unsigned long long)checksum);
  free(offset);
  free(neighbours);
  free(dist);
  free(queue);
  return 0;
}
