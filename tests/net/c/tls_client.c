/* TLS clients (tls_connect, tls_read, tls_write_vectored, ...) against servers on the host
 * (tests/net/tls_peer.py): a Python echo server and Debian's openssl s_server with the test
 * CA's certificate for localhost; servers whose certificate names another host, comes from
 * a CA the client does not trust, or has expired; a server that never answers the
 * handshake; one that vanishes in the middle of a record. Then timeouts, a stream moved to
 * another process in a message (and a clone left behind), the connect capability, a
 * process killed while its handshake waits, and hostile pointers.
 *
 * expect-stdout: good: echoed "hello over TLS"
 * expect-stdout: numeric host: echoed "by address"
 * expect-stdout: system store \(SSL_CERT_FILE\): echoed "trusted by the runtime's store"
 * expect-stdout: s_server: "SLT revo olleh"
 * expect-stdout: wrong name: refused: "tls_connect: TLS: certificate verify failed \(hostname mismatch\)"
 * expect-stdout: untrusted: refused: "tls_connect: TLS: certificate verify failed \(.+\)"
 * expect-stdout: untrusted, system store: refused: "tls_connect: TLS: certificate verify failed \(.+\)"
 * expect-stdout: expired: refused: "tls_connect: TLS: certificate verify failed \(certificate has expired\)"
 * expect-stdout: malformed CA: refused: "tls_connect: CA certificate 1 is not a PEM certificate: .+"
 * expect-stdout: stalled handshake: timed out
 * expect-stdout: cut record: read error "TLS: .+"
 * expect-stdout: read timeout: timed out, timeouts 150 and none
 * expect-stdout: moved stream: the child read "moved" and the clone still writes
 * expect-stdout: clones at once: a reader parked on one, the writer on the other
 * expect-stdout: 2000000 bytes through full buffers: the server's hash matches
 * expect-stdout: write timeout: timed out after \d+ bytes; flush: "TLS: the flush timed out"
 * expect-stdout: no-connect child: refused: "tls_connect: the process may not connect .+"
 * expect-stdout: killed in the handshake: (?P<p0>\d+) ended, the next connection works
 * expect-stdout: hostile read: (?P<p1>\d+) died
 * expect-stdout: hostile host name: (?P<p2>\d+) died
 * expect-stdout: hostile CA list: (?P<p3>\d+) died
 * expect-stdout: hostile CA certificate: (?P<p4>\d+) died
 * expect-stdout: hostile write: (?P<p5>\d+) died
 * expect-stdout: hostile stream id: (?P<p6>\d+) died
 * expect-stdout: tls_client: all ok
 * expect-stderr: lunatic: process {{p1}} failed: tls_read: a pointer is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p2}} failed: tls_connect: a pointer is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p3}} failed: tls_connect: a pointer is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p4}} failed: tls_connect: a CA certificate is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p5}} failed: tls_write_vectored: a buffer is outside the process's memory at .*
 * expect-stderr: lunatic: process {{p6}} failed: tls_read: no such TLS stream at .*
 */
#include "net_test.h"

static uint16_t port_of(const char* what) {
  char name[64];
  snprintf(name, sizeof name, "TLS_PORT_%s", what);
  return (uint16_t)atoi(needed_env(name));
}

/* Connects to the `what` server as `host`, trusting the test CA: OK, or the error's text. */
static lunatic_net_status connect_to(const char* what, const char* host, lunatic_tls_stream* out) {
  const char* cas[] = {needed_env("TLS_CA")};
  return lunatic_tls_connect(host, port_of(what), 5000, cas, 1, out);
}

/* Sends `line` and a newline; reads the reply's first line into `reply`. */
static void round_trip(lunatic_tls_stream stream, const char* line, char* reply, size_t cap) {
  uint64_t n;
  CHECK_EQ(lunatic_tls_write(stream, line, strlen(line), &n), LUNATIC_NET_OK);
  CHECK_EQ(lunatic_tls_write(stream, "\n", 1, &n), LUNATIC_NET_OK);
  size_t got = 0;
  while (got + 1 < cap) {
    CHECK_EQ(lunatic_tls_read(stream, reply + got, 1, &n), LUNATIC_NET_OK);
    CHECK(n == 1);
    if (reply[got] == '\n') break;
    ++got;
  }
  reply[got] = '\0';
}

static void echoed(const char* what, const char* server, const char* host, const char* line) {
  lunatic_tls_stream stream;
  CHECK_EQ(connect_to(server, host, &stream), LUNATIC_NET_OK);
  char reply[100];
  round_trip(stream, line, reply, sizeof reply);
  CHECK(strcmp(reply, line) == 0);
  say("%s: echoed \"%s\"", what, reply);
  lunatic_tls_close(stream);
}

static void refused(const char* what, const char* server, const char* const* cas, size_t count) {
  lunatic_tls_stream stream;
  CHECK_EQ(lunatic_tls_connect("localhost", port_of(server), 5000, cas, count, &stream), LUNATIC_NET_ERROR);
  char text[300];
  say("%s: refused: \"%s\"", what, error_text(stream, text, sizeof text));
}

TEST_ENTRY(moved_reader) {
  lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  lunatic_tls_stream stream = lunatic_message_take_tls_stream(0);
  char reply[32];
  uint64_t n;
  size_t got = 0;
  while (got < 6) {
    CHECK_EQ(lunatic_tls_read(stream, reply + got, 6 - got, &n), LUNATIC_NET_OK);
    CHECK(n > 0);
    got += n;
  }
  CHECK(memcmp(reply, "moved\n", 6) == 0);
  lunatic_tls_close(stream);
  send_u64(parent, 1, 0);
}

/* Reads "parallel\n" from its clone while the parent writes on its own. */
TEST_ENTRY(clone_reader) {
  lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  lunatic_tls_stream stream = lunatic_message_take_tls_stream(0);
  send_u64(parent, 1, 0);  /* about to park in tls_read */
  char got[9];
  size_t done = 0;
  uint64_t n;
  while (done < sizeof got) {
    CHECK_EQ(lunatic_tls_read(stream, got + done, sizeof got - done, &n), LUNATIC_NET_OK);
    CHECK(n > 0);
    done += n;
  }
  CHECK(memcmp(got, "parallel\n", 9) == 0);
  lunatic_tls_close(stream);
  send_u64(parent, 2, 0);
}

static uint32_t fnv1a(uint32_t digest, const uint8_t* data, size_t len) {
  for (size_t i = 0; i < len; ++i) digest = (digest ^ data[i]) * 0x01000193u;
  return digest;
}

TEST_ENTRY(no_connect) {
  lunatic_tls_stream stream;
  /* (a new config grants no environment: the port comes as the argument) */
  CHECK_EQ(lunatic_tls_connect("localhost", (uint16_t)arg, 5000, NULL, 0, &stream), LUNATIC_NET_ERROR);
  char text[200];
  say("no-connect child: refused: \"%s\"", error_text(stream, text, sizeof text));
  send_u64(parent, 1, 0);
}

TEST_ENTRY(hostile_read) {
  lunatic_tls_stream stream;
  CHECK_EQ(connect_to("GOOD", "localhost", &stream), LUNATIC_NET_OK);
  uint64_t n;
  (void)lunatic_raw_networking_tls_read(stream, (void*)(uintptr_t)0xFFFFFF00u, 0x1000, &n);
}

#define OUTSIDE ((const void*)(uintptr_t)0xFFFFFF00u)

TEST_ENTRY(hostile_host) {
  uint64_t id;
  (void)lunatic_raw_networking_tls_connect(OUTSIDE, 0x1000, 443, 100, &id, NULL, 0);
}

TEST_ENTRY(hostile_ca_list) {
  uint64_t id;
  (void)lunatic_raw_networking_tls_connect("localhost", 9, 443, 100, &id, OUTSIDE, 4);
}

TEST_ENTRY(hostile_ca) {
  uint64_t id;
  lunatic_ciovec ca = {OUTSIDE, 0x1000};
  (void)lunatic_raw_networking_tls_connect("localhost", 9, 443, 100, &id, &ca, 1);
}

TEST_ENTRY(hostile_write) {
  lunatic_tls_stream stream;
  CHECK_EQ(connect_to("GOOD", "localhost", &stream), LUNATIC_NET_OK);
  lunatic_ciovec buffers[2] = {{"ok", 2}, {OUTSIDE, 0x1000}};
  uint64_t n;
  (void)lunatic_raw_networking_tls_write_vectored(stream, buffers, 2, &n);
}

TEST_ENTRY(hostile_id) {
  char buffer[4];
  uint64_t n;
  (void)lunatic_raw_networking_tls_read(12345, buffer, sizeof buffer, &n);
}

/* Parks in a handshake that never comes (no timeout) until the parent kills it. */
TEST_ENTRY(stalled_forever) {
  const char* cas[] = {needed_env("TLS_CA")};
  lunatic_tls_stream stream;
  send_u64(parent, 1, 0);
  (void)lunatic_tls_connect("localhost", port_of("STALL"), LUNATIC_WAIT_FOREVER, cas, 1, &stream);
  say("stalled_forever: the handshake ended, which it must not");
}

int main(void) {
  echoed("good", "GOOD", "localhost", "hello over TLS");
  echoed("numeric host", "GOOD", "127.0.0.1", "by address");
  {
    lunatic_tls_stream stream;
    CHECK_EQ(lunatic_tls_connect("localhost", port_of("GOOD"), 5000, NULL, 0, &stream), LUNATIC_NET_OK);
    char reply[100];
    round_trip(stream, "trusted by the runtime's store", reply, sizeof reply);
    say("system store (SSL_CERT_FILE): echoed \"%s\"", reply);
    lunatic_tls_close(stream);
  }
  {
    lunatic_tls_stream stream;
    CHECK_EQ(connect_to("SSERVER", "localhost", &stream), LUNATIC_NET_OK);
    char reply[100];
    round_trip(stream, "hello over TLS", reply, sizeof reply);
    say("s_server: \"%s\"", reply);
    lunatic_tls_close(stream);
  }

  const char* test_ca[] = {needed_env("TLS_CA")};
  refused("wrong name", "WRONG_NAME", test_ca, 1);
  refused("untrusted", "UNTRUSTED", test_ca, 1);
  refused("untrusted, system store", "UNTRUSTED", NULL, 0);
  refused("expired", "EXPIRED", test_ca, 1);
  const char* malformed[] = {needed_env("TLS_CA"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"};
  refused("malformed CA", "GOOD", malformed, 2);

  {
    lunatic_tls_stream stream;
    int64_t start = now_ms();
    CHECK_EQ(lunatic_tls_connect("localhost", port_of("STALL"), 300, test_ca, 1, &stream), LUNATIC_NET_TIMEOUT);
    CHECK(now_ms() - start >= 250 && now_ms() - start < 5000);
    say("stalled handshake: timed out");
  }
  {
    lunatic_tls_stream stream;
    CHECK_EQ(connect_to("CUT", "localhost", &stream), LUNATIC_NET_OK);
    lunatic_tls_set_read_timeout(stream, 5000);
    char buffer[100];
    uint64_t n;
    CHECK_EQ(lunatic_tls_read(stream, buffer, sizeof buffer, &n), LUNATIC_NET_ERROR);
    char text[200];
    say("cut record: read error \"%s\"", error_text(n, text, sizeof text));
    lunatic_tls_close(stream);
  }
  {
    lunatic_tls_stream stream;
    CHECK_EQ(connect_to("GOOD", "localhost", &stream), LUNATIC_NET_OK);
    lunatic_tls_set_read_timeout(stream, 150);
    char buffer[16];
    uint64_t n;
    int64_t start = now_ms();
    CHECK_EQ(lunatic_tls_read(stream, buffer, sizeof buffer, &n), LUNATIC_NET_TIMEOUT);
    CHECK(now_ms() - start >= 100);
    CHECK_EQ(lunatic_tls_get_read_timeout(stream), 150);
    CHECK_EQ(lunatic_tls_get_write_timeout(stream), LUNATIC_WAIT_FOREVER);
    lunatic_error_id error;
    CHECK(lunatic_tls_flush(stream, &error));
    say("read timeout: timed out, timeouts %llu and none", (unsigned long long)lunatic_tls_get_read_timeout(stream));
    lunatic_tls_close(stream);
  }
  {
    lunatic_tls_stream stream;
    CHECK_EQ(connect_to("GOOD", "localhost", &stream), LUNATIC_NET_OK);
    lunatic_tls_stream clone = lunatic_tls_clone(stream);
    CHECK(clone != stream);
    uint64_t n;
    CHECK_EQ(lunatic_tls_write(stream, "moved\n", 6, &n), LUNATIC_NET_OK);
    uint64_t child = spawn_ok("moved_reader", 0);
    lunatic_message_create(0, NULL, 0);
    CHECK_EQ(lunatic_message_push_tls_stream(stream), 0);
    lunatic_raw_message_send(child);
    CHECK_EQ(expect_u64(1), 0);
    /* The child dropped its id; the clone keeps the connection. */
    char reply[32];
    round_trip(clone, "still here", reply, sizeof reply);
    CHECK(strcmp(reply, "still here") == 0);
    say("moved stream: the child read \"moved\" and the clone still writes");
    lunatic_tls_close(clone);
  }
  {
    lunatic_tls_stream stream;
    CHECK_EQ(connect_to("GOOD", "localhost", &stream), LUNATIC_NET_OK);
    uint64_t child = spawn_ok("clone_reader", 0);
    lunatic_message_create(0, NULL, 0);
    lunatic_message_push_tls_stream(lunatic_tls_clone(stream));
    lunatic_raw_message_send(child);
    CHECK_EQ(expect_u64(1), 0);
    lunatic_sleep_ms(50);
    uint64_t n;
    CHECK_EQ(lunatic_tls_write(stream, "parallel\n", 9, &n), LUNATIC_NET_OK);
    CHECK_EQ(expect_u64(2), 0);
    lunatic_tls_close(stream);
    say("clones at once: a reader parked on one, the writer on the other");
  }
  {
    lunatic_tls_stream stream;
    CHECK_EQ(connect_to("COUNT", "localhost", &stream), LUNATIC_NET_OK);
    static uint8_t block[65536];
    uint32_t digest = 0x811C9DC5u;
    for (size_t sent = 0; sent < 2000000;) {
      size_t len = 2000000 - sent < sizeof block ? 2000000 - sent : sizeof block;
      for (size_t i = 0; i < len; ++i) block[i] = (uint8_t)((sent + i) * 7 + (sent + i) / 251);
      digest = fnv1a(digest, block, len);
      uint64_t n;
      CHECK_EQ(lunatic_tls_write(stream, block, len, &n), LUNATIC_NET_OK);
      sent += len;
    }
    lunatic_tls_set_read_timeout(stream, 10000);
    char reply[32];
    size_t got = 0;
    uint64_t n;
    while (got + 1 < sizeof reply) {
      CHECK_EQ(lunatic_tls_read(stream, reply + got, 1, &n), LUNATIC_NET_OK);
      CHECK(n == 1);
      if (reply[got] == '\n') break;
      ++got;
    }
    reply[got] = '\0';
    CHECK_EQ(strtoul(reply, NULL, 10), digest);
    say("2000000 bytes through full buffers: the server's hash matches");
    lunatic_tls_close(stream);
  }
  {
    lunatic_tls_stream stream;
    CHECK_EQ(connect_to("SINK", "localhost", &stream), LUNATIC_NET_OK);
    lunatic_tls_set_write_timeout(stream, 200);
    static uint8_t block[65536];
    uint64_t total = 0, n;
    lunatic_net_status status;
    lunatic_error_id error;
    /* The peer reads nothing, but the kernel's buffers may still take a little more between a
     * write's timeout and the flush: write until both the write and the flush time out. */
    for (int round = 0;; ++round) {
      CHECK(round < 100);
      while ((status = lunatic_tls_write(stream, block, sizeof block, &n)) == LUNATIC_NET_OK) total += n;
      CHECK_EQ(status, LUNATIC_NET_TIMEOUT);
      total += n;
      if (!lunatic_tls_flush(stream, &error)) break;
    }
    char text[100];
    say("write timeout: timed out after %llu bytes; flush: \"%s\"", (unsigned long long)total,
        error_text(error, text, sizeof text));
    lunatic_tls_close(stream);
  }
  {
    lunatic_config_id config = lunatic_config_create();
    lunatic_config_set_can_connect(config, false);
    uint64_t id;
    CHECK_EQ(spawn_child(config, 0, "no_connect", port_of("GOOD"), &id), 0);
    CHECK_EQ(expect_u64(1), 0);
    lunatic_config_drop(config);
  }
  {
    uint64_t child = spawn_ok("stalled_forever", 0);
    lunatic_monitor(child);
    CHECK_EQ(expect_u64(1), 0);
    lunatic_sleep_ms(200);
    lunatic_kill(child);
    expect_died(child);
    echoed("after the kill", "GOOD", "localhost", "still serving");
    say("killed in the handshake: %llu ended, the next connection works", (unsigned long long)child);
  }
  expect_entry_dies("hostile_read", "hostile read");
  expect_entry_dies("hostile_host", "hostile host name");
  expect_entry_dies("hostile_ca_list", "hostile CA list");
  expect_entry_dies("hostile_ca", "hostile CA certificate");
  expect_entry_dies("hostile_write", "hostile write");
  expect_entry_dies("hostile_id", "hostile stream id");
  say("tls_client: all ok");
  return 0;
}
