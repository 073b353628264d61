// lunatic::distributed: the nodes of a cluster, and spawning and sending across them. Requests
// addressed to this node are served here as lunatic::process and ::message would serve them;
// requests to other nodes go to the cluster (cluster.h): none, or, with --node, an Erlang
// distribution node (runtime/distributed/).
//
// lunatic-rs asks node_id and module_id of every process it spawns, and sends through
// lunatic::message when the receiver is on its own node, so this module is linked by nearly
// every lunatic-rs program.
#include <algorithm>
#include <cstring>
#include <optional>

#include "runtime/api/api.h"
#include "runtime/api/cluster.h"
#include "runtime/process/registry.h"

namespace lunatic::rt::api {
namespace {

// Outside a cluster every module's id is 0, as upstream's; spawn on this node takes 0 for
// the caller's own module in a cluster too.
constexpr uint64_t kOwnModule = 0;

// Results, as upstream's. spawn: 1 no such node, 2 no such module; send: 1 no such process,
// 2 no such node; both: 9027 the node could not be reached.
constexpr uint32_t kSpawnNoNode = 1, kSpawnNoModule = 2, kSendNoProcess = 1, kSendNoNode = 2, kUnreachable = 9027;

uint32_t nodes_count(lunatic_instance*) { return uint32_t(cluster::current().nodes().size()); }

uint64_t node_id(lunatic_instance*) { return cluster::current().localNode(); }

uint64_t module_id(lunatic_instance* self) { return cluster::current().moduleId(callerOf(self).image); }

// Writes node ids as little-endian u64s at `ptr`, at most `capacity`; returns how many.
uint32_t copyNodes(lunatic_instance* self, std::vector<cluster::NodeId>&& nodes, uint32_t ptr, uint32_t capacity,
                   const char* function) {
  size_t count = std::min<size_t>(nodes.size(), capacity);
  uint8_t* out = GuestMemory(self).at(ptr, uint64_t(count) * 8);
  if (!out) {
    std::vector<cluster::NodeId>().swap(nodes);  // the failure skips destructors
    fail(self, function, "the node list is outside the process's memory");
  }
  for (size_t i = 0; i < count; ++i) std::memcpy(out + 8 * i, &nodes[i], 8);  // x86-64: little-endian
  return uint32_t(count);
}

uint32_t get_nodes(lunatic_instance* self, uint32_t nodes_ptr, uint32_t nodes_len) {
  return copyNodes(self, cluster::current().nodes(), nodes_ptr, nodes_len, "get_nodes");
}

// Stores an error id with `message` through `error_ptr` and returns `result`.
uint32_t refuse(lunatic_instance* self, const char* function, uint32_t error_ptr, const char* message,
                uint32_t result) {
  if (!GuestMemory(self).at(error_ptr, 8)) fail(self, function, "the id pointer is outside the process's memory");
  GuestMemory(self).store64(error_ptr, newError(callerOf(self), message));
  return result;
}

uint32_t spawn_on_node(lunatic_instance* self, uint64_t node, int64_t config_id, uint64_t module,
                       uint32_t function_ptr, uint32_t function_len, uint32_t params_ptr, uint32_t params_len,
                       uint32_t id_ptr) {
  Process& p = callerOf(self);
  // Upstream checks this before anything else, and traps.
  if (!p.capabilities.can_spawn_processes) {
    logRefusal(p, "spawn", "the process may not spawn processes");
    fail(self, "spawn", "the process may not spawn processes");
  }
  cluster::Cluster& cluster = cluster::current();
  if (node == cluster.localNode()) {
    if (module != kOwnModule && module != cluster.moduleId(p.image)) {
      return refuse(self, "spawn", id_ptr, "Module does not exist.", kSpawnNoModule);
    }
    // As lunatic::process::spawn, unlinked, of this program's module.
    return api::spawn(self, 0, config_id, -1, function_ptr, function_len, params_ptr, params_len, id_ptr);
  }
  GuestMemory memory(self);
  cluster::RemoteSpawn request;
  request.function = guestText(self, function_ptr, function_len, "spawn", "the function name");
  if (!memory.view(params_ptr, params_len, &request.params) || !memory.at(id_ptr, 8)) {
    fail(self, "spawn", "a pointer is outside the process's memory");
  }
  request.module_id = module;
  request.config = config_id == -1 ? &p.capabilities : &configOf(self, uint64_t(config_id), "spawn");
  if (!cluster.hasNode(node)) return refuse(self, "spawn", id_ptr, "Node does not exist.", kSpawnNoNode);
  if (!p.capabilities.can_spawn_on_nodes) {
    logRefusal(p, "spawn", "the process may not spawn processes on other nodes");
    return refuse(self, "spawn", id_ptr, "the process may not spawn processes on other nodes", kUnreachable);
  }
  ProcessId id = 0;
  std::string error;
  switch (cluster.spawn(p, node, request, &id, &error)) {
    case cluster::Outcome::Done:
      memory.store64(id_ptr, id);
      return 0;
    case cluster::Outcome::NoSuchNode:
      return refuse(self, "spawn", id_ptr, "Node does not exist.", kSpawnNoNode);
    case cluster::Outcome::NoSuchModule:
      // The node says which module it lacks, and why.
      memory.store64(id_ptr, newError(p, std::move(error)));
      return kSpawnNoModule;
    case cluster::Outcome::NoSuchProcess:
    case cluster::Outcome::Unreachable:
      break;
  }
  memory.store64(id_ptr, newError(p, std::move(error)));
  return kUnreachable;
}

// Takes the message being built for a send to a node, or the process fails: as upstream, only
// data messages without resources go to nodes (the local one included).
MessagePtr takeMessageForNode(lunatic_instance* self, const char* function) {
  const Message* m = callerOf(self).messages.current.get();
  if (m && m->kind != Message::Kind::Data) fail(self, function, "only data messages can be sent to a node");
  if (m && m->sockets && !m->sockets->empty()) fail(self, function, "a message to a node cannot carry resources");
  return takeOutgoingMessage(self, function);
}

// send's result for how a send to another node ended.
uint32_t sendResult(cluster::Outcome outcome) {
  switch (outcome) {
    case cluster::Outcome::Done: return 0;
    case cluster::Outcome::NoSuchProcess: return kSendNoProcess;
    case cluster::Outcome::NoSuchNode: return kSendNoNode;
    case cluster::Outcome::NoSuchModule:
    case cluster::Outcome::Unreachable: break;
  }
  return kUnreachable;
}

// Delivers `message` from the caller to `process` on `node`; send's result.
uint32_t deliverToNode(lunatic_instance* self, uint64_t node, uint64_t process, MessagePtr message) {
  cluster::Cluster& cluster = cluster::current();
  if (node == cluster.localNode()) {
    ProcessRef target = findProcess(process);
    if (!target) return kSendNoProcess;
    target->deliver(std::move(message));
    return 0;
  }
  return sendResult(cluster.send(callerOf(self), node, process, std::move(message)));
}

uint32_t send(lunatic_instance* self, uint64_t node, uint64_t process) {
  return deliverToNode(self, node, process, takeMessageForNode(self, "send"));
}

uint32_t send_receive_skip_search(lunatic_instance* self, uint64_t node, uint64_t process, int64_t wait_on_tag,
                                  uint64_t timeout_ms) {
  Process& p = callerOf(self);
  MessagePtr request = takeMessageForNode(self, "send_receive_skip_search");
  const Message* queued_before;
  {
    std::lock_guard lock(p.lock);
    queued_before = p.mailbox.newest();
  }
  if (uint32_t sent = deliverToNode(self, node, process, std::move(request)); sent != 0) return sent;
  return receiveAfter(self, &wait_on_tag, 1, timeout_ms, queued_before);
}

uint32_t exec_lookup_nodes(lunatic_instance* self, uint32_t query_ptr, uint32_t query_len, uint32_t query_id_ptr,
                           uint32_t nodes_len_ptr, uint32_t error_ptr) {
  Process& p = callerOf(self);
  GuestMemory memory(self);
  std::string_view query = guestText(self, query_ptr, query_len, "exec_lookup_nodes", "the query");
  if (!memory.at(query_id_ptr, 8) || !memory.at(nodes_len_ptr, 4) || !memory.at(error_ptr, 8)) {
    fail(self, "exec_lookup_nodes", "a pointer is outside the process's memory");
  }
  uint32_t matched = 0;
  std::string error;
  std::optional<uint64_t> query_id = cluster::current().lookupNodes(query, &matched, &error);
  if (!query_id) {
    memory.store64(error_ptr, newError(p, std::move(error)));
    return 1;
  }
  memory.store64(query_id_ptr, *query_id);
  // Upstream writes a host usize (8 bytes) here; guests read a u32, which is what is written.
  memory.store32(nodes_len_ptr, matched);
  return 0;
}

uint32_t copy_lookup_nodes_results(lunatic_instance* self, uint64_t query_id, uint32_t nodes_ptr, uint32_t nodes_len,
                                   uint32_t error_ptr) {
  callerOf(self);
  std::optional<std::vector<cluster::NodeId>> nodes = cluster::current().takeQueryResult(query_id);
  if (!nodes) return refuse(self, "copy_lookup_nodes_results", error_ptr, "Invalid query id", uint32_t(-1));
  return copyNodes(self, std::move(*nodes), nodes_ptr, nodes_len, "copy_lookup_nodes_results");
}

// --- This runtime's extensions (docs/abi.md) -----------------------------------------

uint32_t send_to_name(lunatic_instance* self, uint64_t node, uint32_t name_ptr, uint32_t name_len) {
  std::string_view name = guestText(self, name_ptr, name_len, "send_to_name", "the name");
  MessagePtr message = takeMessageForNode(self, "send_to_name");
  cluster::Cluster& cluster = cluster::current();
  if (node == cluster.localNode()) {
    ProcessRef target = findProcess(registry::lookup(callerOf(self).capabilities.environment, name));
    if (!target) return kSendNoProcess;
    target->deliver(std::move(message));
    return 0;
  }
  return sendResult(cluster.sendToName(callerOf(self), node, name, std::move(message)));
}

int32_t exists(lunatic_instance* self, uint64_t node, uint64_t process) {
  cluster::Cluster& cluster = cluster::current();
  if (node == cluster.localNode()) return findProcess(process) ? 1 : 0;
  bool found = false;
  if (cluster.exists(callerOf(self), node, process, &found) != cluster::Outcome::Done) return -1;
  return found ? 1 : 0;
}

// The local node's requests go to lunatic::process's own functions; a node that is not one
// of the cluster's is told as a process that is gone is.
void link(lunatic_instance* self, uint64_t node, uint64_t process, int64_t tag) {
  Process& p = callerOf(self);
  cluster::Cluster& cluster = cluster::current();
  if (node == cluster.localNode()) return linkProcesses(&p, process, tag, tag);
  cluster.link(p, node, process, tag);
}

void unlink(lunatic_instance* self, uint64_t node, uint64_t process) {
  Process& p = callerOf(self);
  cluster::Cluster& cluster = cluster::current();
  if (node == cluster.localNode()) return unlinkProcesses(&p, process);
  cluster.unlink(p, node, process);
}

void monitor(lunatic_instance* self, uint64_t node, uint64_t process) {
  Process& p = callerOf(self);
  cluster::Cluster& cluster = cluster::current();
  if (node == cluster.localNode()) return monitorProcess(p, process);
  cluster.monitor(p, node, process);
}

void stop_monitoring(lunatic_instance* self, uint64_t node, uint64_t process) {
  Process& p = callerOf(self);
  cluster::Cluster& cluster = cluster::current();
  if (node == cluster.localNode()) return stopMonitoringProcess(p, process);
  cluster.stopMonitoring(p, node, process);
}

}  // namespace

}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(distributed, nodes_count, api::nodes_count);
LUNATIC_HOST_CODE(distributed, get_nodes, api::get_nodes);
LUNATIC_HOST_CODE(distributed, node_id, api::node_id);
LUNATIC_HOST_CODE(distributed, module_id, api::module_id);
LUNATIC_HOST_CODE(distributed, spawn, api::spawn_on_node);
LUNATIC_HOST_CODE(distributed, send, api::send);
LUNATIC_HOST_CODE(distributed, send_receive_skip_search, api::send_receive_skip_search);
LUNATIC_HOST_CODE(distributed, exec_lookup_nodes, api::exec_lookup_nodes);
LUNATIC_HOST_CODE(distributed, copy_lookup_nodes_results, api::copy_lookup_nodes_results);
LUNATIC_HOST_CODE(distributed, link, api::link);
LUNATIC_HOST_CODE(distributed, unlink, api::unlink);
LUNATIC_HOST_CODE(distributed, monitor, api::monitor);
LUNATIC_HOST_CODE(distributed, stop_monitoring, api::stop_monitoring);
LUNATIC_HOST_CODE(distributed, exists, api::exists);
LUNATIC_HOST_CODE(distributed, send_to_name, api::send_to_name);
