// Parsing CSV text by hand: quoted fields with doubled quotes, integers and fixed-point
// decimals converted digit by digit, a running sum per column; the text is generated first
// with snprintf-free formatting.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROWS = 600000, COLUMNS = 6, PASSES = 36 };

static char* put_uint(char* p, uint32_t v) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *p++ = digits[--n];
  return p;
}

typedef struct {
  int64_t ids, cents, quoted_chars, negatives;
  uint32_t name_hash;
} Totals;

// Parses one field starting at p; returns the character after it (the ',' or '\n').
static const char* parse_field(const char* p, int column, Totals* t) {
  if (*p == '"') {
    p++;
    for (;;) {
      if (*p == '"') {
        if (p[1] == '"') {
          p += 2;
          t->quoted_chars++;
          t->name_hash = t->name_hash * 31 + '"';
          continue;
        }
        return p + 1;
      }
      t->name_hash = t->name_hash * 31 + (unsigned char)*p++;
      t->quoted_chars++;
    }
  }
  int negative = 0;
  if (*p == '-') {
    negative = 1;
    p++;
  }
  int64_t whole = 0;
  while (*p >= '0' && *p <= '9') whole = whole * 10 + (*p++ - '0');
  int64_t fraction = 0;
  if (*p == '.') {
    p++;
    for (int d = 0; d < 2; d++) fraction = fraction * 10 + (*p >= '0' && *p <= '9' ? *p++ - '0' : 0);
  }
  int64_t value = whole * 100 + fraction;
  if (negative) {
    value = -value;
    t->negatives++;
  }
  if (column == 0)
    t->ids += value / 100;
  else
    t->cents += value * column;
  return p;
}

int main(void) {
  static const char* const kNames[] = {"Smith", "O\"\"Brien", "Nguyen", "Dupont, Jr.", "Lee",
                                       "M\"\"Bala", "Garcia", "Kowalski"};
  size_t capacity = (size_t)ROWS * 80;
  char* text = malloc(capacity);
  if (!text) return 1;
  char* p = text;
  uint32_t seed = 5;
  for (uint32_t r = 0; r < ROWS; r++) {
    p = put_uint(p, r);
    for (int c = 1; c < COLUMNS; c++) {
      *p++ = ',';
      seed = seed * 1103515245u + 12345u;
      if (c == 2) {
        *p++ = '"';
        const char* name = kNames[(seed >> 16) % 8];
        size_t len = strlen(name);
        memcpy(p, name, len);
        p += len;
        *p++ = '"';
        continue;
      }
      if ((seed >> 16) % 7 == 0) *p++ = '-';
      p = put_uint(p, (seed >> 8) % 100000);
      if (c % 2) {
        *p++ = '.';
        uint32_t cents = (seed >> 4) % 100;
        *p++ = (char)('0' + cents / 10);
        *p++ = (char)('0' + cents % 10);
      }
    }
    *p++ = '\n';
  }
  size_t length = (size_t)(p - text);
  *p = '\0';
  Totals t = {0, 0, 0, 0, 7};
  int64_t rows = 0;
  for (int pass = 0; pass < PASSES; pass++) {
    const char* q = text;
    while (q < text + length) {
      for (int c = 0;; c++) {
        q = parse_field(q, c, &t);
        if (*q++ == '\n') break;
      }
      rows++;
    }
  }
  printf("bytes %zu rows %lld ids %lld cents %lld quoted %lld negatives %lld names %08x\n",
         length, (long long)rows, (long long)t.ids, (long long)t.cents,
         (long long)t.quoted_chars, (long long)t.negatives, t.name_hash);
  free(text);
  return 0;
}
