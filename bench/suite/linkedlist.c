// Singly linked lists of malloc'd nodes: built by pushing at the head, merge-sorted by
// relinking (bottom-up, no recursion), reversed, filtered (every node whose value is a
// multiple of 3 unlinked and freed), then walked many times.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// Sized so that the nodes stay in a core's L2 cache natively too: wasm32's pointers are
// half the size, and a larger structure would measure which of the two fits the cache.
enum { NODES = 16000, ROUNDS = 250, WALKS = 20 };

typedef struct Node {
  struct Node* next;
  uint32_t value;
  uint32_t order;
} Node;

static Node* merge(Node* a, Node* b) {
  Node head, *tail = &head;
  while (a && b) {
    if (b->value < a->value) {
      tail->next = b;
      b = b->next;
    } else {
      tail->next = a;
      a = a->next;
    }
    tail = tail->next;
  }
  tail->next = a ? a : b;
  return head.next;
}

// Bottom-up: merge runs of width 1, 2, 4, ... walking the list each time.
static Node* sort(Node* list, size_t n) {
  for (size_t width = 1; width < n; width *= 2) {
    Node head = {list, 0, 0}, *tail = &head, *rest = list;
    while (rest) {
      Node* a = rest;
      for (size_t i = 1; i < width && rest->next; i++) rest = rest->next;
      Node* b = rest->next;
      rest->next = NULL;
      rest = b;
      for (size_t i = 1; i < width && rest && rest->next; i++) rest = rest->next;
      if (rest) {
        Node* after = rest->next;
        rest->next = NULL;
        rest = after;
      }
      tail->next = merge(a, b);
      while (tail->next) tail = tail->next;
    }
    list = head.next;
  }
  return list;
}

static Node* reverse(Node* list) {
  Node* out = NULL;
  while (list) {
    Node* next = list->next;
    list->next = out;
    out = list;
    list = next;
  }
  return out;
}

int main(void) {
  uint32_t seed = 2463534242u;
  uint64_t checksum = 0;
  for (int round = 0; round < ROUNDS; round++) {
    Node* list = NULL;
    for (uint32_t i = 0; i < NODES; i++) {
      Node* n = malloc(sizeof(Node));
      if (!n) return 1;
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      n->value = seed % 10000000;
      n->order = i;
      n->next = list;
      list = n;
    }
    list = reverse(sort(list, NODES));
    size_t kept = 0;
    for (Node** link = &list; *link;) {
      if ((*link)->value % 3 == 0) {
        Node* gone = *link;
        *link = gone->next;
        free(gone);
      } else {
        link = &(*link)->next;
        kept++;
      }
    }
    for (int w = 0; w < WALKS; w++) {
      uint64_t sum = 0;
      for (const Node* n = list; n; n = n->next) sum += n->value ^ n->order;
      checksum = checksum * 1000003u + sum;
    }
    checksum += kept;
    while (list) {
      Node* next = list->next;
      free(list);
      list = next;
    }
  }
  printf("checksum %llu\n", (unsigned long long)checksum);
  return 0;
}
