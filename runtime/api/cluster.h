// The cluster this runtime is a node of, as lunatic::distributed (distributed_api.cpp) sees
// it: which nodes there are, which of them match a query, and requests to the others (spawn
// a process there, send a message to one of its processes, link to or monitor one).
//
// Started without --node, the runtime is a cluster of no nodes in which it is node 0, as
// upstream Lunatic is when started without distribution (cluster.cpp). Started with one, the
// cluster is an Erlang distribution node (runtime/distributed/node.h). lunatic::distributed
// handles requests addressed to the local node itself and asks the cluster only about others.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/process/module_image.h"
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
  // Whether `node` is one of nodes() other than this one.
  virtual bool hasNode(NodeId node) const = 0;

  // Starts a query for the nodes whose tags match `query` ("key=value" pairs) and keeps its
  // result for takeQueryResult; returns its id and how many nodes matched, or nullopt and
  // sets `error`.
  virtual std::optional<uint64_t> lookupNodes(std::string_view query, uint32_t* matched, std::string* error) = 0;
  // The nodes a query found, once: the result is forgotten as it is taken. nullopt for an
  // unknown (or taken) query id.
  virtual std::optional<std::vector<NodeId>> takeQueryResult(uint64_t query_id) = 0;

  // The id lunatic::distributed::module_id gives the module `image` runs (0 outside a
  // cluster, as upstream).
  virtual uint64_t moduleId(const ModuleImage* image) const = 0;

  // Requests to another node (never the local one), made by `caller` on its own stack. They
  // may park it while they wait for the node, and leave nothing on its stack that owns memory
  // then (a kill unwinds without destructors, api/networking.h).
  virtual Outcome spawn(Process& caller, NodeId node, const RemoteSpawn& request, ProcessId* id,
                        std::string* error) = 0;
  // Sends `message` (a data message) from `caller` to `process` on `node`, or to the process
  // registered there as `name`. Done means handed to the connection: as in Erlang, a message
  // to a process that is gone, or to a node that goes down meanwhile, is dropped.
  virtual Outcome send(Process& caller, NodeId node, ProcessId process, MessagePtr message) = 0;
  virtual Outcome sendToName(Process& caller, NodeId node, std::string_view name, MessagePtr message) = 0;
  // Whether `process` lives on `node`: Done and *exists set, or why not known.
  virtual Outcome exists(Process& caller, NodeId node, ProcessId process, bool* exists) = 0;
  // Links and monitors to `process` on `node`, with lunatic::process::link's semantics: a
  // link's failure (or its node's) reaches the caller as a kill or LinkDied with `tag`, a
  // monitored process's end (or its node's) as ProcessDied.
  virtual void link(Process& caller, NodeId node, ProcessId process, int64_t tag) = 0;
  virtual void unlink(Process& caller, NodeId node, ProcessId process) = 0;
  virtual void monitor(Process& caller, NodeId node, ProcessId process) = 0;
  virtual void stopMonitoring(Process& caller, NodeId node, ProcessId process) = 0;
};

// Query results not taken yet, as upstream keeps them (lookupNodes, takeQueryResult).
class QueryResults {
 public:
  uint64_t keep(std::vector<NodeId> nodes);  // returns the query's id
  std::optional<std::vector<NodeId>> take(uint64_t query_id);

 private:
  std::mutex mutex_;
  uint64_t next_query_ = 1;
  std::map<uint64_t, std::vector<NodeId>> pending_;
};

// The cluster of no nodes (cluster.cpp).
Cluster& none();
// This node's id, for APIs that name it without asking the cluster anything else (the
// registry's answers), so that they link no distribution: 0 unless a node started.
NodeId localNodeId();
void setLocalNodeId(NodeId id);
// The cluster of this runtime: the node started with --node (runtime/distributed/node.cpp),
// or none().
Cluster& current();

}  // namespace lunatic::rt::cluster
