// A hash table with separate chaining keyed by strings: word counts over a generated text,
// nodes malloc'd with their key copied in, the bucket array doubled and rehashed as it
// fills; then lookups of present and absent words and removal of the rare ones.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WORDS = 1000000, ROUNDS = 9 };

typedef struct Entry {
  struct Entry* next;
  uint32_t hash;
  uint32_t count;
  char key[];
} Entry;

typedef struct {
  Entry** buckets;
  size_t mask, size;
} Table;

static uint32_t hash_string(const char* s, size_t n) {
  uint32_t h = 5381;
  for (size_t i = 0; i < n; i++) h = h * 33 + (unsigned char)s[i];
  return h ^ (h >> 15);
}

static void grow(Table* t) {
  size_t capacity = (t->mask + 1) * 2;
  Entry** buckets = calloc(capacity, sizeof(Entry*));
  if (!buckets) exit(1);
  for (size_t b = 0; b <= t->mask; b++)
    for (Entry* e = t->buckets[b]; e;) {
      Entry* next = e->next;
      e->next = buckets[e->hash & (capacity - 1)];
      buckets[e->hash & (capacity - 1)] = e;
      e = next;
    }
  free(t->buckets);
  t->buckets = buckets;
  t->mask = capacity - 1;
}

static Entry* lookup(const Table* t, const char* key, size_t n, uint32_t h) {
  for (Entry* e = t->buckets[h & t->mask]; e; e = e->next)
    if (e->hash == h && strncmp(e->key, key, n) == 0 && e->key[n] == '\0') return e;
  return NULL;
}

static void add(Table* t, const char* key, size_t n) {
  uint32_t h = hash_string(key, n);
  Entry* e = lookup(t, key, n, h);
  if (e) {
    e->count++;
    return;
  }
  e = malloc(sizeof(Entry) + n + 1);
  if (!e) exit(1);
  memcpy(e->key, key, n);
  e->key[n] = '\0';
  e->hash = h;
  e->count = 1;
  e->next = t->buckets[h & t->mask];
  t->buckets[h & t->mask] = e;
  if (++t->size > t->mask + 1) grow(t);
}

static void make_word(uint32_t r, char* out, size_t* n) {
  static const char kLetters[] = "etaoinshrdlucmfwypvbgkqjxz";
  size_t len = 2 + r % 7;
  r /= 7;
  for (size_t i = 0; i < len; i++) {
    out[i] = kLetters[(r % 26 * (r % 26)) / 26];  // skewed toward common letters
    r = r * 2654435761u + 12345u;
    r ^= r >> 13;
  }
  *n = len;
}

int main(void) {
  uint64_t checksum = 0;
  uint32_t seed = 99991;
  for (int round = 0; round < ROUNDS; round++) {
    Table t = {calloc(16, sizeof(Entry*)), 15, 0};
    if (!t.buckets) return 1;
    char word[16];
    size_t n;
    for (int i = 0; i < WORDS; i++) {
      seed = seed * 1103515245u + 12345u;
      // Zipf-like: small numbers (the same words) far more often than large ones.
      uint32_t r = (seed >> 8) % ((seed & 0xff) < 200 ? 5000 : 2000000);
      make_word(r, word, &n);
      add(&t, word, n);
    }
    uint64_t found = 0;
    for (int i = 0; i < WORDS; i++) {
      seed = seed * 1103515245u + 12345u;
      make_word((seed >> 8) % 3000000, word, &n);
      const Entry* e = lookup(&t, word, n, hash_string(word, n));
      if (e) found += e->count;
    }
    size_t removed = 0;
    for (size_t b = 0; b <= t.mask; b++)
      for (Entry** link = &t.buckets[b]; *link;) {
        if ((*link)->count == 1) {
          Entry* gone = *link;
          *link = gone->next;
          free(gone);
          removed++;
        } else {
          link = &(*link)->next;
        }
      }
    checksum = checksum * 1000003u + t.size * 7 + found + removed;
    for (size_t b = 0; b <= t.mask; b++)
      for (Entry* e = t.buckets[b]; e;) {
        Entry* next = e->next;
        free(e);
        e = next;
      }
    free(t.buckets);
  }
  printf("checksum %llu\n", (unsigned long long)checksum);
  return 0;
}
