/* chat: a telnet chat server; a process per client, a process per channel.
 *
 *     ./chat [PORT [ADDRESS]]        (2323 on 127.0.0.1; ADDRESS 0.0.0.0 for every interface)
 *     telnet localhost 2323          (or: nc localhost 2323)
 *
 * Processes:
 *   - the root binds the port and accepts; for each connection it spawns a client process
 *     and hands it the stream in a message;
 *   - a client process reads what its client types, turns the bytes into clean lines
 *     (line.h) and acts on each: it answers commands itself and hands other lines to the
 *     channel the client talks in;
 *   - a channel process keeps its members, each with a clone of the member's stream, and
 *     writes what one member says to the others;
 *   - the coordinator, registered as "chat.coordinator", hands out names, makes channels and
 *     hands each join on to its channel.
 *
 * Several nodes (./chat --node NAME@HOST --cookie C [--join OTHER@HOST] PORT) serve one chat:
 * each has its own coordinator and channels, and a line said in a channel goes, through the
 * coordinators (registered under the same name on every node), to the channel of that name
 * on every other node, which writes it to its own members. Names and the channel list stay
 * each node's own.
 *
 * A channel lives while it has members: once the last has left (a client leaves every
 * channel it joined when it ends), the coordinator frees its name and the channel ends, so
 * clients that come and go cannot use the MAX_CHANNELS places up for good. Joins pass
 * through the coordinator for that: it knows how many it has handed a channel, the channel
 * says how many it has taken with each count of its members, and a channel is freed only
 * at a count of none with every join taken, so no join can reach a channel on its way out.
 *
 * Why channels write to their members' streams themselves: a process waits for one thing at
 * a time, and a client process spends its life waiting for its client to type. Were the
 * channels' lines messages to it, each client would need a second process to wait for them,
 * and an idle client would cost twice the memory (docs/benchmarks.md, "Networking").
 *
 * Nobody waits on a client. Every stream's write timeout is 0: a write that finds the
 * client's socket buffer full fails at once. A channel that cannot write a line to a member
 * (who stopped reading, or is gone) drops the member and ends its client process; a client
 * process whose own write fails ends. A client that floods the server is held back by TCP:
 * handing a line to a channel is a request, answered once the channel has written it to
 * every member, and only then does its process read on; nothing queues up in a mailbox.
 * Garbage or endless lines cost their client process some work and LINE_MAX_TEXT bytes. A
 * client process that ends for any reason, even a trap, is seen by monitors: the
 * coordinator frees its name and its channels drop it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line.h"
#include "lunatic.h"
#include "text.h"

enum {
  NICK_MAX = 24,
  CHANNEL_NAME_MAX = 32,   /* with the '#' */
  MAX_CHANNELS = 256,      /* on the server: a client cannot make memory grow without bound */
  MAX_JOINED = 8,          /* per client */
  TEXT_MAX = 512,          /* of any text between processes: a line and its prefix fit */
  CALL_TIMEOUT_MS = 5000,  /* for the coordinator or a channel to answer */
  CLIENT_MAX_MEMORY = 4 * 65536, /* a client process needs its initial 64 KiB */
};

#define COORDINATOR_NAME "chat.coordinator"

/* Message tags: TAG_CAST for one-way messages; a request carries a tag of its own, from
 * TAG_FIRST_CALL up, and its answer the same tag, so an answer that comes after its request
 * timed out is never taken for the answer to a later one. */
enum { TAG_CAST = 1, TAG_COORDINATOR_LINK = 2, TAG_FIRST_CALL = 16 };

typedef enum {
  OP_STREAM = 1, /* root -> client: its stream, at index 0 */
  OP_HELLO,      /* client -> coordinator (request): a new client; answer: its guest name */
  OP_NICK,       /* client -> coordinator (request): text wants to be its name; value: 1 ok */
  OP_LIST,       /* client -> coordinator (request): the channel list as text */
  OP_COUNT,      /* channel -> coordinator: value members now, joins taken so far */
  OP_SETUP,      /* coordinator -> channel: its name is text, pid: the coordinator */
  OP_JOIN,       /* client -> coordinator (request): join channel and nick in text ("#c nick"),
                    a stream clone at index 0; handed on to the channel (text: the nick),
                    which answers: value members, from the channel. Value 0 from the
                    coordinator: too many channels */
  OP_CLOSE,      /* coordinator -> channel: end (it has no members and no join on the way) */
  OP_SAY,        /* client -> channel (request): text to write to the others */
  OP_RENAME,     /* client -> channel: the member is now called text */
  OP_RELAY,      /* channel -> coordinator: a line said in it ("[#c] nick: ..."), for the
                    coordinators of the other nodes */
  OP_REMOTE,     /* coordinator -> other nodes' coordinators, and on to their channel of that
                    name: a line said on another node, to write to its members */
  OP_REPLY,      /* the answer to a request */
} chat_op;

/* Every message between the chat's processes: a fixed head, then text (not NUL-terminated
 * on the wire; only the bytes used are sent). */
typedef struct {
  uint32_t op;
  uint32_t value;
  lunatic_process_id from; /* who sent it: where answers and monitors point */
  lunatic_process_id pid;  /* a process the message is about */
  lunatic_tag reply_tag;   /* a request's: the tag its answer carries */
  uint64_t joins;          /* OP_COUNT: the joins the channel has taken */
  char text[TEXT_MAX + 1];
} chat_msg;

enum { MSG_HEAD = offsetof(chat_msg, text), MSG_MAX = MSG_HEAD + TEXT_MAX };

/* ---- Messages -------------------------------------------------------------------------- */

static void msg_set(chat_msg* m, chat_op op, uint32_t value, lunatic_process_id pid,
                    const char* text) {
  m->op = op;
  m->value = value;
  m->from = lunatic_self();
  m->pid = pid;
  m->reply_tag = 0;
  m->joins = 0;
  text_join(m->text, sizeof m->text, text ? text : "", NULL);
}

static size_t msg_size(const chat_msg* m) { return MSG_HEAD + strlen(m->text); }

static void msg_send(lunatic_process_id to, lunatic_tag tag, chat_op op, uint32_t value,
                     lunatic_process_id pid, const char* text) {
  chat_msg m;
  msg_set(&m, op, value, pid, text);
  lunatic_send(to, tag, &m, msg_size(&m));
}

/* Makes the received data a message: NUL-terminates its text (the buffer holds one more byte
 * than TEXT_MAX) and rejects what is too short to be one. */
static bool msg_received(lunatic_receive_status status, const lunatic_message_info* info,
                         chat_msg* m) {
  if (status != LUNATIC_RECEIVE_DATA || info->copied < MSG_HEAD) return false;
  m->text[info->copied - MSG_HEAD] = '\0';
  return true;
}

/* Waits for the next message; false for one that is not a chat message. A PROCESS_DIED
 * notice sets *died to the process that ended (else 0). */
static bool msg_next(chat_msg* m, lunatic_process_id* died) {
  lunatic_message_info info;
  lunatic_receive_status status = lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, m, MSG_MAX, &info);
  *died = status == LUNATIC_RECEIVE_PROCESS_DIED ? info.process : 0;
  return msg_received(status, &info, m);
}

/* Sends a request (a message to attach, if any, already pushed with `attach`) and waits for
 * its answer in *answer; false after CALL_TIMEOUT_MS. `next_tag` is the caller's counter of
 * request tags. */
static bool msg_call_with(lunatic_tag* next_tag, lunatic_process_id to, chat_op op,
                          const char* text, lunatic_tcp_stream attach, chat_msg* answer) {
  chat_msg m;
  msg_set(&m, op, 0, 0, text);
  m.reply_tag = (*next_tag)++;
  lunatic_message_create(m.reply_tag, &m, msg_size(&m));
  if (attach) lunatic_message_push_tcp_stream(attach);
  if (lunatic_raw_message_send_receive_skip_search(to, m.reply_tag, CALL_TIMEOUT_MS) == LUNATIC_TIMEOUT)
    return false;
  lunatic_message_info info;
  lunatic_message_info_fill(LUNATIC_RECEIVE_DATA, answer, MSG_MAX, &info);
  return msg_received(LUNATIC_RECEIVE_DATA, &info, answer) && answer->op == OP_REPLY;
}

static bool msg_call(lunatic_tag* next_tag, lunatic_process_id to, chat_op op, const char* text,
                     chat_msg* answer) {
  return msg_call_with(next_tag, to, op, text, 0, answer);
}

static void msg_reply(const chat_msg* request, uint32_t value, lunatic_process_id pid,
                      const char* text) {
  if (request->reply_tag >= TAG_FIRST_CALL)
    msg_send(request->from, request->reply_tag, OP_REPLY, value, pid, text);
}

/* ---- Streams -------------------------------------------------------------------------- */

/* Writes all of `data`; false if the client is gone or its socket buffer is full (the write
 * timeout is 0). */
static bool stream_write(lunatic_tcp_stream stream, const char* data, size_t len) {
  uint64_t result;
  lunatic_net_status status = lunatic_tcp_write(stream, data, len, &result);
  if (status == LUNATIC_NET_ERROR) lunatic_error_drop(result);
  return status == LUNATIC_NET_OK;
}

/* Writes `text` and telnet's end of line; as stream_write. */
static bool stream_write_line(lunatic_tcp_stream stream, const char* text) {
  char line[TEXT_MAX + 3];
  size_t n = text_join(line, TEXT_MAX + 1, text, NULL);
  memcpy(line + n, "\r\n", 2);
  return stream_write(stream, line, n + 2);
}

/* Reads what has arrived, waiting for something; 0 at the end of the stream or on error. */
static size_t stream_read(lunatic_tcp_stream stream, void* buf, size_t cap) {
  uint64_t result;
  lunatic_net_status status = lunatic_tcp_read(stream, buf, cap, &result);
  if (status == LUNATIC_NET_OK) return (size_t)result;
  if (status == LUNATIC_NET_ERROR) lunatic_error_drop(result);
  return 0;
}

/* ---- Names ----------------------------------------------------------------------------- */

static bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

/* 1 to `max` letters, digits, '-' or '_'. */
static bool name_valid(const char* name, size_t max) {
  size_t n = strlen(name);
  if (n == 0 || n > max) return false;
  for (size_t i = 0; i < n; ++i)
    if (!name_char(name[i])) return false;
  return true;
}

/* Names "guest" followed by digits are handed out by the coordinator, never taken. */
static bool nick_reserved(const char* nick) {
  return strncmp(nick, "guest", 5) == 0 && text_parse_number(nick + 5, UINT64_MAX / 10) != 0;
}

/* ---- The coordinator ------------------------------------------------------------------- */

/* Clients by process id: open addressing with linear probing; deletion shifts entries back,
 * so no tombstones pile up as clients come and go. */
typedef struct {
  lunatic_process_id pid; /* 0: free */
  char nick[NICK_MAX + 1];
} user;

typedef struct {
  user* slots;
  size_t capacity; /* a power of two */
  size_t count;
} user_table;

static size_t user_home(const user_table* t, lunatic_process_id pid) {
  return (size_t)((pid * 0x9E3779B97F4A7C15ull) >> 20) & (t->capacity - 1);
}

static user* user_find(const user_table* t, lunatic_process_id pid) {
  if (!t->capacity) return NULL;
  for (size_t i = user_home(t, pid);; i = (i + 1) & (t->capacity - 1)) {
    if (t->slots[i].pid == pid) return &t->slots[i];
    if (t->slots[i].pid == 0) return NULL;
  }
}

static void user_put(user_table* t, lunatic_process_id pid, const char* nick);

static void user_grow(user_table* t) {
  size_t capacity = t->capacity ? t->capacity * 2 : 1024;
  user_table bigger = {calloc(capacity, sizeof(user)), capacity, 0};
  if (!bigger.slots) abort(); /* the coordinator fails; the root, linked, with it */
  for (size_t i = 0; i < t->capacity; ++i)
    if (t->slots[i].pid) user_put(&bigger, t->slots[i].pid, t->slots[i].nick);
  free(t->slots);
  *t = bigger;
}

static void user_put(user_table* t, lunatic_process_id pid, const char* nick) {
  if ((t->count + 1) * 2 > t->capacity) user_grow(t);
  size_t i = user_home(t, pid);
  while (t->slots[i].pid != 0 && t->slots[i].pid != pid) i = (i + 1) & (t->capacity - 1);
  if (t->slots[i].pid == 0) ++t->count;
  t->slots[i].pid = pid;
  text_join(t->slots[i].nick, sizeof t->slots[i].nick, nick, NULL);
}

static void user_remove(user_table* t, lunatic_process_id pid) {
  user* hole = user_find(t, pid);
  if (!hole) return;
  size_t mask = t->capacity - 1, i = (size_t)(hole - t->slots);
  hole->pid = 0;
  --t->count;
  /* Moves back every later entry of the run whose home is not between the hole and it. */
  for (size_t j = (i + 1) & mask; t->slots[j].pid; j = (j + 1) & mask) {
    size_t home = user_home(t, t->slots[j].pid);
    if (((j - home) & mask) >= ((j - i) & mask)) {
      t->slots[i] = t->slots[j];
      t->slots[j].pid = 0;
      i = j;
    }
  }
}

/* Whether another client than `pid` is called `nick`: a scan, as renames are rare. */
static bool nick_taken(const user_table* t, const char* nick, lunatic_process_id pid) {
  for (size_t i = 0; i < t->capacity; ++i)
    if (t->slots[i].pid && t->slots[i].pid != pid && strcmp(t->slots[i].nick, nick) == 0)
      return true;
  return false;
}

typedef struct {
  char name[CHANNEL_NAME_MAX + 1];
  lunatic_process_id pid;
  uint32_t members;    /* as the channel last said */
  uint64_t joins_sent; /* joins handed to it */
} channel_entry;

typedef struct {
  user_table users;
  uint64_t next_guest;
  channel_entry channels[MAX_CHANNELS];
  size_t channel_count;
} coordinator_state;

static void coordinator_hello(coordinator_state* s, const chat_msg* m) {
  char digits[TEXT_NUMBER_SIZE], nick[NICK_MAX + 1];
  text_join(nick, sizeof nick, "guest", text_number(s->next_guest++, digits), NULL);
  user_put(&s->users, m->from, nick);
  lunatic_monitor(m->from);
  msg_reply(m, 1, 0, nick);
}

static channel_entry* channel_named(coordinator_state* s, const char* name) {
  for (size_t i = 0; i < s->channel_count; ++i)
    if (strcmp(s->channels[i].name, name) == 0) return &s->channels[i];
  return NULL;
}

static channel_entry* channel_of(coordinator_state* s, lunatic_process_id pid) {
  for (size_t i = 0; i < s->channel_count; ++i)
    if (s->channels[i].pid == pid) return &s->channels[i];
  return NULL;
}

/* A new channel process named `name`; NULL if there are too many. */
static channel_entry* channel_make(coordinator_state* s, const char* name) {
  lunatic_process_id pid = 0;
  if (s->channel_count == MAX_CHANNELS || !LUNATIC_SPAWN(channel, 0, &pid)) return NULL;
  lunatic_monitor(pid); /* should it fail, its name is freed */
  channel_entry* c = &s->channels[s->channel_count++];
  text_join(c->name, sizeof c->name, name, NULL);
  c->pid = pid;
  c->members = 0;
  c->joins_sent = 0;
  msg_send(pid, TAG_CAST, OP_SETUP, 0, lunatic_self(), c->name);
  return c;
}

/* Frees the channel's place and name (the list keeps the order channels were made in). */
static void channel_forget(coordinator_state* s, channel_entry* c) {
  size_t i = (size_t)(c - s->channels);
  memmove(c, c + 1, (s->channel_count - i - 1) * sizeof *c);
  --s->channel_count;
}

/* A client's /join: handed on, with the client's stream clone, to the channel, made if new,
 * which answers the client. */
static void coordinator_join(coordinator_state* s, chat_msg* m) {
  lunatic_tcp_stream stream = lunatic_message_take_tcp_stream(0);
  char* nick = strchr(m->text, ' ');
  channel_entry* c = NULL;
  if (nick) {
    *nick++ = '\0';
    c = channel_named(s, m->text);
    if (!c) c = channel_make(s, m->text);
  }
  if (!c) {
    lunatic_tcp_close(stream);
    msg_reply(m, 0, 0, NULL);
    return;
  }
  chat_msg join;
  msg_set(&join, OP_JOIN, 0, 0, nick);
  join.from = m->from;
  join.reply_tag = m->reply_tag;
  lunatic_send_tcp_stream(c->pid, TAG_CAST, stream, &join, msg_size(&join));
  ++c->joins_sent;
}

/* A channel's count of members: with none, and every join handed to it taken, it ends. */
static void coordinator_count(coordinator_state* s, const chat_msg* m) {
  channel_entry* c = channel_of(s, m->from);
  if (!c) return;
  c->members = m->value;
  if (c->members == 0 && m->joins == c->joins_sent) {
    msg_send(c->pid, TAG_CAST, OP_CLOSE, 0, 0, NULL);
    channel_forget(s, c);
  }
}

static void coordinator_list(const coordinator_state* s, const chat_msg* m) {
  char text[TEXT_MAX + 1];
  size_t used = 0;
  text[0] = '\0';
  for (size_t i = 0; i < s->channel_count; ++i) {
    const channel_entry* c = &s->channels[i];
    char entry[CHANNEL_NAME_MAX + 40], digits[TEXT_NUMBER_SIZE];
    size_t n = text_join(entry, sizeof entry, used ? ", " : "", c->name, " (",
                         text_number(c->members, digits), ")", NULL);
    if (used + n + 5 > TEXT_MAX) {
      memcpy(text + used, ", ...", 6);
      break;
    }
    memcpy(text + used, entry, n + 1);
    used += n;
  }
  msg_reply(m, (uint32_t)s->channel_count, 0, text);
}

/* A line said here goes to the coordinator of every other node. */
static void coordinator_relay(const chat_msg* m) {
  uint64_t nodes[64];
  uint32_t count = lunatic_nodes(nodes, 64);
  chat_msg remote;
  msg_set(&remote, OP_REMOTE, 0, 0, m->text);
  for (uint32_t i = 0; i < count; ++i) {
    if (nodes[i] != lunatic_node_id())
      lunatic_node_send_to_name(nodes[i], COORDINATOR_NAME, TAG_CAST, &remote, msg_size(&remote));
  }
}

/* A line said on another node goes to this node's channel of its name ("[#c] ..."), if any. */
static void coordinator_remote(coordinator_state* s, const chat_msg* m) {
  const char* end = strchr(m->text, ']');
  if (m->text[0] != '[' || !end || (size_t)(end - m->text - 1) > CHANNEL_NAME_MAX) return;
  char name[CHANNEL_NAME_MAX + 1];
  memcpy(name, m->text + 1, (size_t)(end - m->text - 1));
  name[end - m->text - 1] = '\0';
  channel_entry* c = channel_named(s, name);
  if (c) msg_send(c->pid, TAG_CAST, OP_REMOTE, 0, 0, m->text);
}

LUNATIC_ENTRY(coordinator) {
  static coordinator_state s; /* in the coordinator's own memory: one per process */
  s.next_guest = 1;
  for (;;) {
    chat_msg m;
    lunatic_process_id died;
    bool ok = msg_next(&m, &died);
    if (died) {
      user_remove(&s.users, died);
      channel_entry* c = channel_of(&s, died);
      if (c) channel_forget(&s, c);
    }
    if (!ok) continue;
    switch (m.op) {
      case OP_HELLO:
        coordinator_hello(&s, &m);
        break;
      case OP_NICK: {
        bool free_name = user_find(&s.users, m.from) && !nick_taken(&s.users, m.text, m.from);
        if (free_name) user_put(&s.users, m.from, m.text);
        msg_reply(&m, free_name, 0, NULL);
        break;
      }
      case OP_JOIN:
        coordinator_join(&s, &m);
        break;
      case OP_LIST:
        coordinator_list(&s, &m);
        break;
      case OP_COUNT:
        coordinator_count(&s, &m);
        break;
      case OP_RELAY:
        coordinator_relay(&m);
        break;
      case OP_REMOTE:
        coordinator_remote(&s, &m);
        break;
    }
  }
}

/* ---- Channels -------------------------------------------------------------------------- */

typedef struct {
  lunatic_process_id pid;
  lunatic_tcp_stream stream; /* the channel's clone of the member's stream */
  bool failed;               /* a write to it failed: to be dropped */
  char nick[NICK_MAX + 1];
} member;

typedef struct {
  char name[CHANNEL_NAME_MAX + 1];
  lunatic_process_id coordinator;
  member* members;
  size_t count, capacity;
  uint64_t joins; /* taken, the coordinator is told with each count */
} channel_state;

static member* channel_member(channel_state* c, lunatic_process_id pid) {
  for (size_t i = 0; i < c->count; ++i)
    if (c->members[i].pid == pid) return &c->members[i];
  return NULL;
}

/* Writes `text` to every member but `except` (0: to all); a member whose write fails is
 * marked failed, to be dropped by channel_drop_failed. */
static void channel_write_all(channel_state* c, lunatic_process_id except, const char* text) {
  for (size_t i = 0; i < c->count; ++i) {
    member* m = &c->members[i];
    if (m->pid != except && !m->failed && !stream_write_line(m->stream, text)) m->failed = true;
  }
}

static void channel_count_changed(const channel_state* c) {
  chat_msg m;
  msg_set(&m, OP_COUNT, (uint32_t)c->count, 0, NULL);
  m.joins = c->joins;
  lunatic_send(c->coordinator, TAG_CAST, &m, msg_size(&m));
}

/* Removes members[i], closing the channel's clone of its stream; returns what the others
 * are told. */
static void channel_remove(channel_state* c, size_t i, char left[TEXT_MAX + 1]) {
  member* gone = &c->members[i];
  text_join(left, TEXT_MAX + 1, "* ", gone->nick, " left ", c->name, NULL);
  lunatic_tcp_close(gone->stream);
  *gone = c->members[--c->count];
}

/* Drops the members whose writes failed, and ends their client processes: a client that
 * does not read what it is sent is disconnected rather than waited for. Telling the others
 * may fail more writes; the loop ends as every round removes a member. */
static void channel_drop_failed(channel_state* c) {
  bool dropped = false;
  for (size_t i = 0; i < c->count;) {
    if (!c->members[i].failed) {
      ++i;
      continue;
    }
    lunatic_kill(c->members[i].pid);
    char left[TEXT_MAX + 1];
    channel_remove(c, i, left);
    channel_write_all(c, 0, left);
    dropped = true;
    i = 0;
  }
  if (dropped) channel_count_changed(c);
}

/* A member's process ended (the client left, or was dropped by another channel). */
static void channel_left(channel_state* c, lunatic_process_id pid) {
  member* gone = channel_member(c, pid);
  if (!gone) return;
  char left[TEXT_MAX + 1];
  channel_remove(c, (size_t)(gone - c->members), left);
  channel_write_all(c, 0, left);
  channel_count_changed(c);
}

/* Returns the members now. */
static uint32_t channel_join(channel_state* c, const chat_msg* m) {
  lunatic_tcp_stream stream = lunatic_message_take_tcp_stream(0);
  ++c->joins;
  if (channel_member(c, m->from)) {
    lunatic_tcp_close(stream);
    channel_count_changed(c);
    return (uint32_t)c->count;
  }
  if (c->count == c->capacity) {
    size_t capacity = c->capacity ? c->capacity * 2 : 16;
    member* grown = realloc(c->members, capacity * sizeof *grown);
    if (!grown) abort();
    c->members = grown;
    c->capacity = capacity;
  }
  member* added = &c->members[c->count++];
  added->pid = m->from;
  added->stream = stream;
  added->failed = false;
  text_join(added->nick, sizeof added->nick, m->text, NULL);
  lunatic_monitor(m->from);
  char text[TEXT_MAX + 1];
  text_join(text, sizeof text, "* ", added->nick, " joined ", c->name, NULL);
  channel_write_all(c, m->from, text);
  channel_count_changed(c);
  return (uint32_t)c->count;
}

/* Acts on one message; returns the answer's value if it is a request. */
static uint32_t channel_handle(channel_state* c, const chat_msg* m) {
  char text[TEXT_MAX + 1];
  member* who = channel_member(c, m->from);
  switch (m->op) {
    case OP_SETUP:
      text_join(c->name, sizeof c->name, m->text, NULL);
      c->coordinator = m->pid;
      break;
    case OP_JOIN:
      return channel_join(c, m);
    case OP_SAY:
      if (!who) return 0;
      text_join(text, sizeof text, "[", c->name, "] ", who->nick, ": ", m->text, NULL);
      channel_write_all(c, m->from, text);
      if (lunatic_nodes_count() > 1) msg_send(c->coordinator, TAG_CAST, OP_RELAY, 0, 0, text);
      return 1;
    case OP_REMOTE:
      channel_write_all(c, 0, m->text);
      break;
    case OP_RENAME:
      if (!who) break;
      text_join(text, sizeof text, "* ", who->nick, " is now known as ", m->text, NULL);
      text_join(who->nick, sizeof who->nick, m->text, NULL);
      channel_write_all(c, m->from, text);
      break;
  }
  return 0;
}

LUNATIC_ENTRY(channel) {
  channel_state c = {0};
  for (;;) {
    chat_msg m;
    lunatic_process_id died;
    bool ok = msg_next(&m, &died);
    if (died) channel_left(&c, died);
    if (ok && m.op == OP_CLOSE && c.count == 0) break;
    uint32_t answer = ok ? channel_handle(&c, &m) : 0;
    channel_drop_failed(&c);
    /* Only now: what a request made the channel write, notices of members it dropped
     * included, is written before the requester goes on. */
    if (ok) msg_reply(&m, answer, 0, NULL);
  }
  free(c.members);
}

/* ---- Clients --------------------------------------------------------------------------- */

typedef struct {
  lunatic_tcp_stream stream;
  lunatic_process_id coordinator;
  lunatic_tag next_tag; /* of this process's requests */
  char nick[NICK_MAX + 1];
  struct {
    char name[CHANNEL_NAME_MAX + 1];
    lunatic_process_id pid;
  } joined[MAX_JOINED];
  int joined_count;
  int current; /* where typed lines go; -1 before the first /join */
  bool done;   /* the client quit, or is gone */
} client_state;

/* Shows one line to the client; a failed write ends the client. */
static void say(client_state* s, const char* text) {
  if (!s->done && !stream_write_line(s->stream, text)) s->done = true;
}

static const char help_text[] =
    "Commands:\r\n"
    "  /nick NAME      take a name (up to 24 letters, digits, - and _)\r\n"
    "  /join #channel  join a channel, made if new; what you type then goes there\r\n"
    "  /channels       list the channels and how many are in each\r\n"
    "  /help           this list\r\n"
    "  /quit           leave\r\n"
    "Anything else you type goes to the channel you joined last.";
_Static_assert(sizeof help_text <= TEXT_MAX, "say() would cut the help");

static void command_nick(client_state* s, const char* nick) {
  if (!name_valid(nick, NICK_MAX) || nick_reserved(nick)) {
    say(s, "A name is 1 to 24 letters, digits, - and _ (and not guest<number>).");
    return;
  }
  char text[TEXT_MAX + 1];
  chat_msg answer;
  if (!msg_call(&s->next_tag, s->coordinator, OP_NICK, nick, &answer)) {
    say(s, "The server is busy; try again.");
    return;
  }
  if (!answer.value) {
    text_join(text, sizeof text, nick, " is taken.", NULL);
    say(s, text);
    return;
  }
  for (int i = 0; i < s->joined_count; ++i)
    msg_send(s->joined[i].pid, TAG_CAST, OP_RENAME, 0, 0, nick);
  text_join(s->nick, sizeof s->nick, nick, NULL);
  text_join(text, sizeof text, "You are now ", nick, ".", NULL);
  say(s, text);
}

static void command_join(client_state* s, const char* name) {
  if (name[0] != '#' || !name_valid(name + 1, CHANNEL_NAME_MAX - 1)) {
    say(s, "A channel is # and 1 to 31 letters, digits, - and _: /join #lobby");
    return;
  }
  char text[TEXT_MAX + 1];
  for (int i = 0; i < s->joined_count; ++i)
    if (strcmp(s->joined[i].name, name) == 0) {
      s->current = i;
      text_join(text, sizeof text, "You now talk in ", name, ".", NULL);
      say(s, text);
      return;
    }
  if (s->joined_count == MAX_JOINED) {
    say(s, "You are in 8 channels already.");
    return;
  }
  /* The channel writes to the client through its own clone of the stream. */
  char request[TEXT_MAX + 1];
  text_join(request, sizeof request, name, " ", s->nick, NULL);
  chat_msg answer;
  if (!msg_call_with(&s->next_tag, s->coordinator, OP_JOIN, request, lunatic_tcp_clone(s->stream),
                     &answer)) {
    say(s, "The server is busy; try again.");
    return;
  }
  if (!answer.value) {
    say(s, "There are too many channels.");
    return;
  }
  lunatic_process_id channel = answer.from;
  int i = s->joined_count++;
  text_join(s->joined[i].name, sizeof s->joined[i].name, name, NULL);
  s->joined[i].pid = channel;
  s->current = i;
  char digits[TEXT_NUMBER_SIZE];
  text_join(text, sizeof text, "You joined ", name, " (", text_number(answer.value, digits),
            " here). What you type now goes there.", NULL);
  say(s, text);
}

static void command_channels(client_state* s) {
  chat_msg answer;
  if (!msg_call(&s->next_tag, s->coordinator, OP_LIST, NULL, &answer)) {
    say(s, "The server is busy; try again.");
    return;
  }
  if (answer.value == 0) {
    say(s, "No channels yet: /join #lobby makes one.");
    return;
  }
  char text[TEXT_MAX + 1];
  text_join(text, sizeof text, "Channels: ", answer.text, NULL);
  say(s, text);
}

/* Something to say: to the current channel, which answers once it has written it to the
 * others; until then this process reads nothing more from its client. */
static void client_say(client_state* s, const char* line) {
  if (s->current < 0) {
    say(s, "Join a channel first: /join #lobby (or /help).");
    return;
  }
  chat_msg answer;
  if (!msg_call(&s->next_tag, s->joined[s->current].pid, OP_SAY, line, &answer))
    say(s, "The channel is busy; your line was dropped.");
}

/* A line the client typed: a command, or something to say. */
static void client_line(client_state* s, char* line, bool cut) {
  if (cut) say(s, "(Your line was longer than 400 bytes; the rest was dropped.)");
  if (line[0] != '/') {
    client_say(s, line);
    return;
  }
  char* argument = strchr(line, ' ');
  if (argument) {
    *argument++ = '\0';
    while (*argument == ' ') ++argument;
    char* end = argument + strlen(argument);
    while (end > argument && end[-1] == ' ') *--end = '\0';
  } else {
    argument = line + strlen(line);
  }
  if (strcmp(line, "/nick") == 0) {
    command_nick(s, argument);
  } else if (strcmp(line, "/join") == 0) {
    command_join(s, argument);
  } else if (strcmp(line, "/channels") == 0) {
    command_channels(s);
  } else if (strcmp(line, "/help") == 0) {
    say(s, help_text);
  } else if (strcmp(line, "/quit") == 0) {
    say(s, "Bye.");
    s->done = true;
  } else {
    char text[TEXT_MAX + 1];
    text_join(text, sizeof text, "Unknown command ", line, "; /help lists them.", NULL);
    say(s, text);
  }
}

/* Waits for the root's OP_STREAM message and takes its stream. */
static lunatic_tcp_stream client_stream(void) {
  for (;;) {
    chat_msg m;
    lunatic_process_id died;
    if (msg_next(&m, &died) && m.op == OP_STREAM) return lunatic_message_take_tcp_stream(0);
  }
}

LUNATIC_ENTRY(client) {
  client_state s = {0};
  s.stream = client_stream();
  s.next_tag = TAG_FIRST_CALL;
  s.current = -1;
  lunatic_tcp_set_write_timeout(s.stream, 0); /* shared by the channels' clones */
  chat_msg answer;
  if (!lunatic_registry_get(COORDINATOR_NAME, &s.coordinator, NULL) ||
      !msg_call(&s.next_tag, s.coordinator, OP_HELLO, NULL, &answer)) {
    say(&s, "The server is busy; try again later.");
    return;
  }
  text_join(s.nick, sizeof s.nick, answer.text, NULL);
  char welcome[TEXT_MAX + 1];
  text_join(welcome, sizeof welcome, "Welcome to the chat, ", s.nick,
            "! /help lists the commands; /join #lobby to start.", NULL);
  say(&s, welcome);

  line_decoder decoder;
  line_init(&decoder);
  uint8_t buf[512];
  size_t got;
  while (!s.done && (got = stream_read(s.stream, buf, sizeof buf)) > 0) {
    for (size_t i = 0; i < got && !s.done; ++i) {
      if (!line_byte(&decoder, buf[i])) continue;
      client_line(&s, decoder.text, decoder.truncated);
      line_next(&decoder);
    }
  }
  /* Ending is enough: monitors tell the coordinator and the channels, which close their
   * clones of the stream, and the connection closes with the last. */
}

/* ---- The root: accepting connections --------------------------------------------------- */

static int usage(void) {
  fputs("usage: chat [PORT [ADDRESS]]   (2323 127.0.0.1)\n", stderr);
  return 2;
}

/* Prints "chat: WHAT: WHY" for the error `error` and drops it. */
static void report_error(const char* what, lunatic_error_id error) {
  char why[200];
  if (lunatic_error_string(error, why, sizeof why) >= sizeof why) text_join(why, sizeof why, "(a long error)", NULL);
  lunatic_error_drop(error);
  fputs("chat: ", stderr);
  fputs(what, stderr);
  fputs(": ", stderr);
  fputs(why, stderr);
  fputs("\n", stderr);
}

/* A configuration for processes that may do no more than talk to other processes and to
 * the streams they are given: no listening or connecting, no new configurations or modules
 * (a new configuration denies those). `client`: nor spawn, and small memory. */
static lunatic_config_id confined_config(bool client) {
  lunatic_config_id config = lunatic_config_create();
  if (config < 0) return config;
  lunatic_config_set_can_listen(config, false);
  lunatic_config_set_can_connect(config, false);
  if (client) {
    lunatic_config_set_max_memory(config, CLIENT_MAX_MEMORY);
  } else {
    lunatic_config_set_can_spawn_processes(config, true);
  }
  return config;
}

int main(int argc, char** argv) {
  uint64_t port = argc > 1 ? text_parse_number(argv[1], 65535) : 2323;
  const char* address = argc > 2 ? argv[2] : "127.0.0.1";
  if (argc > 3 || port == 0) return usage();

  lunatic_config_id coordinator_config = confined_config(false), client_config = confined_config(true);
  if (coordinator_config < 0 || client_config < 0) {
    fputs("chat: cannot create a configuration\n", stderr);
    return 1;
  }
  /* Linked: should the coordinator fail, the root fails and the server ends. */
  lunatic_process_id coordinator_pid;
  if (!lunatic_spawn_config(coordinator_config, TAG_COORDINATOR_LINK, "coordinator", 0, &coordinator_pid)) {
    report_error("cannot spawn the coordinator", coordinator_pid);
    return 1;
  }
  lunatic_registry_put(COORDINATOR_NAME, coordinator_pid);

  lunatic_tcp_listener listener;
  if (!lunatic_tcp_bind(address, (uint16_t)port, &listener)) {
    report_error("cannot listen", listener);
    return 1;
  }
  char digits[TEXT_NUMBER_SIZE];
  fputs("chat: listening on ", stdout);
  fputs(address, stdout);
  fputs(" port ", stdout);
  fputs(text_number(port, digits), stdout);
  fputs("\n", stdout);
  fflush(stdout);
  for (;;) {
    lunatic_tcp_stream stream;
    if (!lunatic_tcp_accept(listener, &stream, NULL)) {
      /* Out of descriptors, most likely: wait for clients to leave. */
      report_error("accept", stream);
      lunatic_sleep_ms(100);
      continue;
    }
    lunatic_process_id client_pid;
    if (lunatic_spawn_config(client_config, LUNATIC_NO_TAG, "client", 0, &client_pid)) {
      chat_msg m;
      msg_set(&m, OP_STREAM, 0, 0, NULL);
      lunatic_send_tcp_stream(client_pid, TAG_CAST, stream, &m, msg_size(&m));
    } else {
      lunatic_error_drop(client_pid);
      lunatic_tcp_close(stream); /* no room for another client */
    }
  }
}
