/* kv: a key-value store over TCP, kept in an SQLite database (lunatic::sqlite); a process
 * per client.
 *
 *     LUNATIC_DIRS=/var/lib/kv::/data ./kv /data/kv.db [PORT [ADDRESS]]   (7070 127.0.0.1)
 *     nc localhost 7070
 *
 * The protocol is a line per request, a line per answer:
 *     SET key value   ->  OK                 (the value is the rest of the line)
 *     GET key         ->  VALUE value  |  NONE
 *     DEL key         ->  DELETED 0|1
 *     COUNT           ->  COUNT n
 *     QUIT            ->  BYE, and the connection closes
 *     anything else   ->  ERROR what was wrong
 *
 * Processes:
 *   - the root opens nothing itself: it spawns the store, binds the port and, for each
 *     connection, spawns a client process and hands it the stream in a message;
 *   - the store, registered as "kv.store", owns the one connection to the database, which
 *     it opens beneath the directory it was granted (the database path must lie in one:
 *     nothing else of the host can be reached), with a statement prepared for each request
 *     kind and reused; it answers one request at a time, so writes never meet a busy lock.
 *     The database is in WAL mode with synchronous=NORMAL: a commit appends to the log and
 *     does not wait for the disk (a crash may lose the last commits, never the database);
 *   - a client process reads its client's lines and asks the store for each, then writes
 *     the answer. It may not listen, connect, spawn, nor open files (no directory granted):
 *     a client that crashes its process takes nothing else with it.
 * SQLite work runs off the worker threads (the runtime parks the store meanwhile), so slow
 * disks never stall the client processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lunatic.h"
#include "lunatic_sqlite.h"

LUNATIC_SQLITE_ALLOCATOR

enum {
  KEY_MAX = 256,
  VALUE_MAX = 1024,
  LINE_MAX = 4 + KEY_MAX + 1 + VALUE_MAX + 2,
  STORE_TIMEOUT_MS = 10000,
  TAG_STREAM = 1,
  TAG_STORE_LINK = 2,
  TAG_REQUEST = 3,
};

#define STORE_NAME "kv.store"

/* ---- Requests to the store: [op][client pid: 8][key length: 4][key][value] ---------- */

enum { OP_SET = 'S', OP_GET = 'G', OP_DEL = 'D', OP_COUNT = 'C' };

typedef struct {
  uint8_t op;
  uint8_t client[8];
  uint8_t key_length[4];
  char text[KEY_MAX + VALUE_MAX];
} request;

/* An answer: [status][text]; status 0 ok, 1 none, 2 error. */
typedef struct {
  uint8_t status;
  char text[VALUE_MAX + 1];
} answer;

/* ---- The store ----------------------------------------------------------------------------- */

typedef struct {
  uint64_t db, set, get, del, count;
} store;

static uint64_t prepare(uint64_t db, const char* sql) {
  return lunatic_raw_sqlite_query_prepare(db, sql, strlen(sql));
}

/* Runs the prepared statement with its binds; fills `out` from the first column of its row. */
static void run(uint64_t st, lunatic_sqlite_binds* b, answer* out) {
  lunatic_sqlite_bind(st, b);
  out->status = 1;
  out->text[0] = '\0';
  if (lunatic_raw_sqlite_sqlite3_step(st) == LUNATIC_SQLITE_ROW) {
    lunatic_sqlite_reply reply = lunatic_sqlite_read_column(st, 0);
    lunatic_sqlite_reader in = lunatic_sqlite_reader_of(reply);
    lunatic_sqlite_value v;
    if (lunatic_sqlite_next_value(&in, &v)) {
      out->status = 0;
      if (v.type == LUNATIC_SQLITE_TEXT) snprintf(out->text, sizeof out->text, "%.*s", (int)v.length, (const char*)v.bytes);
      if (v.type == LUNATIC_SQLITE_INTEGER) snprintf(out->text, sizeof out->text, "%lld", (long long)v.integer);
    }
  }
  lunatic_raw_sqlite_statement_reset(st);
}

static size_t serve_request(store* s, const request* r, size_t size, answer* out) {
  uint32_t key_length;
  memcpy(&key_length, r->key_length, 4);
  size_t header = offsetof(request, text);
  lunatic_sqlite_binds b = {0};
  if (size < header || key_length > size - header || key_length > KEY_MAX) {
    out->status = 2;
    snprintf(out->text, sizeof out->text, "malformed request");
  } else {
    const char* key = r->text;
    const char* value = r->text + key_length;
    size_t value_length = size - header - key_length;
    switch (r->op) {
      case OP_SET:
        lunatic_sqlite_bind_text(&b, 1, key, key_length);
        lunatic_sqlite_bind_text(&b, 2, value, value_length);
        run(s->set, &b, out);
        out->status = 0;
        break;
      case OP_GET:
        lunatic_sqlite_bind_text(&b, 1, key, key_length);
        run(s->get, &b, out);
        break;
      case OP_DEL:
        lunatic_sqlite_bind_text(&b, 1, key, key_length);
        run(s->del, &b, out);
        out->status = 0;
        snprintf(out->text, sizeof out->text, "%u", lunatic_raw_sqlite_sqlite3_changes(s->db));
        break;
      case OP_COUNT:
        run(s->count, &b, out);
        break;
      default:
        out->status = 2;
        snprintf(out->text, sizeof out->text, "unknown request");
    }
  }
  lunatic_sqlite_binds_free(&b);
  return 1 + strlen(out->text);
}

/* The store's argument: the database path, sent as its first message. */
LUNATIC_ENTRY(store_process) {
  char path[512];
  lunatic_message_info info;
  if (lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, path, sizeof path - 1, &info) != LUNATIC_RECEIVE_DATA) return;
  path[info.copied] = '\0';
  store s;
  if (lunatic_raw_sqlite_open(path, strlen(path), &s.db) != 0) {
    char why[300];
    lunatic_error_string(s.db, why, sizeof why);
    fprintf(stderr, "kv: cannot open %s: %s\n", path, why);
    exit(1);
  }
  const char* schema = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT)";
  if (lunatic_raw_sqlite_execute(s.db, schema, strlen(schema)) != 0) {
    fprintf(stderr, "kv: cannot make the table in %s\n", path);
    exit(1);
  }
  s.set = prepare(s.db, "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  s.get = prepare(s.db, "SELECT value FROM kv WHERE key = ?");
  s.del = prepare(s.db, "DELETE FROM kv WHERE key = ?");
  s.count = prepare(s.db, "SELECT count(*) FROM kv");
  lunatic_registry_put(STORE_NAME, lunatic_self());
  for (;;) {
    request r;
    if (lunatic_receive((const lunatic_tag[]){TAG_REQUEST}, 1, LUNATIC_WAIT_FOREVER, &r, sizeof r, &info) !=
        LUNATIC_RECEIVE_DATA) {
      continue;
    }
    uint64_t client;
    memcpy(&client, r.client, 8);
    answer a;
    size_t length = serve_request(&s, &r, info.copied, &a);
    lunatic_send(client, TAG_REQUEST, &a, length);
  }
}

/* ---- A client ------------------------------------------------------------------------------ */

static bool write_all(lunatic_tcp_stream stream, const char* text) {
  uint64_t written;
  return lunatic_tcp_write(stream, text, strlen(text), &written) == LUNATIC_NET_OK;
}

/* Asks the store; writes its answer to the client as a line starting with `ok`. */
static bool ask(lunatic_tcp_stream stream, lunatic_process_id store_pid, uint8_t op, const char* key,
                size_t key_length, const char* value, size_t value_length, const char* ok) {
  request r;
  r.op = op;
  uint64_t self = lunatic_self();
  memcpy(r.client, &self, 8);
  uint32_t length = (uint32_t)key_length;
  memcpy(r.key_length, &length, 4);
  memcpy(r.text, key, key_length);
  memcpy(r.text + key_length, value, value_length);
  answer a;
  lunatic_message_info info;
  if (lunatic_request(store_pid, TAG_REQUEST, &r, offsetof(request, text) + key_length + value_length,
                      STORE_TIMEOUT_MS, &a, sizeof a - 1, &info) != LUNATIC_RECEIVE_DATA || info.copied < 1) {
    return write_all(stream, "ERROR the store does not answer\n");
  }
  a.text[info.copied - 1] = '\0';
  char line[LINE_MAX + 16];
  if (a.status == 0) snprintf(line, sizeof line, "%s%s%s\n", ok, *a.text ? " " : "", a.text);
  else if (a.status == 1) snprintf(line, sizeof line, "NONE\n");
  else snprintf(line, sizeof line, "ERROR %s\n", a.text);
  return write_all(stream, line);
}

/* Acts on one line; false when the client is done. */
static bool client_line(lunatic_tcp_stream stream, lunatic_process_id store_pid, char* line) {
  char* rest = strchr(line, ' ');
  if (rest) *rest++ = '\0';
  char* key = rest;
  char* value = NULL;
  if (key && (value = strchr(key, ' '))) *value++ = '\0';
  size_t key_length = key ? strlen(key) : 0;
  if (key_length > KEY_MAX || (value && strlen(value) > VALUE_MAX)) return write_all(stream, "ERROR too long\n");
  if (!strcmp(line, "SET") && key_length && value) {
    return ask(stream, store_pid, OP_SET, key, key_length, value, strlen(value), "OK");
  }
  if (!strcmp(line, "GET") && key_length && !value) return ask(stream, store_pid, OP_GET, key, key_length, "", 0, "VALUE");
  if (!strcmp(line, "DEL") && key_length && !value) return ask(stream, store_pid, OP_DEL, key, key_length, "", 0, "DELETED");
  if (!strcmp(line, "COUNT") && !key) return ask(stream, store_pid, OP_COUNT, "", 0, "", 0, "COUNT");
  if (!strcmp(line, "QUIT") && !key) {
    write_all(stream, "BYE\n");
    return false;
  }
  return write_all(stream, "ERROR unknown request; try SET key value, GET key, DEL key, COUNT, QUIT\n");
}

LUNATIC_ENTRY(client) {
  lunatic_message_info info;
  if (lunatic_receive((const lunatic_tag[]){TAG_STREAM}, 1, LUNATIC_WAIT_FOREVER, NULL, 0, &info) != LUNATIC_RECEIVE_DATA) return;
  lunatic_tcp_stream stream = lunatic_message_take_tcp_stream(0);
  lunatic_process_id store_pid;
  if (!lunatic_registry_get(STORE_NAME, &store_pid, NULL)) {
    write_all(stream, "ERROR the store is not running\n");
    return;
  }
  char line[LINE_MAX + 1];
  size_t used = 0;
  bool too_long = false;
  char buf[512];
  for (;;) {
    uint64_t got = 0;
    if (lunatic_tcp_read(stream, buf, sizeof buf, &got) != LUNATIC_NET_OK || got == 0) return;
    for (uint64_t i = 0; i < got; ++i) {
      char c = buf[i];
      if (c == '\r') continue;
      if (c != '\n') {
        if (used < LINE_MAX) line[used++] = c;
        else too_long = true;
        continue;
      }
      line[used] = '\0';
      bool keep_going = too_long ? write_all(stream, "ERROR too long\n") : client_line(stream, store_pid, line);
      used = 0;
      too_long = false;
      if (!keep_going) return;
    }
  }
}

/* ---- The root ------------------------------------------------------------------------------ */

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    fputs("usage: kv DATABASE [PORT [ADDRESS]]   (7070 127.0.0.1); DATABASE in a granted directory\n", stderr);
    return 2;
  }
  uint16_t port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 7070);
  const char* address = argc > 3 ? argv[3] : "127.0.0.1";

  /* The store keeps the root's directories (it needs the database's); linked, so that the
   * server ends if it fails. */
  lunatic_process_id store_pid;
  if (!lunatic_spawn_link("store_process", 0, TAG_STORE_LINK, &store_pid)) {
    fputs("kv: cannot spawn the store\n", stderr);
    return 1;
  }
  lunatic_send(store_pid, 0, argv[1], strlen(argv[1]));
  while (!lunatic_registry_get(STORE_NAME, &store_pid, NULL)) lunatic_sleep_ms(5);

  /* Clients: no files, no sockets of their own, no processes. */
  lunatic_config_id client_config = lunatic_config_create();
  lunatic_config_set_can_listen(client_config, false);
  lunatic_config_set_can_connect(client_config, false);

  lunatic_tcp_listener listener;
  if (!lunatic_tcp_bind(address, port, &listener)) {
    fputs("kv: cannot listen\n", stderr);
    return 1;
  }
  printf("kv: listening on %s port %u\n", address, port);
  fflush(stdout);
  for (;;) {
    lunatic_tcp_stream stream;
    if (!lunatic_tcp_accept(listener, &stream, NULL)) {
      lunatic_sleep_ms(100);
      continue;
    }
    lunatic_process_id client_pid;
    if (lunatic_spawn_config(client_config, LUNATIC_NO_TAG, "client", 0, &client_pid)) {
      lunatic_send_tcp_stream(client_pid, TAG_STREAM, stream, "", 0);
    } else {
      lunatic_error_drop(client_pid);
      lunatic_tcp_close(stream);
    }
  }
}
