/* lunatic::distributed on a runtime that is not part of a cluster (docs/abi.md): this node is
 * 0, no nodes are known, and the program's module is 0. Spawning and sending on node 0 work as
 * lunatic::process and ::message do, with upstream's results for the rest: 1 for a node (spawn)
 * or process (send) that does not exist, 2 for a module (spawn) or node (send) that does not.
 * A node query finds nothing, and its result can be taken once. As upstream, only data
 * messages without resources go to nodes.
 *
 * expect-stdout: node 0, 0 nodes, 0 copied, module 0
 * expect-stdout: spawn on node 0: 0, child answered
 * expect-stdout: spawn on node 1: 1 "Node does not exist\."
 * expect-stdout: spawn of module 5: 2 "Module does not exist\."
 * expect-stdout: send on node 0: 0, received 77
 * expect-stdout: send to no process: 1; to node 3: 2
 * expect-stdout: request on node 0: 0, reply 78; to node 3: 2; to no process: 1
 * expect-stdout: lookup: 0, 0 nodes; results: 0, then -1 "Invalid query id"
 * expect-stdout: send of a received signal: (?P<p1>\d+) died
 * expect-stdout: send with no message: (?P<p2>\d+) died
 * expect-stdout: distributed: all ok
 * expect-stderr: lunatic: process {{p1}} failed: send: only data messages can be sent to a node at .*
 * expect-stderr: lunatic: process {{p2}} failed: send: no message in the slot.* at .*
 */
#include "common.h"

enum { TAG_HELLO = 1, TAG_DATA = 2, TAG_REQUEST = 3, TAG_REPLY = 4 };

#define UNKNOWN_PID ((uint64_t)1 << 40)

/* Says hello, then answers each request with its value plus one, and each data message by
 * echoing it tagged TAG_DATA. */
TEST_ENTRY(node_child) {
  send_u64(parent, TAG_HELLO, (uint64_t)arg);
  for (;;) {
    uint64_t value = 0;
    lunatic_message_info info;
    CHECK_EQ(receive_tag(0, LUNATIC_WAIT_FOREVER, &value, &info), LUNATIC_RECEIVE_DATA);
    send_u64(parent, info.tag == TAG_REQUEST ? TAG_REPLY : TAG_DATA, value + (info.tag == TAG_REQUEST));
  }
}

/* Receives the death of a monitored process and forwards the signal in the slot to a node. */
TEST_ENTRY(forwards_signal) {
  uint64_t pid = spawn_ok("node_child", 0);
  lunatic_monitor(pid);
  CHECK_EQ(expect_u64(TAG_HELLO), 0);
  lunatic_kill(pid);
  lunatic_message_info info;
  CHECK_EQ(lunatic_receive(NULL, 0, 5000, NULL, 0, &info), LUNATIC_RECEIVE_PROCESS_DIED);
  (void)lunatic_raw_distributed_send(0, parent);
}

TEST_ENTRY(sends_nothing) { (void)lunatic_raw_distributed_send(0, parent); }

static uint32_t node_spawn(uint64_t node, uint64_t module, int32_t arg, uint64_t* out) {
  uint8_t params[2 * LUNATIC_PARAM_SIZE];
  param_i64(params, (int64_t)lunatic_self());
  lunatic_param_i32(params + LUNATIC_PARAM_SIZE, arg);
  return lunatic_raw_distributed_spawn(node, LUNATIC_CONFIG_INHERIT, module, "node_child", 10, params,
                                       sizeof params, out);
}

int main(void) {
  uint64_t nodes[4] = {0};
  say("node %llu, %u nodes, %u copied, module %llu", (unsigned long long)lunatic_node_id(),
      lunatic_raw_distributed_nodes_count(), lunatic_raw_distributed_get_nodes(nodes, 4),
      (unsigned long long)lunatic_raw_distributed_module_id());
  uint64_t module = lunatic_raw_distributed_module_id();

  uint64_t child = 0;
  uint32_t status = node_spawn(0, module, 9, &child);
  CHECK_EQ(expect_u64(TAG_HELLO), 9);
  say("spawn on node 0: %u, child answered", status);

  char text[64];
  uint64_t error = 0;
  status = node_spawn(1, module, 0, &error);
  say("spawn on node 1: %u \"%s\"", status, error_text(error, text, sizeof text));
  status = node_spawn(0, 5, 0, &error);
  say("spawn of module 5: %u \"%s\"", status, error_text(error, text, sizeof text));

  uint64_t value = 77;
  lunatic_message_create(TAG_DATA, &value, sizeof value);
  status = lunatic_raw_distributed_send(0, child);
  say("send on node 0: %u, received %llu", status, (unsigned long long)expect_u64(TAG_DATA));
  lunatic_message_create(TAG_DATA, &value, sizeof value);
  uint32_t no_process = lunatic_raw_distributed_send(0, UNKNOWN_PID);
  lunatic_message_create(TAG_DATA, &value, sizeof value);
  uint32_t no_node = lunatic_raw_distributed_send(3, child);
  say("send to no process: %u; to node 3: %u", no_process, no_node);

  lunatic_message_create(TAG_REQUEST, &value, sizeof value);
  status = lunatic_raw_distributed_send_receive_skip_search(0, child, TAG_REPLY, 5000);
  uint64_t reply = 0;
  CHECK_EQ(lunatic_read(&reply, sizeof reply), 8);
  lunatic_message_create(TAG_REQUEST, &value, sizeof value);
  no_node = lunatic_raw_distributed_send_receive_skip_search(3, child, TAG_REPLY, 5000);
  lunatic_message_create(TAG_REQUEST, &value, sizeof value);
  no_process = lunatic_raw_distributed_send_receive_skip_search(0, UNKNOWN_PID, TAG_REPLY, 5000);
  say("request on node 0: %u, reply %llu; to node 3: %u; to no process: %u", status, (unsigned long long)reply,
      no_node, no_process);

  uint64_t query = 0;
  uint32_t found = 99;
  status = lunatic_raw_distributed_exec_lookup_nodes("", 0, &query, &found, &error);
  int32_t first = lunatic_raw_distributed_copy_lookup_nodes_results(query, nodes, 4, &error);
  int32_t second = lunatic_raw_distributed_copy_lookup_nodes_results(query, nodes, 4, &error);
  CHECK_EQ(second, -1);
  say("lookup: %u, %u nodes; results: %d, then %d \"%s\"", status, found, first, second,
      error_text(error, text, sizeof text));

  expect_entry_dies("forwards_signal", "send of a received signal");
  expect_entry_dies("sends_nothing", "send with no message");
  lunatic_kill(child);
  say("distributed: all ok");
  return 0;
}
