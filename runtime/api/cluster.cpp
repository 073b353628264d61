// The cluster of a runtime that is not part of one (cluster.h): node 0, no nodes, and no
// other node to reach; and the query results every cluster keeps.
#include "runtime/api/cluster.h"

#include <map>
#include <mutex>

namespace lunatic::rt::cluster {
namespace {

// Query results not taken yet are kept, as upstream keeps them, but only this many: a guest
// that never takes them must not fill the host's memory. The oldest go first.
constexpr size_t kMaxPendingQueries = 1024;

}  // namespace

uint64_t QueryResults::keep(std::vector<NodeId> nodes) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_query_++;
  pending_.emplace(id, std::move(nodes));
  if (pending_.size() > kMaxPendingQueries) pending_.erase(pending_.begin());
  return id;
}

std::optional<std::vector<NodeId>> QueryResults::take(uint64_t query_id) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(query_id);
  if (it == pending_.end()) return std::nullopt;
  std::vector<NodeId> nodes = std::move(it->second);
  pending_.erase(it);
  return nodes;
}

namespace {

class NoCluster final : public Cluster {
 public:
  NodeId localNode() const override { return 0; }
  std::vector<NodeId> nodes() const override { return {}; }
  bool hasNode(NodeId) const override { return false; }

  std::optional<uint64_t> lookupNodes(std::string_view, uint32_t* matched, std::string*) override {
    *matched = 0;
    return queries_.keep({});
  }
  std::optional<std::vector<NodeId>> takeQueryResult(uint64_t query_id) override { return queries_.take(query_id); }

  uint64_t moduleId(const ModuleImage*) const override { return 0; }
  Outcome spawn(Process&, NodeId, const RemoteSpawn&, ProcessId*, std::string*) override {
    return Outcome::NoSuchNode;
  }
  Outcome send(Process&, NodeId, ProcessId, MessagePtr) override { return Outcome::NoSuchNode; }
  Outcome sendToName(Process&, NodeId, std::string_view, MessagePtr) override { return Outcome::NoSuchNode; }
  Outcome exists(Process&, NodeId, ProcessId, bool*) override { return Outcome::NoSuchNode; }
  // As a link to a process that is gone: lunatic::distributed tells the caller at once.
  void link(Process&, NodeId, ProcessId, int64_t) override {}
  void unlink(Process&, NodeId, ProcessId) override {}
  void monitor(Process&, NodeId, ProcessId) override {}
  void stopMonitoring(Process&, NodeId, ProcessId) override {}

 private:
  QueryResults queries_;
};

}  // namespace

namespace {
NodeId local_node_id = 0;  // set once, before any process runs
}  // namespace

NodeId localNodeId() { return local_node_id; }
void setLocalNodeId(NodeId id) { local_node_id = id; }

Cluster& none() {
  static NoCluster cluster;
  return cluster;
}

}  // namespace lunatic::rt::cluster
