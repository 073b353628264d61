/* TCP between processes of one program: a listener, a process per connection, a client.
 *
 * The root binds 127.0.0.1 port 0 and learns its port (tcp_local_addr). A client process
 * connects and writes a request in three buffers at once (tcp_write_vectored); the root
 * accepts, hands the stream to an echo process inside a message (push_tcp_stream /
 * take_tcp_stream), and the echo process sends each byte back. The client checks the
 * reply, the local and peer addresses of both ends, tcp_flush, and that a clone keeps the
 * connection open after the original id is dropped: the connection closes (the client
 * reads end of stream) only when the echo process drops its last id.
 *
 * expect-stdout: listening on 127\.0\.0\.1:\d+
 * expect-stdout: client: echoed 3 buffers, 23 bytes
 * expect-stdout: client: end of stream after the last id was dropped
 * expect-stdout: tcp_echo: all checks passed
 */
#include "check.h"
#include "lunatic.h"

enum { kTagStream = 1, kTagDone = 2 };

static uint16_t port;
static lunatic_process_id root;

/* Reads exactly `len` bytes; false at end of stream or on an error. */
static bool read_all(lunatic_tcp_stream stream, char* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    uint64_t n;
    if (lunatic_tcp_read(stream, buf + done, len - done, &n) != LUNATIC_NET_OK || n == 0) return false;
    done += n;
  }
  return true;
}

LUNATIC_ENTRY(echo) {
  lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  lunatic_tcp_stream stream = lunatic_message_take_tcp_stream(0);
  /* A clone shares the connection: dropping the original leaves it open. */
  lunatic_tcp_stream clone = lunatic_tcp_clone(stream);
  CHECK(clone != stream);
  lunatic_tcp_close(stream);
  lunatic_socket_address peer;
  CHECK(lunatic_tcp_peer_addr(clone, &peer, NULL));
  CHECK(peer.type == 4 && peer.ip[0] == 127 && peer.port != 0);
  char buf[64];
  for (;;) {
    uint64_t n, written;
    if (lunatic_tcp_read(clone, buf, sizeof buf, &n) != LUNATIC_NET_OK || n == 0) break;
    CHECK(lunatic_tcp_write(clone, buf, n, &written) == LUNATIC_NET_OK && written == n);
    CHECK(lunatic_tcp_flush(clone, NULL));
    if (memchr(buf, '\n', n)) break;  /* the request's end */
  }
  lunatic_tcp_close(clone);  /* the last id: the connection closes */
}

LUNATIC_ENTRY(client) {
  port = (uint16_t)arg;
  CHECK(lunatic_registry_get("root", &root, NULL));
  lunatic_tcp_stream stream;
  CHECK(lunatic_tcp_connect("127.0.0.1", port, 5000, &stream) == LUNATIC_NET_OK);
  lunatic_socket_address peer;
  CHECK(lunatic_tcp_peer_addr(stream, &peer, NULL));
  CHECK(peer.type == 4 && peer.port == port);
  const char* parts[] = {"hello, ", "vectored ", "world!\n   "};
  lunatic_ciovec request[3] = {{parts[0], 7}, {parts[1], 9}, {parts[2], 7}};
  uint64_t written = 0;
  CHECK(lunatic_raw_networking_tcp_write_vectored(stream, request, 3, &written) == 0);
  CHECK(written == 23);
  char reply[32] = {0};
  CHECK(read_all(stream, reply, 23));
  CHECK(memcmp(reply, "hello, vectored world!\n", 23) == 0);
  say("client: echoed 3 buffers, %d bytes", (int)written);
  uint64_t n = 1;
  CHECK(lunatic_tcp_read(stream, reply, sizeof reply, &n) == LUNATIC_NET_OK);
  if (n == 0) say("client: end of stream after the last id was dropped");
  else say("FAIL client: read %d bytes after the close", (int)n);
  lunatic_tcp_close(stream);
  lunatic_send(root, kTagDone, "", 0);
}

int main(void) {
  root = lunatic_self();
  lunatic_registry_put("root", root);
  lunatic_tcp_listener listener;
  CHECK(lunatic_tcp_bind("127.0.0.1", 0, &listener));
  lunatic_socket_address local;
  CHECK(lunatic_tcp_local_addr(listener, &local, NULL));
  port = local.port;
  char text[64];
  lunatic_socket_address_format(&local, text, sizeof text);
  say("listening on %s", text);
  /* Globals are per process: the client learns the port from its argument. */
  lunatic_process_id client;
  CHECK(lunatic_spawn("client", port, &client));
  lunatic_tcp_stream stream;
  lunatic_socket_address peer;
  CHECK(lunatic_tcp_accept(listener, &stream, &peer));
  CHECK(peer.type == 4 && peer.ip[0] == 127);
  lunatic_process_id echo_process;
  CHECK(lunatic_spawn("echo", 0, &echo_process));
  lunatic_send_tcp_stream(echo_process, kTagStream, stream, "", 0);
  lunatic_tag done = kTagDone;
  CHECK(lunatic_receive(&done, 1, 5000, NULL, 0, NULL) == LUNATIC_RECEIVE_DATA);
  lunatic_tcp_listener_close(listener);
  return checks_done("tcp_echo");
}
