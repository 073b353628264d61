/* The network capabilities (this runtime's extension, docs/abi.md): a config says whether
 * its processes may listen (tcp_bind, udp_bind) and connect (tcp_connect, udp_connect,
 * udp_send_to). A refusal is an error id that says why. A process cannot grant more than it
 * has: a child without the listen capability sets it in a config of its own, reads it back
 * false, and its child (the grandchild) is refused too, as is one spawned with the child's
 * own config.
 *
 * expect-stdout: no-listen child: tcp_bind refused: "tcp_bind: the process may not listen .+"
 * expect-stdout: no-listen child: udp_bind refused: "udp_bind: the process may not listen .+"
 * expect-stdout: no-listen child: tcp_connect allowed
 * expect-stdout: no-listen child: config_set_can_listen\(true\) reads back false
 * expect-stdout: grandchild \(new config\): tcp_bind refused
 * expect-stdout: grandchild \(inherited config\): tcp_bind refused
 * expect-stdout: no-connect child: tcp_connect refused: "tcp_connect: the process may not connect .+"
 * expect-stdout: no-connect child: udp_connect and udp_send_to refused, udp_bind allowed
 * expect-stdout: capabilities: all ok
 */
#include "net_test.h"

static uint16_t root_port;

/* tcp_bind must be refused; returns the error's text. */
static const char* bind_refused(char* text, size_t cap) {
  lunatic_tcp_listener listener;
  CHECK(!lunatic_tcp_bind("127.0.0.1", 0, &listener));
  return error_text(listener, text, cap);
}

TEST_ENTRY(grandchild) {
  char text[200];
  bind_refused(text, sizeof text);
  say("grandchild (%s): tcp_bind refused", arg ? "inherited config" : "new config");
  send_u64(parent, 1, 0);
}

TEST_ENTRY(no_listen) {
  char text[200];
  say("no-listen child: tcp_bind refused: \"%s\"", bind_refused(text, sizeof text));
  lunatic_udp_socket udp;
  CHECK(!lunatic_udp_bind("127.0.0.1", 0, &udp));
  say("no-listen child: udp_bind refused: \"%s\"", error_text(udp, text, sizeof text));
  lunatic_tcp_stream stream;
  CHECK_EQ(lunatic_tcp_connect("127.0.0.1", (uint16_t)arg, 5000, &stream), LUNATIC_NET_OK);
  lunatic_tcp_close(stream);
  say("no-listen child: tcp_connect allowed");

  lunatic_config_id config = lunatic_config_create();
  lunatic_config_set_can_listen(config, true);
  CHECK(!lunatic_config_can_listen(config));
  CHECK(lunatic_config_can_connect(config));
  say("no-listen child: config_set_can_listen(true) reads back false");
  uint64_t id;
  CHECK_EQ(spawn_child(config, 0, "grandchild", 0, &id), 0);
  CHECK_EQ(expect_u64(1), 0);
  CHECK_EQ(spawn_child(LUNATIC_CONFIG_INHERIT, 0, "grandchild", 1, &id), 0);
  CHECK_EQ(expect_u64(1), 0);
  send_u64(parent, 1, 0);
}

TEST_ENTRY(no_connect) {
  lunatic_tcp_stream stream;
  CHECK_EQ(lunatic_tcp_connect("127.0.0.1", (uint16_t)arg, 5000, &stream), LUNATIC_NET_ERROR);
  char text[200];
  say("no-connect child: tcp_connect refused: \"%s\"", error_text(stream, text, sizeof text));
  lunatic_udp_socket udp;
  CHECK(lunatic_udp_bind("127.0.0.1", 0, &udp));
  lunatic_socket_address to;
  CHECK(lunatic_socket_address_parse("127.0.0.1", (uint16_t)arg, &to));
  lunatic_error_id error;
  CHECK_EQ(lunatic_udp_connect(udp, &to, 1000, &error), LUNATIC_NET_ERROR);
  CHECK(strstr(error_text(error, text, sizeof text), "may not connect") != NULL);
  uint64_t n;
  CHECK(!lunatic_udp_send_to(udp, "x", 1, &to, &n));
  CHECK(strstr(error_text(n, text, sizeof text), "may not connect") != NULL);
  lunatic_udp_close(udp);
  say("no-connect child: udp_connect and udp_send_to refused, udp_bind allowed");
  send_u64(parent, 1, 0);
}

int main(void) {
  lunatic_tcp_listener listener = listen_loopback(&root_port);
  lunatic_config_id config = lunatic_config_create();
  CHECK(lunatic_config_can_listen(config) && lunatic_config_can_connect(config));
  lunatic_config_set_can_create_configs(config, true);
  lunatic_config_set_can_spawn_processes(config, true);
  lunatic_config_set_can_listen(config, false);
  CHECK(!lunatic_config_can_listen(config));
  uint64_t id;
  CHECK_EQ(spawn_child(config, 0, "no_listen", root_port, &id), 0);
  lunatic_tcp_stream accepted;
  CHECK(lunatic_tcp_accept(listener, &accepted, NULL));
  lunatic_tcp_close(accepted);
  CHECK_EQ(expect_u64(1), 0);

  lunatic_config_set_can_listen(config, true);
  lunatic_config_set_can_connect(config, false);
  CHECK_EQ(spawn_child(config, 0, "no_connect", root_port, &id), 0);
  CHECK_EQ(expect_u64(1), 0);
  lunatic_config_drop(config);
  lunatic_tcp_listener_close(listener);
  say("capabilities: all ok");
  return 0;
}
