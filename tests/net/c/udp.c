/* UDP: send_to / receive_from between two sockets, connect / send / receive, addresses,
 * options, clones, and a socket moved to another process inside a message.
 *
 * expect-stdout: send_to / receive_from: "ping" from 127\.0\.0\.1:\d+
 * expect-stdout: a datagram larger than the buffer: truncated to 4 bytes
 * expect-stdout: unconnected: udp_peer_addr 1 ".+"
 * expect-stdout: connect / send / receive: "pong"
 * expect-stdout: options: broadcast on, ttl 17
 * expect-stdout: a socket moved to a child: the child received "moved"
 * expect-stdout: udp: all ok
 */
#include "net_test.h"

static lunatic_udp_socket bind_loopback(lunatic_socket_address* local) {
  lunatic_udp_socket socket;
  CHECK(lunatic_udp_bind("127.0.0.1", 0, &socket));
  CHECK(lunatic_udp_local_addr(socket, local, NULL));
  CHECK(local->type == 4 && local->port != 0);
  return socket;
}

TEST_ENTRY(receiver) {
  lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  lunatic_udp_socket socket = lunatic_message_take_udp_socket(0);
  send_u64(parent, 1, 0); /* ready */
  char buf[16];
  uint64_t n;
  CHECK(lunatic_udp_receive(socket, buf, sizeof buf, &n));
  CHECK(n == 5 && memcmp(buf, "moved", 5) == 0);
  say("a socket moved to a child: the child received \"moved\"");
  lunatic_udp_close(socket);
  send_u64(parent, 2, 0);
}

int main(void) {
  lunatic_socket_address a_address, b_address;
  lunatic_udp_socket a = bind_loopback(&a_address);
  lunatic_udp_socket b = bind_loopback(&b_address);

  uint64_t n;
  CHECK(lunatic_udp_send_to(a, "ping", 4, &b_address, &n));
  CHECK_EQ(n, 4);
  char buf[64];
  lunatic_socket_address from;
  CHECK(lunatic_udp_receive_from(b, buf, sizeof buf, &n, &from));
  CHECK(n == 4 && memcmp(buf, "ping", 4) == 0);
  CHECK(from.port == a_address.port);
  char text[64];
  lunatic_socket_address_format(&from, text, sizeof text);
  say("send_to / receive_from: \"ping\" from %s", text);

  CHECK(lunatic_udp_send_to(a, "truncated", 9, &b_address, &n));
  CHECK(lunatic_udp_receive(b, buf, 4, &n));
  CHECK(n == 4 && memcmp(buf, "trun", 4) == 0);
  say("a datagram larger than the buffer: truncated to %d bytes", (int)n);

  uint64_t error;
  CHECK_EQ(lunatic_raw_networking_udp_peer_addr(a, &error), 1);
  say("unconnected: udp_peer_addr 1 \"%s\"", error_text(error, text, sizeof text));

  CHECK_EQ(lunatic_udp_connect(a, &b_address, 1000, NULL), LUNATIC_NET_OK);
  CHECK_EQ(lunatic_udp_connect(b, &a_address, 1000, NULL), LUNATIC_NET_OK);
  uint64_t peer_iterator;
  CHECK_EQ(lunatic_raw_networking_udp_peer_addr(a, &peer_iterator), 0);
  lunatic_socket_address peer;
  CHECK(lunatic_resolve_next(peer_iterator, &peer));
  CHECK(peer.port == b_address.port);
  lunatic_dns_iterator_drop(peer_iterator);
  CHECK(lunatic_udp_send(b, "pong", 4, &n));
  CHECK(lunatic_udp_receive(a, buf, sizeof buf, &n));
  CHECK(n == 4 && memcmp(buf, "pong", 4) == 0);
  say("connect / send / receive: \"pong\"");

  CHECK(!lunatic_udp_get_broadcast(a));
  lunatic_udp_set_broadcast(a, true);
  CHECK(lunatic_udp_get_broadcast(a));
  lunatic_udp_set_ttl(a, 17);
  CHECK_EQ(lunatic_udp_get_ttl(a), 17);
  /* A clone is the same socket: it sees the options. */
  lunatic_udp_socket clone = lunatic_udp_clone(a);
  CHECK(clone != a && lunatic_udp_get_ttl(clone) == 17);
  lunatic_udp_close(clone);
  say("options: broadcast on, ttl %u", lunatic_udp_get_ttl(a));

  /* Move `a` to a child; `b` sends to it. */
  uint64_t child = spawn_ok("receiver", 0);
  lunatic_message_create(0, "", 0);
  CHECK_EQ(lunatic_message_push_udp_socket(a), 0);
  lunatic_raw_message_send(child);
  CHECK_EQ(expect_u64(1), 0);
  CHECK(lunatic_udp_send(b, "moved", 5, &n));
  CHECK_EQ(expect_u64(2), 0);
  lunatic_udp_close(b);
  say("udp: all ok");
  return 0;
}
