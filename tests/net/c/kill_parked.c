/* Processes killed while parked in the network harm nothing else: one in tcp_accept, one in
 * tcp_read, one in a tcp_write that cannot go on (the peer reads nothing), one in
 * udp_receive, and one in a DNS lookup that takes 5 s (tests/net/test_dns.py). Each dies at
 * once when killed (its monitor says so well before the lookup would have ended), and what
 * it held is closed: its listener's port can be bound again, its streams' peers read end of
 * stream. The runtime goes on: another slow lookup and a connection work afterwards.
 *
 * expect-stdout: 5 processes parked: accept, read, write, udp receive, DNS lookup
 * expect-stdout: all 5 died within \d+ ms of the kills
 * expect-stdout: the killed reader's and writer's peers read end of stream
 * expect-stdout: the killed listener's port is free again
 * expect-stdout: afterwards: a lookup and a connection work
 * expect-stdout: kill parked: all ok
 * expect-max-seconds: 4
 */
#include "net_test.h"

enum { kParked = 5, kTagParking = 1 };

/* Each entry tells the root it is about to park, then parks for good. */
static void parking(uint64_t parent) {
  send_u64(parent, kTagParking, 0);
}

TEST_ENTRY(in_accept) {
  lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  uint64_t port;
  lunatic_read(&port, sizeof port);
  lunatic_socket_address address;
  CHECK(lunatic_socket_address_parse("127.0.0.1", (uint16_t)port, &address));
  lunatic_tcp_listener listener;
  CHECK(lunatic_tcp_bind_address(&address, &listener));
  parking(parent);
  lunatic_tcp_stream stream;
  lunatic_tcp_accept(listener, &stream, NULL);
  say("FAIL the killed acceptor accepted");
}

TEST_ENTRY(in_read) {
  lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  lunatic_tcp_stream stream = lunatic_message_take_tcp_stream(0);
  parking(parent);
  char buf[8];
  uint64_t n;
  lunatic_tcp_read(stream, buf, sizeof buf, &n);
  say("FAIL the killed reader read");
}

TEST_ENTRY(in_write) {
  lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  lunatic_tcp_stream stream = lunatic_message_take_tcp_stream(0);
  parking(parent);
  static char chunk[1 << 20];
  for (;;) {
    uint64_t n;
    if (lunatic_tcp_write(stream, chunk, sizeof chunk, &n) != LUNATIC_NET_OK) break;
  }
  say("FAIL the killed writer's write ended");
}

TEST_ENTRY(in_udp_receive) {
  lunatic_udp_socket socket;
  CHECK(lunatic_udp_bind("127.0.0.1", 0, &socket));
  parking(parent);
  char buf[8];
  uint64_t n;
  lunatic_udp_receive(socket, buf, sizeof buf, &n);
  say("FAIL the killed UDP receiver received");
}

TEST_ENTRY(in_lookup) {
  parking(parent);
  uint64_t id;
  lunatic_raw_networking_resolve("5000.slow.test:80", 17, LUNATIC_WAIT_FOREVER, &id);
  say("FAIL the killed lookup returned");
}

int main(void) {
  /* A port for the acceptor: bound and dropped here, so that it is free. */
  uint16_t accept_port;
  lunatic_tcp_listener_close(listen_loopback(&accept_port));
  lunatic_tcp_stream read_end, read_peer, write_end, write_peer;
  connected_pair(&read_end, &read_peer);
  connected_pair(&write_end, &write_peer);

  uint64_t ids[kParked];
  ids[0] = spawn_ok("in_accept", 0);
  uint64_t port = accept_port;
  lunatic_send(ids[0], 0, &port, sizeof port);
  ids[1] = spawn_ok("in_read", 0);
  lunatic_send_tcp_stream(ids[1], 0, read_end, "", 0);
  ids[2] = spawn_ok("in_write", 0);
  lunatic_send_tcp_stream(ids[2], 0, write_end, "", 0);
  ids[3] = spawn_ok("in_udp_receive", 0);
  ids[4] = spawn_ok("in_lookup", 0);
  for (int i = 0; i < kParked; ++i) {
    lunatic_monitor(ids[i]);
    CHECK_EQ(expect_u64(kTagParking), 0);
  }
  lunatic_sleep_ms(200); /* each is parked by now (the writer with its buffers full) */
  say("5 processes parked: accept, read, write, udp receive, DNS lookup");

  int64_t start = now_ms();
  for (int i = 0; i < kParked; ++i) lunatic_kill(ids[i]);
  for (int i = 0; i < kParked; ++i) {
    lunatic_message_info info;
    CHECK_EQ(lunatic_receive(NULL, 0, 3000, NULL, 0, &info), LUNATIC_RECEIVE_PROCESS_DIED);
  }
  int64_t took = now_ms() - start;
  CHECK(took < 1500);
  say("all 5 died within %d ms of the kills", (int)took);

  lunatic_tcp_set_read_timeout(read_peer, 3000);
  char buf[4096];
  uint64_t n;
  CHECK_EQ(lunatic_tcp_read(read_peer, buf, sizeof buf, &n), LUNATIC_NET_OK);
  CHECK_EQ(n, 0);
  /* The writer's peer first reads what was sent before the kill, then end of stream (or a
   * reset, if the writer's socket closed with bytes it had not sent). */
  lunatic_tcp_set_read_timeout(write_peer, 3000);
  lunatic_net_status status;
  do status = lunatic_tcp_read(write_peer, buf, sizeof buf, &n);
  while (status == LUNATIC_NET_OK && n > 0);
  CHECK(status != LUNATIC_TIMEOUT);
  if (status == LUNATIC_NET_ERROR) lunatic_error_drop(n);
  say("the killed reader's and writer's peers read end of stream");

  lunatic_socket_address address;
  CHECK(lunatic_socket_address_parse("127.0.0.1", accept_port, &address));
  lunatic_tcp_listener again;
  CHECK(lunatic_tcp_bind_address(&address, &again));
  say("the killed listener's port is free again");

  uint64_t iterator;
  CHECK_EQ(lunatic_raw_networking_resolve("100.slow.test:80", 16, 2000, &iterator), 0);
  lunatic_dns_iterator_drop(iterator);
  lunatic_tcp_stream client, server;
  CHECK_EQ(lunatic_tcp_connect("127.0.0.1", accept_port, 2000, &client), LUNATIC_NET_OK);
  CHECK(lunatic_tcp_accept(again, &server, NULL));
  say("afterwards: a lookup and a connection work");
  say("kill parked: all ok");
  return 0;
}
