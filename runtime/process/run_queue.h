// A worker's run queue (process/scheduler.cpp): which runnable process goes next, and what
// another worker may steal. Kept apart from the scheduler so that its policy can be tested
// without threads or processes (tests/unit/); `Item` is Process there, and needs only the
// two fields the policy reads: `queued_at` and `fresh`.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace lunatic::rt::scheduler {

// A queue shorter than this is left to its worker: taking its last few processes would move
// them (and the messages they exchange) to another core for little gain.
inline constexpr size_t kMinSteal = 32;

// Two queues. `ready` (FIFO) holds processes that were woken or used up a time slice: first
// come, first served, as in Erlang. `fresh` holds spawned processes that have not run yet, of
// a tree being unfolded (scheduler::enqueue sends the others to `ready`), and is taken newest
// first, so trees of spawns unfold depth-first: few of their processes are alive at once, and
// memories and stacks come back warm. Neither starves the other: the head
// of `ready` goes first once it has waited kMaxWait pops, and the oldest fresh process once it
// has waited kMaxFreshWait (one every kAgedFreshInterval pops).
template <class Item>
class RunQueue {
 public:
  static constexpr uint64_t kMaxWait = 64;
  static constexpr uint64_t kMaxFreshWait = 65536;
  // Aged fresh processes are taken one per this many pops, not all in a row: when a tree's
  // deep subtree has kept its upper levels waiting, each one taken spawns its own subtree,
  // and taking them all at once unfolds the tree breadth-first (skynet with 10^6 leaves then
  // had half a million processes alive and ran 10 times slower).
  static constexpr uint64_t kAgedFreshInterval = 1024;

  // How many are queued; read without the lock, by other workers too.
  size_t size(std::memory_order order = std::memory_order_relaxed) const { return queued_.load(order); }

  void push(Item* p) {
    std::lock_guard lock(mutex_);
    p->queued_at = pops_;
    (p->fresh ? fresh_ : ready_).push_back(p);
    updateCount();
  }

  Item* pop() {
    if (size() == 0) return nullptr;
    std::lock_guard lock(mutex_);
    uint64_t now = pops_++;
    std::deque<Item*>* from = nullptr;
    bool oldest = true;
    if (!ready_.empty() && (fresh_.empty() || now - ready_.front()->queued_at >= kMaxWait)) {
      from = &ready_;
    } else if (!fresh_.empty()) {
      from = &fresh_;
      oldest = now - fresh_.front()->queued_at >= kMaxFreshWait && now - last_aged_fresh_pop_ >= kAgedFreshInterval;
      if (oldest) last_aged_fresh_pop_ = now;
    } else {
      return nullptr;
    }
    Item* p = oldest ? from->front() : from->back();
    if (oldest) {
      from->pop_front();
    } else {
      from->pop_back();
    }
    updateCount();
    return p;
  }

  // Moves the older half of one of the queues (fresh first: whole subtrees of work) to
  // `thief`, returning one of them to run; null if neither queue has kMinSteal.
  Item* stealInto(RunQueue& thief) {
    if (size() < kMinSteal) return nullptr;
    std::vector<Item*> taken;
    {
      std::lock_guard lock(mutex_);
      std::deque<Item*>& from = fresh_.size() >= kMinSteal ? fresh_ : ready_;
      if (from.size() < kMinSteal) return nullptr;
      size_t n = (from.size() + 1) / 2;
      taken.assign(from.begin(), from.begin() + n);
      from.erase(from.begin(), from.begin() + n);
      updateCount();
    }
    for (size_t i = 1; i < taken.size(); ++i) thief.push(taken[i]);
    return taken.front();
  }

 private:
  void updateCount() { queued_.store(ready_.size() + fresh_.size(), std::memory_order_relaxed); }

  std::mutex mutex_;
  std::deque<Item*> ready_;
  std::deque<Item*> fresh_;  // back: newest
  std::atomic<size_t> queued_{0};
  uint64_t pops_ = 0;
  uint64_t last_aged_fresh_pop_ = 0;
};

}  // namespace lunatic::rt::scheduler
