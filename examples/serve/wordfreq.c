// wordfreq: the most frequent words of its input, a text filter that also works as a web
// endpoint when served with `lunaticc --serve` (see CMakeLists.txt next to it):
//   wordfreq < book.txt                              the 10 most frequent words, "count word"
//   curl --data-binary @book.txt 'localhost:8080/?top=3&format=json'
// Served, the query string picks how many words (top=N) and the format (format=json, which
// sets the answer's Content-Type through a CGI header block).
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct word {
  char* text;
  unsigned long count;
};

static struct word* words;
static size_t word_count, word_capacity;

static void count(const char* text) {
  for (size_t i = 0; i < word_count; ++i) {
    if (strcmp(words[i].text, text) == 0) {
      ++words[i].count;
      return;
    }
  }
  if (word_count == word_capacity) {
    word_capacity = word_capacity ? word_capacity * 2 : 64;
    words = realloc(words, word_capacity * sizeof *words);
    if (!words) exit(1);
  }
  words[word_count].text = strdup(text);
  words[word_count].count = 1;
  ++word_count;
}

static int by_count(const void* a, const void* b) {
  const struct word *x = a, *y = b;
  if (x->count != y->count) return x->count < y->count ? 1 : -1;
  return strcmp(x->text, y->text);
}

// The value of `key` in a query string "a=1&b=2", or NULL.
static const char* parameter(const char* query, const char* key, char* value, size_t size) {
  size_t key_length = strlen(key);
  for (const char* p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
    if (strncmp(p, key, key_length) == 0 && p[key_length] == '=') {
      size_t n = strcspn(p + key_length + 1, "&");
      if (n >= size) n = size - 1;
      memcpy(value, p + key_length + 1, n);
      value[n] = 0;
      return value;
    }
  }
  return NULL;
}

int main(void) {
  char word[64];
  size_t length = 0;
  for (int c; (c = getchar()) != EOF;) {
    if (isalnum(c) || c == '\'') {
      if (length < sizeof word - 1) word[length++] = (char)tolower(c);
    } else if (length) {
      word[length] = 0;
      count(word);
      length = 0;
    }
  }
  if (length) {
    word[length] = 0;
    count(word);
  }
  qsort(words, word_count, sizeof *words, by_count);

  const char* query = getenv("QUERY_STRING");
  char value[32];
  size_t top = 10;
  if (parameter(query, "top", value, sizeof value)) top = strtoul(value, NULL, 10);
  if (top > word_count) top = word_count;
  int json = parameter(query, "format", value, sizeof value) && strcmp(value, "json") == 0;
  if (json) {
    printf("Content-Type: application/json\n\n[");
    for (size_t i = 0; i < top; ++i) {
      printf("%s{\"word\":\"%s\",\"count\":%lu}", i ? "," : "", words[i].text, words[i].count);
    }
    printf("]\n");
  } else {
    for (size_t i = 0; i < top; ++i) printf("%lu %s\n", words[i].count, words[i].text);
  }
  return 0;
}
