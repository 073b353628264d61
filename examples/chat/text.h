/* text.h: the little text formatting the chat server needs, without printf.
 *
 * Why not snprintf: printf's machinery brings its tables (strerror's messages among them)
 * into the module's data, which every process copies into its memory when it starts. Kept
 * out, the data of a client process fits in one page, and 10,000 idle clients cost 40 MiB
 * less (docs/benchmarks.md, "Networking"). */
#ifndef CHAT_TEXT_H
#define CHAT_TEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Enough for any uint64_t in decimal and its NUL. */
#define TEXT_NUMBER_SIZE 21

/* Writes `value` in decimal into `digits`; returns it. */
static inline const char* text_number(uint64_t value, char digits[TEXT_NUMBER_SIZE]) {
  char reversed[TEXT_NUMBER_SIZE];
  size_t n = 0;
  do reversed[n++] = (char)('0' + value % 10); while ((value /= 10) != 0);
  for (size_t i = 0; i < n; ++i) digits[i] = reversed[n - 1 - i];
  digits[n] = '\0';
  return digits;
}

/* Copies the NUL-terminated strings that follow `out` and `cap`, up to a NULL, one after
 * another into `out`, cut to `cap` - 1 bytes and NUL-terminated (cap > 0); returns the
 * length written. */
static inline size_t text_join(char* out, size_t cap, ...) {
  va_list parts;
  va_start(parts, cap);
  size_t used = 0;
  for (const char* part = va_arg(parts, const char*); part; part = va_arg(parts, const char*)) {
    size_t n = strlen(part);
    if (n > cap - 1 - used) n = cap - 1 - used;
    memcpy(out + used, part, n);
    used += n;
  }
  va_end(parts);
  out[used] = '\0';
  return used;
}

/* A decimal number from 1 to `max`, nothing else; 0 if `text` is not one. */
static inline uint64_t text_parse_number(const char* text, uint64_t max) {
  uint64_t value = 0;
  if (!*text) return 0;
  for (; *text; ++text) {
    if (*text < '0' || *text > '9') return 0;
    value = value * 10 + (uint64_t)(*text - '0');
    if (value > max) return 0;
  }
  return value;
}

#endif
