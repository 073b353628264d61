/* node_probe: one program run as every node of tests/distributed/cluster_test.py; its first
 * argument says what the node does (after the runtime has taken --node and the rest):
 *   host                 serve: register an echo process as "echo" and wait
 *   three N              with N nodes up: spawn, request/response, links, monitors, exists
 *                        on every other node
 *   arm                  link to and monitor an echo process on the other node, say ARMED,
 *                        then report how long after that its node's death was seen
 *   erl NODE             talk to the Erlang node NODE's registered "erl_sink"
 *   other                with 2 nodes up: a spawn on the other must be refused as another
 *                        build's (the test builds this file twice, once with OTHER_BUILD)
 * Messages to echo carry their reply-to in front: node id and process id, 8 bytes each,
 * little-endian (what an Erlang sender's {Tag, Binary, Pid} becomes: docs/abi.md). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lunatic.h"

static void say(const char* line) {
  printf("%s\n", line);
  fflush(stdout);
}

static void fail(const char* why) {
  printf("FAIL %s\n", why);
  fflush(stdout);
  exit(1);
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A request: reply-to (this process), then the payload. */
static size_t request(uint8_t* out, const char* payload) {
  uint64_t node = lunatic_node_id(), self = lunatic_self();
  memcpy(out, &node, 8);
  memcpy(out + 8, &self, 8);
  size_t len = strlen(payload);
  memcpy(out + 16, payload, len);
  return 16 + len;
}

/* Answers each request with "pong:" and its payload, with the request's tag; "quit" ends it,
 * "crash" fails it. */
LUNATIC_ENTRY(echo) {
  uint8_t buf[2048];
  for (;;) {
    lunatic_message_info info;
    if (lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, buf, sizeof buf, &info) != LUNATIC_RECEIVE_DATA) continue;
    if (info.copied < 16) continue;
    uint64_t node, pid;
    memcpy(&node, buf, 8);
    memcpy(&pid, buf + 8, 8);
    size_t len = info.copied - 16;
    if (len == 4 && memcmp(buf + 16, "quit", 4) == 0) return;
    if (len == 5 && memcmp(buf + 16, "crash", 5) == 0) __builtin_trap();
    uint8_t reply[2048];
    memcpy(reply, "pong:", 5);
    memcpy(reply + 5, buf + 16, len);
    lunatic_node_send(node, pid, info.tag, reply, 5 + len);
  }
}

static void wait_for_nodes(uint32_t count) {
  uint64_t deadline = now_ms() + 20000;
  while (lunatic_nodes_count() < count) {
    if (now_ms() > deadline) fail("the cluster did not form");
    lunatic_sleep_ms(50);
  }
}

static void expect_pong(uint64_t node, uint64_t pid, int64_t tag, const char* payload) {
  uint8_t req[256], reply[256];
  size_t len = request(req, payload);
  lunatic_message_info info;
  if (lunatic_node_request(node, pid, tag, req, len, 10000, reply, sizeof reply - 1, &info) != LUNATIC_RECEIVE_DATA)
    fail("no reply to a request");
  reply[info.copied] = 0;
  char want[256];
  snprintf(want, sizeof want, "pong:%s", payload);
  if (strcmp((char*)reply, want) != 0 || info.tag != tag) fail("a wrong reply");
}

static uint64_t spawn_echo(uint64_t node) {
  uint64_t pid;
  if (lunatic_node_spawn(node, LUNATIC_CONFIG_INHERIT, "echo", 0, &pid) != LUNATIC_NODE_OK) fail("remote spawn");
  return pid;
}

static void tell(uint64_t node, uint64_t pid, const char* payload) {
  uint8_t req[256];
  size_t len = request(req, payload);
  if (lunatic_node_send(node, pid, 1, req, len) != LUNATIC_NODE_OK) fail("send");
}

/* Told (node, reply-to), spawns echo on the node and answers spawn's result. */
LUNATIC_ENTRY(remote_spawner) {
  uint64_t ask[2];
  lunatic_message_info info;
  if (lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, ask, sizeof ask, &info) != LUNATIC_RECEIVE_DATA) return;
  uint64_t pid = 0;
  uint32_t result = lunatic_node_spawn(ask[0], LUNATIC_CONFIG_INHERIT, "echo", 0, &pid);
  if (result == LUNATIC_NODE_OK) tell(ask[0], pid, "quit");
  lunatic_send(ask[1], 77, &result, sizeof result);
}

static uint32_t try_remote_spawn(lunatic_config_id config, uint64_t node) {
  uint64_t spawner;
  if (!lunatic_spawn_config(config, LUNATIC_NO_TAG, "remote_spawner", 0, &spawner)) fail("local spawn");
  uint64_t ask[2] = {node, lunatic_self()};
  lunatic_send(spawner, 1, ask, sizeof ask);
  uint32_t result;
  lunatic_tag tag = 77;
  if (lunatic_receive(&tag, 1, 10000, &result, sizeof result, NULL) != LUNATIC_RECEIVE_DATA) fail("no spawner answer");
  return result;
}

static void three(uint32_t count) {
  wait_for_nodes(count);
  uint64_t nodes[16];
  uint32_t n = lunatic_nodes(nodes, 16);
  if (n != count) fail("get_nodes and nodes_count disagree");
  lunatic_die_when_link_dies(false);
  int others = 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t node = nodes[i];
    if (node == lunatic_node_id()) continue;
    ++others;
    /* spawn and request/response */
    uint64_t echo = spawn_echo(node);
    expect_pong(node, echo, 7, "hello");
    expect_pong(node, echo, 8, "again");
    if (lunatic_node_exists(node, echo) != 1) fail("exists of a live remote process");
    /* a monitor fires when the remote process ends */
    lunatic_node_monitor(node, echo);
    tell(node, echo, "quit");
    lunatic_message_info info;
    if (lunatic_receive(NULL, 0, 10000, NULL, 0, &info) != LUNATIC_RECEIVE_PROCESS_DIED || info.process != echo)
      fail("monitor of a remote process");
    if (lunatic_node_exists(node, echo) != 0) fail("exists of an ended remote process");
    /* a link fails when the remote process does */
    uint64_t crasher = spawn_echo(node);
    lunatic_node_link(node, crasher, 5);
    expect_pong(node, crasher, 9, "linked");  /* the link is in place before the crash */
    tell(node, crasher, "crash");
    if (lunatic_receive(NULL, 0, 10000, NULL, 0, &info) != LUNATIC_RECEIVE_LINK_DIED || info.tag != 5)
      fail("link to a remote process");
    /* a remote process linked to us fails when we are told to: unlink leaves it alone */
    uint64_t calm = spawn_echo(node);
    lunatic_node_link(node, calm, 6);
    lunatic_node_unlink(node, calm);
    tell(node, calm, "crash");
    if (lunatic_receive(NULL, 0, 500, NULL, 0, &info) != LUNATIC_RECEIVE_TIMEOUT) fail("unlink");
    /* the module id names the same program on every node */
    uint64_t wrong;
    if (lunatic_raw_distributed_spawn(node, LUNATIC_CONFIG_INHERIT, lunatic_raw_distributed_module_id() ^ 1, "echo",
                                      4, NULL, 0, &wrong) != 2)
      fail("a spawn of an unknown module");
    /* a process whose config does not grant it may not spawn on nodes; one whose does may */
    lunatic_config_id config = lunatic_raw_process_create_config();
    lunatic_config_set_can_spawn_processes(config, true);
    if (try_remote_spawn(config, node) == LUNATIC_NODE_OK) fail("spawn without permission");
    lunatic_config_set_can_spawn_on_nodes(config, true);
    if (try_remote_spawn(config, node) != LUNATIC_NODE_OK) fail("spawn with permission");
  }
  printf("PASS three: %d other nodes\n", others);
  fflush(stdout);
}

static void arm(void) {
  wait_for_nodes(2);
  uint64_t nodes[4];
  uint32_t n = lunatic_nodes(nodes, 4);
  uint64_t other = nodes[0] == lunatic_node_id() ? nodes[1] : nodes[0];
  if (n != 2) fail("two nodes");
  lunatic_die_when_link_dies(false);
  uint64_t linked = spawn_echo(other), watched = spawn_echo(other);
  lunatic_node_link(other, linked, 3);
  lunatic_node_monitor(other, watched);
  expect_pong(other, linked, 2, "armed");
  expect_pong(other, watched, 2, "armed");
  say("ARMED");
  uint64_t start = now_ms();
  int link_died = 0, monitor_fired = 0;
  while (!link_died || !monitor_fired) {
    lunatic_message_info info;
    lunatic_receive_status status = lunatic_receive(NULL, 0, 120000, NULL, 0, &info);
    if (status == LUNATIC_RECEIVE_TIMEOUT) fail("the node's death was not seen");
    if (status == LUNATIC_RECEIVE_LINK_DIED && info.tag == 3) link_died = 1;
    if (status == LUNATIC_RECEIVE_PROCESS_DIED && info.process == watched) monitor_fired = 1;
  }
  /* A message to a process on the dead node is dropped; the node is gone from the list. */
  uint8_t req[64];
  size_t len = request(req, "late");
  lunatic_message_create(1, req, len);
  if (lunatic_raw_distributed_send(other, linked) != 2) fail("a send to a dead node");
  if (lunatic_nodes_count() != 1) fail("the dead node is still listed");
  printf("PASS arm: death seen %llu ms after ARMED\n", (unsigned long long)(now_ms() - start));
  fflush(stdout);
}

static void erl(const char* sink_node) {
  /* The Erlang node sends {Tag, Binary, Pid} to our "echo", which answers; then it tells us
   * its node id by sending to us, and we send to its registered name. */
  uint8_t buf[256];
  lunatic_message_info info;
  if (lunatic_receive(NULL, 0, 20000, buf, sizeof buf, &info) != LUNATIC_RECEIVE_DATA || info.copied < 16)
    fail("nothing from the Erlang node");
  uint64_t node;
  memcpy(&node, buf, 8);
  (void)sink_node;
  const char text[] = "from lunatic";
  if (lunatic_node_send_to_name(node, "erl_sink", 42, text, sizeof text - 1) != LUNATIC_NODE_OK)
    fail("send to an Erlang name");
  /* erl_sink answers {43, <<"ack">>} to our pid */
  if (lunatic_receive(NULL, 0, 20000, buf, sizeof buf - 1, &info) != LUNATIC_RECEIVE_DATA) fail("no answer from Erlang");
  buf[info.copied] = 0;
  if (info.tag != 43 || strcmp((char*)buf, "ack:from lunatic") != 0) fail("a wrong answer from Erlang");
  say("PASS erl");
  /* The Erlang node goes on with our echo (links, monitors) and says {44, <<"bye">>} when it
   * is done: the node stays up until then. */
  while (lunatic_receive(NULL, 0, 30000, buf, sizeof buf, &info) == LUNATIC_RECEIVE_DATA && info.tag != 44) {
  }
}

static void other(void) {
  wait_for_nodes(2);
  uint64_t nodes[4];
  lunatic_nodes(nodes, 4);
  uint64_t node = nodes[0] == lunatic_node_id() ? nodes[1] : nodes[0];
  uint64_t error;
  if (lunatic_node_spawn(node, LUNATIC_CONFIG_INHERIT, "echo", 0, &error) != LUNATIC_NODE_NO_NODE_OR_MODULE)
    fail("a spawn on a node of another build was not refused as such");
  char text[256];
  lunatic_error_string(error, text, sizeof text);
  printf("PASS other: %s\n", text);
  fflush(stdout);
}

#ifdef OTHER_BUILD
/* What makes this build's module, and so its id, differ. */
LUNATIC_ENTRY(only_in_the_other_build) { say("other"); }
#endif

int main(int argc, char** argv) {
  if (argc < 2) fail("usage: node_probe host|three N|arm|erl NODE");
  if (strcmp(argv[1], "host") == 0 || strcmp(argv[1], "erl") == 0) {
    uint64_t echo;
    if (!lunatic_spawn("echo", 0, &echo)) fail("spawn");
    lunatic_raw_registry_put("echo", 4, lunatic_node_id(), echo);
    if (strcmp(argv[1], "erl") == 0) {
      /* Another echo, for an Erlang process to link to and take down with it. */
      uint64_t victim;
      if (!lunatic_spawn("echo", 0, &victim)) fail("spawn");
      lunatic_raw_registry_put("victim", 6, lunatic_node_id(), victim);
      lunatic_raw_registry_put("main", 4, lunatic_node_id(), lunatic_self());
      say("READY");
      erl(argc > 2 ? argv[2] : "");
      return 0;
    }
    say("READY");
    for (;;) lunatic_sleep_ms(1000000);
  }
  if (strcmp(argv[1], "three") == 0 && argc > 2) three((uint32_t)atoi(argv[2]));
  else if (strcmp(argv[1], "arm") == 0) arm();
  else if (strcmp(argv[1], "other") == 0) other();
  else fail("unknown mode");
  return 0;
}
