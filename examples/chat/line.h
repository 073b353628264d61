/* line.h: turns the bytes a telnet client sends into clean lines of text.
 *
 * What arrives on a chat connection is not trusted: it may be a real telnet client's
 * negotiation, a netcat user's plain lines, or anything at all. The decoder is a byte-at-a-time
 * state machine that
 *   - drops telnet commands: IAC followed by a verb (WILL/WONT/DO/DONT and their option),
 *     a subnegotiation (IAC SB ... IAC SE), or any other two-byte command;
 *   - ends a line at CR or LF (telnet sends CR LF or CR NUL, netcat LF); empty lines vanish;
 *   - keeps printable ASCII, tabs as spaces, and well-formed UTF-8 other than the C1
 *     controls; every other byte becomes '?' or, for control bytes, disappears, so nothing a
 *     client types can drive another client's terminal (no escape sequences);
 *   - keeps at most LINE_MAX_TEXT bytes of a line and marks a longer one truncated: a client
 *     that sends a megabyte without a newline costs the server LINE_MAX_TEXT bytes.
 * It holds no pointers and allocates nothing: it lives on its process's stack. */
#ifndef CHAT_LINE_H
#define CHAT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_MAX_TEXT 400

enum {
  TELNET_SE = 240,
  TELNET_SB = 250,
  TELNET_WILL = 251,
  TELNET_DONT = 254,
  TELNET_IAC = 255,
};

typedef enum {
  LINE_TEXT,        /* ordinary bytes */
  LINE_IAC,         /* after IAC */
  LINE_OPTION,      /* after IAC WILL/WONT/DO/DONT: the option byte comes next */
  LINE_SUB,         /* inside IAC SB ...: dropped until IAC SE */
  LINE_SUB_IAC,     /* after IAC inside a subnegotiation */
} line_state;

typedef struct {
  line_state state;
  uint8_t utf8_left;    /* continuation bytes still expected of the character being read */
  uint8_t utf8_have;    /* bytes of it held in utf8[] */
  uint8_t utf8[4];
  bool truncated;       /* the line was longer than LINE_MAX_TEXT */
  size_t length;
  char text[LINE_MAX_TEXT + 1];
} line_decoder;

static inline void line_init(line_decoder* d) {
  d->state = LINE_TEXT;
  d->utf8_left = d->utf8_have = 0;
  d->truncated = false;
  d->length = 0;
  d->text[0] = '\0';
}

static inline void line_append(line_decoder* d, const uint8_t* bytes, size_t count) {
  /* Whole characters only, and nothing after the first that does not fit: a cut line is
   * a prefix of what was sent. */
  if (d->truncated || d->length + count > LINE_MAX_TEXT) {
    d->truncated = true;
    return;
  }
  for (size_t i = 0; i < count; ++i) d->text[d->length++] = (char)bytes[i];
  d->text[d->length] = '\0';
}

/* A UTF-8 character cut short by a byte that cannot continue it becomes one '?'. */
static inline void line_drop_partial(line_decoder* d) {
  if (d->utf8_have) {
    const uint8_t bad = '?';
    line_append(d, &bad, 1);
  }
  d->utf8_left = d->utf8_have = 0;
}

/* Bytes that may start a UTF-8 character: how many continuation bytes follow (0: invalid). */
static inline int line_utf8_tail(uint8_t byte) {
  if (byte >= 0xC2 && byte <= 0xDF) return 1;
  if (byte >= 0xE0 && byte <= 0xEF) return 2;
  if (byte >= 0xF0 && byte <= 0xF4) return 3;
  return 0;
}

/* Whether the collected character is well-formed and not a C1 control: no overlong forms,
 * no surrogates, nothing above U+10FFFF. */
static inline bool line_utf8_ok(const uint8_t* c, int n) {
  if (n == 2) return !(c[0] == 0xC2 && c[1] < 0xA0);  /* U+0080..U+009F are C1 controls */
  if (n == 3) {
    if (c[0] == 0xE0 && c[1] < 0xA0) return false;
    if (c[0] == 0xED && c[1] >= 0xA0) return false;
    return true;
  }
  if (c[0] == 0xF0 && c[1] < 0x90) return false;
  if (c[0] == 0xF4 && c[1] >= 0x90) return false;
  return true;
}

/* Feeds one byte of text (not a telnet command). Returns true when it ended a non-empty line:
 * the caller then takes d->text and d->truncated and calls line_next. */
static inline bool line_text_byte(line_decoder* d, uint8_t byte) {
  if (d->utf8_left) {
    if ((byte & 0xC0) == 0x80) {
      d->utf8[d->utf8_have++] = byte;
      if (--d->utf8_left == 0) {
        if (line_utf8_ok(d->utf8, d->utf8_have))
          line_append(d, d->utf8, d->utf8_have);
        else
          line_append(d, (const uint8_t*)"?", 1);
        d->utf8_have = 0;
      }
      return false;
    }
    line_drop_partial(d);  /* and read this byte afresh */
  }
  if (byte == '\r' || byte == '\n') return d->length > 0 || d->truncated;
  if (byte == '\t') byte = ' ';
  if (byte >= 0x20 && byte < 0x7F) {
    line_append(d, &byte, 1);
  } else if (byte >= 0x80) {
    int tail = line_utf8_tail(byte);
    if (tail) {
      d->utf8[0] = byte;
      d->utf8_have = 1;
      d->utf8_left = (uint8_t)tail;
    } else {
      line_append(d, (const uint8_t*)"?", 1);
    }
  }
  /* other control bytes (NUL after CR, ESC, BEL, DEL, ...) vanish */
  return false;
}

/* Starts the next line after line_byte returned true. */
static inline void line_next(line_decoder* d) {
  d->truncated = false;
  d->length = 0;
  d->text[0] = '\0';
  d->utf8_left = d->utf8_have = 0;
}

/* Feeds one byte from the connection; true when a line is complete (see line_text_byte). */
static inline bool line_byte(line_decoder* d, uint8_t byte) {
  switch (d->state) {
    case LINE_TEXT:
      if (byte == TELNET_IAC) {
        d->state = LINE_IAC;
        return false;
      }
      return line_text_byte(d, byte);
    case LINE_IAC:
      if (byte == TELNET_SB)
        d->state = LINE_SUB;
      else if (byte >= TELNET_WILL && byte <= TELNET_DONT)
        d->state = LINE_OPTION;
      else
        d->state = LINE_TEXT;  /* a two-byte command, or IAC IAC: a literal 255, not text */
      return false;
    case LINE_OPTION:
      d->state = LINE_TEXT;
      return false;
    case LINE_SUB:
      if (byte == TELNET_IAC) d->state = LINE_SUB_IAC;
      return false;
    case LINE_SUB_IAC:
      d->state = byte == TELNET_SE ? LINE_TEXT : LINE_SUB;
      return false;
  }
  return false;
}

#endif
