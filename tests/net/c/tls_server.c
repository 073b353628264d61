/* A TLS server in the guest (tls_bind, tls_accept, a process per connection) with clients on
 * the host (tests/net/tls_peer.py, host_peer.py): Python's ssl module and Debian's openssl
 * s_client, each checking the certificate against the test CA and the name localhost. A
 * client that connects and never starts its handshake holds up neither the accepting
 * process nor the next client: its handshake waits in its own process, under its read
 * timeout. Certificates and keys that cannot be used are error ids; so is binding without
 * the listen capability; a certificate pointer outside memory ends only its process.
 *
 * expect-stdout: malformed certificate: "tls_bind: the certificate is not a PEM certificate: .+"
 * expect-stdout: malformed key: "tls_bind: the key is not a PEM private key: .+"
 * expect-stdout: mismatched key: "tls_bind: the key does not match the certificate: .+"
 * expect-stdout: listening on 127\.0\.0\.1:\d+
 * expect-stdout: python client: GOT hello python
 * expect-stdout: s_client: GOT hello s_client
 * expect-stdout: stalled client: the next client got GOT after the stall
 * expect-stdout: stalled client: its handler gave up: 9027
 * expect-stdout: handler: error "TLS: .+"
 * expect-stdout: plain TCP client: the handshake failed in its handler: status 1
 * expect-stdout: no-listen child: refused: "tls_bind: the process may not listen .+"
 * expect-stdout: hostile bind: (?P<p1>\d+) died
 * expect-stdout: tls_server: all ok
 * expect-stderr: lunatic: process {{p1}} failed: tls_bind: a pointer is outside the process's memory at .*
 */
#include "net_test.h"

enum { kTagStream = 1, kTagHandled = 2, kTagPort = 3 };

/* Reads one line (a byte at a time) and writes it back: the handler's result (0, or the
 * status of the call that failed) to the root. */
LUNATIC_ENTRY(handler) {
  (void)arg;
  lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  lunatic_tls_stream stream = lunatic_message_take_tls_stream(0);
  lunatic_tls_set_read_timeout(stream, 1500);
  char line[100];
  size_t got = 0;
  uint64_t status = 0, n;
  while (got + 1 < sizeof line) {
    status = lunatic_tls_read(stream, line + got, 1, &n);
    if (status != LUNATIC_NET_OK || n == 0) break;
    if (line[got++] == '\n') break;
  }
  if (status == LUNATIC_NET_OK) status = lunatic_tls_write(stream, line, got, &n);
  if (status == LUNATIC_NET_ERROR) {
    char text[200];
    say("handler: error \"%s\"", error_text(n, text, sizeof text));
  }
  lunatic_tls_close(stream);
  lunatic_process_id root;
  CHECK(lunatic_registry_get("tls_server_root", &root, NULL));
  send_u64(root, kTagHandled, status);
}

/* Binds the listener (listeners stay in the process that binds them), tells the root its
 * port, and accepts connections for ever, a handler process each. */
LUNATIC_ENTRY(acceptor) {
  (void)arg;
  lunatic_tls_listener listener;
  CHECK(lunatic_tls_bind("127.0.0.1", 0, needed_env("TLS_CERT"), needed_env("TLS_KEY"), &listener));
  lunatic_socket_address local;
  CHECK(lunatic_tls_local_addr(listener, &local, NULL));
  char text[64];
  lunatic_socket_address_format(&local, text, sizeof text);
  say("listening on %s", text);
  lunatic_process_id root;
  CHECK(lunatic_registry_get("tls_server_root", &root, NULL));
  send_u64(root, kTagPort, local.port);
  for (;;) {
    lunatic_tls_stream stream;
    CHECK(lunatic_tls_accept(listener, &stream, NULL));
    lunatic_process_id child;
    CHECK(LUNATIC_SPAWN(handler, 0, &child));
    lunatic_message_create(kTagStream, NULL, 0);
    lunatic_message_push_tls_stream(stream);
    lunatic_raw_message_send(child);
  }
}

static void bind_refused(const char* what, const char* cert, const char* key) {
  lunatic_tls_listener listener;
  CHECK(!lunatic_tls_bind("127.0.0.1", 0, cert, key, &listener));
  char text[300];
  say("%s: \"%s\"", what, error_text(listener, text, sizeof text));
}

TEST_ENTRY(no_listen) {
  lunatic_tls_listener listener;
  CHECK(!lunatic_tls_bind("127.0.0.1", 0, "", "", &listener));
  char text[200];
  say("no-listen child: refused: \"%s\"", error_text(listener, text, sizeof text));
  send_u64(parent, 1, 0);
}

TEST_ENTRY(hostile_bind) {
  uint8_t any[4] = {127, 0, 0, 1};
  uint64_t id;
  (void)lunatic_raw_networking_tls_bind(4, any, 0, 0, 0, &id, (const void*)(uintptr_t)0xFFFFFF00u, 0x1000, "", 0);
}

/* Sends `command` to the host peer and returns its answer line. */
static void ask_host(const char* command, char* answer, size_t cap) {
  lunatic_tcp_stream host = control(command);
  read_line(host, answer, cap);
  lunatic_tcp_close(host);
}

int main(void) {
  const char* cert = needed_env("TLS_CERT");
  const char* key = needed_env("TLS_KEY");
  bind_refused("malformed certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", key);
  bind_refused("malformed key", cert, "not a key");
  bind_refused("mismatched key", needed_env("TLS_OTHER_CA"), key);

  lunatic_registry_put("tls_server_root", lunatic_self());
  lunatic_process_id acceptor_id;
  CHECK(LUNATIC_SPAWN(acceptor, 0, &acceptor_id));
  uint64_t port;
  CHECK_EQ(receive_tag(kTagPort, 5000, &port, NULL), LUNATIC_RECEIVE_DATA);
  char command[100], answer[300];
  uint64_t status;
  snprintf(command, sizeof command, "TLSCLIENT %u hello python\n", (unsigned)port);
  ask_host(command, answer, sizeof answer);
  say("python client: %s", answer);
  CHECK_EQ(receive_tag(kTagHandled, 5000, &status, NULL), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(status, 0);
  snprintf(command, sizeof command, "SCLIENT %u hello s_client\n", (unsigned)port);
  ask_host(command, answer, sizeof answer);
  say("s_client: %s", answer);
  CHECK_EQ(receive_tag(kTagHandled, 5000, &status, NULL), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(status, 0);

  /* The stalled connection's handler waits for its handshake; the next client is served. */
  snprintf(command, sizeof command, "STALL %u\n", (unsigned)port);
  lunatic_tcp_stream stall = control(command);
  read_line(stall, answer, sizeof answer);
  CHECK(strcmp(answer, "OK") == 0);
  snprintf(command, sizeof command, "TLSCLIENT %u after the stall\n", (unsigned)port);
  ask_host(command, answer, sizeof answer);
  CHECK(strcmp(answer, "GOT after the stall") == 0);
  say("stalled client: the next client got GOT after the stall");
  CHECK_EQ(receive_tag(kTagHandled, 5000, &status, NULL), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(status, 0);
  CHECK_EQ(receive_tag(kTagHandled, 5000, &status, NULL), LUNATIC_RECEIVE_DATA);
  say("stalled client: its handler gave up: %llu", (unsigned long long)status);
  lunatic_tcp_close(stall);

  /* A client that speaks no TLS: its handler's first read makes the handshake, which fails. */
  snprintf(command, sizeof command, "CLIENT %u plain text, no TLS\n", (unsigned)port);
  ask_host(command, answer, sizeof answer);
  CHECK_EQ(receive_tag(kTagHandled, 5000, &status, NULL), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(status, LUNATIC_NET_ERROR);
  say("plain TCP client: the handshake failed in its handler: status %llu", (unsigned long long)status);

  lunatic_config_id config = lunatic_config_create();
  lunatic_config_set_can_listen(config, false);
  uint64_t id;
  CHECK_EQ(spawn_child(config, 0, "no_listen", 0, &id), 0);
  CHECK_EQ(expect_u64(1), 0);
  lunatic_config_drop(config);
  expect_entry_dies("hostile_bind", "hostile bind");
  say("tls_server: all ok");
  return 0;
}
