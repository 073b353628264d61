/* TCP with a peer outside the runtime (tests/net/host_peer.py): the guest as a client of a
 * host echo server, and a host client of a guest server.
 *
 * expect-stdout: guest client: the host echoed 100000 bytes
 * expect-stdout: host client: GOT hello from the host
 * expect-stdout: host peer: all ok
 */
#include "net_test.h"

/* Writes 100,000 bytes while a child reads the echo: a writer that waited for the whole
 * echo first could deadlock with full buffers both ways. */
TEST_ENTRY(echo_reader) {
  lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  lunatic_tcp_stream stream = lunatic_message_take_tcp_stream(0);
  static char got[100000];
  CHECK(read_exactly(stream, got, sizeof got));
  for (size_t i = 0; i < sizeof got; ++i) CHECK(got[i] == (char)(i * 7));
  say("guest client: the host echoed %d bytes", (int)sizeof got);
  send_u64(parent, 1, 0);
}

int main(void) {
  lunatic_tcp_stream echo = control("ECHO\n");
  char line[128];
  read_line(echo, line, sizeof line);
  CHECK(strcmp(line, "OK") == 0);
  uint64_t reader = spawn_ok("echo_reader", 0);
  lunatic_send_tcp_stream(reader, 0, lunatic_tcp_clone(echo), "", 0);
  static char data[100000];
  for (size_t i = 0; i < sizeof data; ++i) data[i] = (char)(i * 7);
  /* Vectored, in uneven buffers. */
  size_t sent = 0;
  while (sent < sizeof data) {
    size_t first = (sizeof data - sent) / 3 + 1;
    lunatic_ciovec parts[2] = {{(const uint8_t*)data + sent, first},
                               {(const uint8_t*)data + sent + first, sizeof data - sent - first}};
    uint64_t n;
    CHECK_EQ(lunatic_raw_networking_tcp_write_vectored(echo, parts, 2, &n), 0);
    CHECK(n > 0);
    sent += n;
  }
  CHECK_EQ(expect_u64(1), 0);
  lunatic_tcp_close(echo);

  /* The host connects to a guest server. */
  uint16_t port;
  lunatic_tcp_listener listener = listen_loopback(&port);
  char command[64];
  snprintf(command, sizeof command, "CLIENT %u hello from the host\n", port);
  lunatic_tcp_stream host = control(command);
  lunatic_tcp_stream client;
  lunatic_socket_address peer;
  CHECK(lunatic_tcp_accept(listener, &client, &peer));
  CHECK(peer.type == 4 && peer.ip[0] == 127);
  lunatic_tcp_set_read_timeout(client, 5000);
  read_line(client, line, sizeof line);
  CHECK(strcmp(line, "hello from the host") == 0);
  uint64_t written;
  CHECK_EQ(lunatic_tcp_write(client, "hello from the host\n", 20, &written), LUNATIC_NET_OK);
  read_line(host, line, sizeof line);
  say("host client: %s", line);
  lunatic_tcp_close(client);
  lunatic_tcp_close(host);
  lunatic_tcp_listener_close(listener);
  say("host peer: all ok");
  return 0;
}
