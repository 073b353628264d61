// The cluster of a runtime that is not part of one (cluster.h): node 0, no nodes, and no
// other node to reach.
#include "runtime/api/cluster.h"

#include <map>
#include <mutex>

namespace lunatic::rt::cluster {
namespace {

// Query results not taken yet are kept, as upstream keeps them, but only this many: a guest
// that never takes them must not fill the host's memory. The oldest go first.
constexpr size_t kMaxPendingQueries = 1024;

class NoCluster final : public Cluster {
 public:
  NodeId localNode() const override { return 0; }
  std::vector<NodeId> nodes() const override { return {}; }

  std::optional<uint64_t> lookupNodes(std::string_view, uint32_t* matched, std::string*) override {
    std::lock_guard lock(mutex_);
    uint64_t id = next_query_++;
    pending_.emplace(id, std::vector<NodeId>());
    if (pending_.size() > kMaxPendingQueries) pending_.erase(pending_.begin());
    *matched = 0;
    return id;
  }

  std::optional<std::vector<NodeId>> takeQueryResult(uint64_t query_id) override {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(query_id);
    if (it == pending_.end()) return std::nullopt;
    std::vector<NodeId> nodes = std::move(it->second);
    pending_.erase(it);
    return nodes;
  }

  Outcome spawn(NodeId, const RemoteSpawn&, ProcessId*, std::string*) override { return Outcome::NoSuchNode; }
  Outcome send(NodeId, ProcessId, MessagePtr) override { return Outcome::NoSuchNode; }

 private:
  std::mutex mutex_;
  uint64_t next_query_ = 1;
  std::map<uint64_t, std::vector<NodeId>> pending_;
};

}  // namespace

Cluster& current() {
  static NoCluster cluster;
  return cluster;
}

}  // namespace lunatic::rt::cluster
