/* lunatic_sqlite.h: lunatic::sqlite for C guests, over lunatic.h's raw imports: bind lists
 * to write and replies to read, in upstream's wire format (Rust's bincode: integers
 * little-endian and fixed-width, lengths and counts u64, enum tags u32).
 *
 * The host hands values back (read_row, read_column, column_names, column_name, last_error)
 * in memory it asks the guest for through an exported function lunatic_alloc(len): a program
 * that reads them defines it once, at file scope, with LUNATIC_SQLITE_ALLOCATOR. A reply
 * lives in one buffer the program keeps for all of them, as sqlite3_column_text's value
 * lives until the next step: it stays valid until the next reply; copy what you keep, and
 * do not free it (no malloc and free for each row).
 *
 *     uint64_t db;
 *     if (lunatic_raw_sqlite_open("/data/kv.db", 11, &db) != 0) ... db is an error id ...
 *     lunatic_raw_sqlite_execute(db, sql, strlen(sql));      -> 0 or SQLite's result code
 *     uint64_t st = lunatic_raw_sqlite_query_prepare(db, sql, strlen(sql));
 *     lunatic_sqlite_binds b = {0};
 *     lunatic_sqlite_bind_text(&b, 1, key, strlen(key));
 *     lunatic_sqlite_bind(st, &b);
 *     while (lunatic_raw_sqlite_sqlite3_step(st) == LUNATIC_SQLITE_ROW) {
 *       lunatic_sqlite_reply row = lunatic_sqlite_read_row(st);
 *       ... lunatic_sqlite_reader, lunatic_sqlite_next_value ...
 *     }
 *     lunatic_raw_sqlite_sqlite3_finalize(st);
 */
#ifndef LUNATIC_SDK_LUNATIC_SQLITE_H
#define LUNATIC_SDK_LUNATIC_SQLITE_H

#include <stdlib.h>

#include "lunatic.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LUNATIC_SQLITE_ALLOCATOR                                                       \
  __attribute__((export_name("lunatic_alloc"))) void* lunatic_alloc(uint32_t size) { \
    return lunatic_sqlite_reply_room_(size);                                           \
  }

/* The reply buffer, grown (doubling) to hold `size` bytes; NULL if out of memory. */
static inline void* lunatic_sqlite_reply_room_(uint32_t size) {
  static uint8_t* buffer;
  static uint64_t capacity;
  if (size > capacity || !buffer) {
    uint64_t grown = capacity ? capacity : 256;
    while (grown < size) grown *= 2;
    free(buffer);
    buffer = (uint8_t*)malloc(grown);
    capacity = buffer ? grown : 0;
  }
  return buffer;
}

enum { LUNATIC_SQLITE_ROW = 100, LUNATIC_SQLITE_DONE = 101 };

/* A value's type in a reply (upstream's SqliteValue). */
enum {
  LUNATIC_SQLITE_NULL = 0,
  LUNATIC_SQLITE_BLOB = 1,
  LUNATIC_SQLITE_TEXT = 2,
  LUNATIC_SQLITE_DOUBLE = 3,
  LUNATIC_SQLITE_INTEGER = 4,
  LUNATIC_SQLITE_I64 = 5,
};

/* ---- Bind lists ---------------------------------------------------------------------- */

/* Values to bind, built up by the lunatic_sqlite_bind_* calls; start it zeroed. */
typedef struct {
  uint8_t* bytes;
  size_t length, capacity;
  uint64_t count;
} lunatic_sqlite_binds;

/* Room for `length` more bytes at the end of the list (the first call also makes room for
 * the count, which lunatic_sqlite_bind writes), or NULL if out of memory. Each value is
 * written at once into room made for all of it: binding a row is a few stores. */
static inline uint8_t* lunatic_sqlite_room_(lunatic_sqlite_binds* b, size_t length) {
  size_t start = b->length ? b->length : 8;
  if (start + length > b->capacity) {
    size_t capacity = b->capacity ? b->capacity : 64;
    while (capacity < start + length) capacity *= 2;
    uint8_t* bytes = (uint8_t*)realloc(b->bytes, capacity);
    if (!bytes) return NULL;
    b->bytes = bytes;
    b->capacity = capacity;
  }
  b->length = start + length;
  return b->bytes + start;
}
static inline uint8_t* lunatic_sqlite_store_u32_(uint8_t* at, uint32_t v) { memcpy(at, &v, 4); return at + 4; }
static inline uint8_t* lunatic_sqlite_store_u64_(uint8_t* at, uint64_t v) { memcpy(at, &v, 8); return at + 8; }

/* Adds an entry with `value_length` bytes of value and returns where they go, after its key:
 * the parameter `index` (1 is the first), or, with index 0, the named parameter `name` (with
 * its prefix: ":key"). NULL if out of memory. */
static inline uint8_t* lunatic_sqlite_entry_(lunatic_sqlite_binds* b, uint32_t index, const char* name,
                                             size_t value_length) {
  size_t name_length = index ? 0 : strlen(name);
  uint8_t* at = lunatic_sqlite_room_(b, 12 + name_length + value_length);
  if (!at) return NULL;
  b->count++;
  if (index) return lunatic_sqlite_store_u64_(lunatic_sqlite_store_u32_(at, 1), index);
  at = lunatic_sqlite_store_u64_(lunatic_sqlite_store_u32_(at, 2), name_length);
  memcpy(at, name, name_length);
  return at + name_length;
}

static inline bool lunatic_sqlite_bind_null(lunatic_sqlite_binds* b, uint32_t index) {
  uint8_t* at = lunatic_sqlite_entry_(b, index, NULL, 4);
  return at && lunatic_sqlite_store_u32_(at, 0);
}
static inline bool lunatic_sqlite_bind_int64(lunatic_sqlite_binds* b, uint32_t index, int64_t value) {
  uint8_t* at = lunatic_sqlite_entry_(b, index, NULL, 12);
  return at && lunatic_sqlite_store_u64_(lunatic_sqlite_store_u32_(at, 5), (uint64_t)value);
}
static inline bool lunatic_sqlite_bind_double(lunatic_sqlite_binds* b, uint32_t index, double value) {
  uint64_t bits;
  memcpy(&bits, &value, 8);
  uint8_t* at = lunatic_sqlite_entry_(b, index, NULL, 12);
  return at && lunatic_sqlite_store_u64_(lunatic_sqlite_store_u32_(at, 3), bits);
}
static inline bool lunatic_sqlite_bind_bytes_(lunatic_sqlite_binds* b, uint32_t index, const char* name, uint32_t tag,
                                              const void* data, size_t length) {
  uint8_t* at = lunatic_sqlite_entry_(b, index, name, 12 + length);
  if (!at) return false;
  at = lunatic_sqlite_store_u64_(lunatic_sqlite_store_u32_(at, tag), length);
  if (length) memcpy(at, data, length);
  return true;
}
static inline bool lunatic_sqlite_bind_text(lunatic_sqlite_binds* b, uint32_t index, const char* text, size_t length) {
  return lunatic_sqlite_bind_bytes_(b, index, NULL, 2, text, length);
}
static inline bool lunatic_sqlite_bind_blob(lunatic_sqlite_binds* b, uint32_t index, const void* data, size_t length) {
  return lunatic_sqlite_bind_bytes_(b, index, NULL, 1, data, length);
}
/* A text value for the named parameter `name`. */
static inline bool lunatic_sqlite_bind_named_text(lunatic_sqlite_binds* b, const char* name, const char* text,
                                                  size_t length) {
  return lunatic_sqlite_bind_bytes_(b, 0, name, 2, text, length);
}

/* Binds the values to the statement and empties `b` (its buffer is kept for reuse; free
 * it with lunatic_sqlite_binds_free). */
static inline void lunatic_sqlite_bind(uint64_t statement, lunatic_sqlite_binds* b) {
  if (!b->length && !lunatic_sqlite_room_(b, 0)) return;
  memcpy(b->bytes, &b->count, 8);
  lunatic_raw_sqlite_bind_value(statement, b->bytes, b->length);
  b->length = 0;
  b->count = 0;
}
static inline void lunatic_sqlite_binds_free(lunatic_sqlite_binds* b) {
  free(b->bytes);
  memset(b, 0, sizeof *b);
}

/* ---- Replies ----------------------------------------------------------------------------- */

/* What the host handed back: `data`, valid until the next reply, of `length` bytes. */
typedef struct {
  uint8_t* data;
  uint32_t length;
} lunatic_sqlite_reply;

/* The body of each function below: `call` writes the length to r.length. */
#define LUNATIC_SQLITE_REPLY_(call)                   \
  lunatic_sqlite_reply r;                             \
  r.data = (uint8_t*)(uintptr_t)(call);               \
  return r

static inline lunatic_sqlite_reply lunatic_sqlite_read_row(uint64_t statement) {
  LUNATIC_SQLITE_REPLY_(lunatic_raw_sqlite_read_row(statement, &r.length));
}
static inline lunatic_sqlite_reply lunatic_sqlite_read_column(uint64_t statement, uint32_t column) {
  LUNATIC_SQLITE_REPLY_(lunatic_raw_sqlite_read_column(statement, column, &r.length));
}
static inline lunatic_sqlite_reply lunatic_sqlite_column_names(uint64_t statement) {
  LUNATIC_SQLITE_REPLY_(lunatic_raw_sqlite_column_names(statement, &r.length));
}
/* The name's bytes alone (no length before them, no NUL after). */
static inline lunatic_sqlite_reply lunatic_sqlite_column_name(uint64_t statement, uint32_t column) {
  LUNATIC_SQLITE_REPLY_(lunatic_raw_sqlite_column_name(statement, column, &r.length));
}
static inline lunatic_sqlite_reply lunatic_sqlite_last_error(uint64_t connection) {
  LUNATIC_SQLITE_REPLY_(lunatic_raw_sqlite_last_error(connection, &r.length));
}

/* Reads a reply from its start. */
typedef struct {
  const uint8_t* at;
  const uint8_t* end;
} lunatic_sqlite_reader;

static inline lunatic_sqlite_reader lunatic_sqlite_reader_of(lunatic_sqlite_reply r) {
  lunatic_sqlite_reader in = {r.data, r.data + r.length};
  return in;
}
static inline bool lunatic_sqlite_take_(lunatic_sqlite_reader* in, void* out, size_t length) {
  if ((size_t)(in->end - in->at) < length) return false;
  memcpy(out, in->at, length);
  in->at += length;
  return true;
}
static inline bool lunatic_sqlite_next_u8(lunatic_sqlite_reader* in, uint8_t* out) { return lunatic_sqlite_take_(in, out, 1); }
static inline bool lunatic_sqlite_next_u32(lunatic_sqlite_reader* in, uint32_t* out) { return lunatic_sqlite_take_(in, out, 4); }
/* A count (a row's values, column_names' names). */
static inline bool lunatic_sqlite_next_u64(lunatic_sqlite_reader* in, uint64_t* out) { return lunatic_sqlite_take_(in, out, 8); }
/* A length-prefixed string or blob: points into the reply. */
static inline bool lunatic_sqlite_next_bytes(lunatic_sqlite_reader* in, const uint8_t** bytes, uint64_t* length) {
  if (!lunatic_sqlite_next_u64(in, length) || *length > (uint64_t)(in->end - in->at)) return false;
  *bytes = in->at;
  in->at += *length;
  return true;
}

typedef struct {
  uint32_t type;          /* LUNATIC_SQLITE_NULL ... */
  int64_t integer;        /* INTEGER, I64 */
  double real;            /* DOUBLE */
  const uint8_t* bytes;   /* TEXT, BLOB: into the reply */
  uint64_t length;
} lunatic_sqlite_value;

static inline bool lunatic_sqlite_next_value(lunatic_sqlite_reader* in, lunatic_sqlite_value* v) {
  memset(v, 0, sizeof *v);
  if (!lunatic_sqlite_next_u32(in, &v->type)) return false;
  switch (v->type) {
    case LUNATIC_SQLITE_NULL: return true;
    case LUNATIC_SQLITE_BLOB:
    case LUNATIC_SQLITE_TEXT: return lunatic_sqlite_next_bytes(in, &v->bytes, &v->length);
    case LUNATIC_SQLITE_DOUBLE: return lunatic_sqlite_take_(in, &v->real, 8);
    case LUNATIC_SQLITE_INTEGER:
    case LUNATIC_SQLITE_I64: return lunatic_sqlite_take_(in, &v->integer, 8);
    default: return false;
  }
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LUNATIC_SDK_LUNATIC_SQLITE_H */
