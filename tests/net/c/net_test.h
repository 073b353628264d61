/* net_test.h: what the guest programs of tests/net share, on top of tests/processes/common.h
 * (say, CHECK, CHECK_EQ, TEST_ENTRY children, now_ms, error_text, expect_died).
 */
#ifndef NET_TESTS_NET_TEST_H
#define NET_TESTS_NET_TEST_H

#include <stdlib.h>

#include "common.h"

/* A listener on 127.0.0.1 at a port the system chose; its port in *port. */
static inline lunatic_tcp_listener listen_loopback(uint16_t* port) {
  lunatic_tcp_listener listener;
  CHECK(lunatic_tcp_bind("127.0.0.1", 0, &listener));
  lunatic_socket_address local;
  CHECK(lunatic_tcp_local_addr(listener, &local, NULL));
  *port = local.port;
  return listener;
}

/* The two ends of a new loopback connection, made by one process: the connection is
 * complete (the kernel's backlog holds it) before it is accepted. */
static inline void connected_pair(lunatic_tcp_stream* client, lunatic_tcp_stream* server) {
  uint16_t port;
  lunatic_tcp_listener listener = listen_loopback(&port);
  CHECK_EQ(lunatic_tcp_connect("127.0.0.1", port, 5000, client), LUNATIC_NET_OK);
  CHECK(lunatic_tcp_accept(listener, server, NULL));
  lunatic_tcp_listener_close(listener);
}

/* Reads exactly `len` bytes; false at end of stream, on an error or a timeout. */
static inline bool read_exactly(lunatic_tcp_stream stream, void* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    uint64_t n;
    if (lunatic_tcp_read(stream, (char*)buf + done, len - done, &n) != LUNATIC_NET_OK || n == 0) return false;
    done += n;
  }
  return true;
}

/* The port of the host peer (tests/net/host_peer.py). */
static inline uint16_t host_peer_port(void) {
  const char* port = getenv("HOST_PEER_PORT");
  CHECK(port != NULL);
  return (uint16_t)atoi(port);
}

#endif
