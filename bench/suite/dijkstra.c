// Dijkstra's shortest paths with a binary min-heap that supports decrease-key (each vertex's
// heap position kept), over adjacency lists of edge structs linked per vertex.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { VERTICES = 200000, DEGREE = 6, SOURCES = 10 };

typedef struct Edge {
  struct Edge* next;
  int to;
  int weight;
} Edge;

typedef struct {
  int* vertex;    // heap of vertices ordered by dist
  int* position;  // where each vertex sits in the heap, -1 if absent
  int size;
  const long long* dist;
} Heap;

static void swap_at(Heap* h, int i, int j) {
  int a = h->vertex[i], b = h->vertex[j];
  h->vertex[i] = b;
  h->vertex[j] = a;
  h->position[b] = i;
  h->position[a] = j;
}

static void sift_up(Heap* h, int i) {
  while (i > 0) {
    int parent = (i - 1) / 2;
    if (h->dist[h->vertex[parent]] <= h->dist[h->vertex[i]]) break;
    swap_at(h, i, parent);
    i = parent;
  }
}

static void sift_down(Heap* h, int i) {
  for (;;) {
    int smallest = i, l = 2 * i + 1, r = l + 1;
    if (l < h->size && h->dist[h->vertex[l]] < h->dist[h->vertex[smallest]]) smallest = l;
    if (r < h->size && h->dist[h->vertex[r]] < h->dist[h->vertex[smallest]]) smallest = r;
    if (smallest == i) return;
    swap_at(h, i, smallest);
    i = smallest;
  }
}

static void push_or_decrease(Heap* h, int v) {
  if (h->position[v] < 0) {
    h->vertex[h->size] = v;
    h->position[v] = h->size++;
  }
  sift_up(h, h->position[v]);
}

static int pop_min(Heap* h) {
  int top = h->vertex[0];
  swap_at(h, 0, --h->size);
  h->position[top] = -1;
  sift_down(h, 0);
  return top;
}

int main(void) {
  Edge** first = calloc(VERTICES, sizeof(Edge*));
  long long* dist = malloc(VERTICES * sizeof(long long));
  Heap heap = {malloc(VERTICES * sizeof(int)), malloc(VERTICES * sizeof(int)), 0, dist};
  if (!first || !dist || !heap.vertex || !heap.position) return 1;
  uint32_t seed = 17;
  for (int v = 0; v < VERTICES; v++)
    for (int d = 0; d < DEGREE; d++) {
      Edge* e = malloc(sizeof(Edge));
      if (!e) return 1;
      seed = seed * 1664525u + 1013904223u;
      int hop = (seed >> 8) % 8 == 0 ? (int)((seed >> 4) % VERTICES) : (int)((seed >> 12) % 300);
      e->to = (v + hop) % VERTICES;
      seed = seed * 1664525u + 1013904223u;
      e->weight = 1 + (seed >> 20) % 1000;
      e->next = first[v];
      first[v] = e;
    }
  unsigned long long checksum = 0;
  for (int s = 0; s < SOURCES; s++) {
    for (int v = 0; v < VERTICES; v++) {
      dist[v] = -1;
      heap.position[v] = -1;
    }
    int source = (int)((unsigned)s * 7919u % VERTICES);
    dist[source] = 0;
    push_or_decrease(&heap, source);
    long long settled = 0, total = 0;
    while (heap.size > 0) {
      int v = pop_min(&heap);
      settled++;
      total += dist[v];
      for (const Edge* e = first[v]; e; e = e->next) {
        long long candidate = dist[v] + e->weight;
        if (dist[e->to] < 0 || candidate < dist[e->to]) {
          if (dist[e->to] >= 0 && heap.position[e->to] < 0) continue;  // already settled
          dist[e->to] = candidate;
          push_or_decrease(&heap, e->to);
        }
      }
    }
    checksum = checksum * 1000003u + (unsigned long long)(total ^ settled);
  }
  printf("checksum %llu\n", checksum);
  for (int v = 0; v < VERTICES; v++)
    for (Edge* e = first[v]; e;) {
      Edge* next = e->next;
      free(e);
      e = next;
    }
  free(first);
  free(dist);
  free(heap.vertex);
  free(heap.position);
  return 0;
}
