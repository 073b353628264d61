// Binary trees: allocate complete binary trees of many depths with malloc, walk them, free
// them. Measures the allocator (wasi-libc's dlmalloc against glibc's natively) and pointer
// chasing.
#include <stdio.h>
#include <stdlib.h>

enum { MIN_DEPTH = 4, MAX_DEPTH = 18 };

typedef struct Node {
  struct Node *left, *right;
} Node;

static Node* build(int depth) {
  Node* node = malloc(sizeof(Node));
  if (!node) {
    printf("out of memory\n");
    exit(1);
  }
  if (depth > 0) {
    node->left = build(depth - 1);
    node->right = build(depth - 1);
  } else {
    node->left = node->right = NULL;
  }
  return node;
}

static int count(const Node* node) {
  return node->left ? 1 + count(node->left) + count(node->right) : 1;
}

static void release(Node* node) {
  if (node->left) {
    release(node->left);
    release(node->right);
  }
  free(node);
}

int main(void) {
  long long total = 0;
  Node* stretch = build(MAX_DEPTH + 1);
  total += count(stretch);
  release(stretch);

  Node* long_lived = build(MAX_DEPTH);
  for (int depth = MIN_DEPTH; depth <= MAX_DEPTH; depth += 2) {
    int iterations = 1 << (MAX_DEPTH - depth + MIN_DEPTH);
    long long nodes = 0;
    for (int i = 0; i < iterations; ++i) {
      Node* tree = build(depth);
      nodes += count(tree);
      release(tree);
    }
    total += nodes;
  }
  total += count(long_lived);
  release(long_lived);
  printf("%lld\n", total);
  return 0;
}
