// An unbalanced binary search tree of malloc'd nodes with random keys: inserts, lookups
// (half of them misses), deletions (with the in-order successor for two children), an
// in-order walk with an explicit stack, and the height.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// Sized so that the nodes stay in a core's L2 cache natively too: wasm32's pointers are
// half the size, and a larger structure would measure which of the two fits the cache.
enum { KEYS = 25000, LOOKUPS = 800000, ROUNDS = 8 };

typedef struct Tree {
  struct Tree *left, *right;
  uint32_t key;
  uint32_t count;
} Tree;

static uint64_t rng = 0xda3e39cb94b95bdbull;

static uint32_t next_key(void) {
  rng = rng * 2862933555777941757ull + 3037000493ull;
  return (uint32_t)(rng >> 35);  // 29-bit keys
}

static Tree* insert(Tree* root, uint32_t key) {
  Tree** link = &root;
  while (*link) {
    if (key == (*link)->key) {
      (*link)->count++;
      return root;
    }
    link = key < (*link)->key ? &(*link)->left : &(*link)->right;
  }
  Tree* t = malloc(sizeof(Tree));
  if (!t) exit(1);
  *t = (Tree){NULL, NULL, key, 1};
  *link = t;
  return root;
}

static const Tree* find(const Tree* t, uint32_t key) {
  while (t && t->key != key) t = key < t->key ? t->left : t->right;
  return t;
}

static Tree* erase(Tree* root, uint32_t key) {
  Tree** link = &root;
  while (*link && (*link)->key != key) link = key < (*link)->key ? &(*link)->left : &(*link)->right;
  Tree* t = *link;
  if (!t) return root;
  if (t->left && t->right) {  // move the successor's key here, delete the successor
    Tree** s = &t->right;
    while ((*s)->left) s = &(*s)->left;
    Tree* succ = *s;
    t->key = succ->key;
    t->count = succ->count;
    *s = succ->right;
    free(succ);
  } else {
    *link = t->left ? t->left : t->right;
    free(t);
  }
  return root;
}

static int height(const Tree* t) {
  if (!t) return 0;
  int l = height(t->left), r = height(t->right);
  return 1 + (l > r ? l : r);
}

static void destroy(Tree* t) {
  while (t) {  // rotate left children up so the recursion depth stays small
    if (t->left) {
      Tree* l = t->left;
      t->left = l->right;
      l->right = t;
      t = l;
    } else {
      Tree* r = t->right;
      free(t);
      t = r;
    }
  }
}

int main(void) {
  uint32_t* keys = malloc(KEYS * sizeof(uint32_t));
  Tree** stack = malloc(KEYS * sizeof(Tree*));
  if (!keys || !stack) return 1;
  uint64_t checksum = 0;
  for (int round = 0; round < ROUNDS; round++) {
    Tree* root = NULL;
    for (int i = 0; i < KEYS; i++) root = insert(root, keys[i] = next_key());
    uint32_t hits = 0;
    for (int i = 0; i < LOOKUPS; i++) {
      uint32_t key = i % 2 ? keys[next_key() % KEYS] : next_key();
      const Tree* t = find(root, key);
      if (t) hits += t->count;
    }
    for (int i = 0; i < KEYS; i += 3) root = erase(root, keys[i]);
    uint64_t walk = 0, position = 0;
    int top = 0;
    for (Tree* t = root; t || top;) {  // in-order walk
      while (t) {
        stack[top++] = t;
        t = t->left;
      }
      t = stack[--top];
      walk += (uint64_t)t->key * (++position % 7 + 1);
      t = t->right;
    }
    checksum = checksum * 1000003u + hits + walk + (uint64_t)height(root);
    destroy(root);
  }
  printf("checksum %llu\n", (unsigned long long)checksum);
  free(keys);
  free(stack);
  return 0;
}
