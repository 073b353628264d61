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

/* A control connection to the host peer, on which `command` was sent. */
static inline lunatic_tcp_stream control(const char* command) {
  lunatic_tcp_stream stream;
  CHECK_EQ(lunatic_tcp_connect("127.0.0.1", host_peer_port(), 5000, &stream), LUNATIC_NET_OK);
  uint64_t written;
  CHECK_EQ(lunatic_tcp_write(stream, command, strlen(command), &written), LUNATIC_NET_OK);
  lunatic_tcp_set_read_timeout(stream, 10000);
  return stream;
}

/* One line from `stream`, without its newline. */
static inline void read_line(lunatic_tcp_stream stream, char* line, size_t cap) {
  size_t n = 0;
  while (n + 1 < cap) {
    CHECK(read_exactly(stream, line + n, 1));
    if (line[n] == '\n') break;
    ++n;
  }
  line[n] = '\0';
}

/* An environment variable the test's wrapper set, or the test fails. */
static inline const char* needed_env(const char* name) {
  const char* value = getenv(name);
  CHECK(value != NULL);
  return value;
}

#endif
