// The cluster this runtime is a node of, as lunatic::distributed (distributed_api.cpp) sees
// it: which nodes there are, which of them match a query, and requests to the others (spawn
// a process there, send a message to one of its processes).
//
// The runtime is not part of a cluster yet: current() is a cluster of no nodes in which this
// runtime is node 0, as upstream Lunatic is when started without distribution. A real one
// (Erlang distribution through ei) implements this interface; lunatic::distributed handles
// requests addressed to the local node itself and asks the cluster only about others.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/process/process.h"

namespace lunatic::rt::cluster {

using NodeId = uint64_t;

// How a request to another node ended.
enum class Outcome : uint8_t {
  Done,
  NoSuchNode,
  NoSuchModule,   // spawn: the node has no module by that id
  NoSuchProcess,  // send: the node has no process by that id
  Unreachable,    // the connection to the node failed
};

// A process to start on another node: the function of the module `module_id` (as
// lunatic::distributed::module_id names modules), its parameters as spawn's 17-byte records,
// and the configuration it gets.
struct RemoteSpawn {
  uint64_t environment_id = 0;
  uint64_t module_id = 0;
  std::string_view function;
  std::string_view params;
  const Capabilities* config = nullptr;
};

class Cluster {
 public:
  virtual ~Cluster() = default;

  // This node's id; 0 outside a cluster.
  virtual NodeId localNode() const = 0;
  // Every node of the cluster, this one included; none outside a cluster.
  virtual std::vector<NodeId> nodes() const = 0;

  // Starts a query for the nodes whose tags match `query` ("key=value" pairs) and keeps its
  // result for takeQueryResult; returns its id and how many nodes matched, or nullopt and
  // sets `error`.
  virtual std::optional<uint64_t> lookupNodes(std::string_view query, uint32_t* matched, std::string* error) = 0;
  // The nodes a query found, once: the result is forgotten as it is taken. nullopt for an
  // unknown (or taken) query id.
  virtual std::optional<std::vector<NodeId>> takeQueryResult(uint64_t query_id) = 0;

  // Requests to another node (never the local one). They may park the calling process while
  // they wait for the node, and must leave nothing on its stack that owns memory then
  // (a kill unwinds without destructors, api/networking.h).
  virtual Outcome spawn(NodeId node, const RemoteSpawn& request, ProcessId* id, std::string* error) = 0;
  virtual Outcome send(NodeId node, ProcessId process, MessagePtr message) = 0;
};

// The cluster of this runtime.
Cluster& current();

}  // namespace lunatic::rt::cluster
