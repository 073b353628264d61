// The epoll backend (engine.h), for systems that refuse io_uring. Readiness comes from the
// worker's epoll instance; reads and writes of regular files, which epoll cannot wait for,
// run on the blocking pool.
//
// One epoll instance holds a descriptor once, but several processes may wait on the same
// one (stdin, a shared socket): each registered descriptor keeps the list of waiting
// interests and is registered for the union of their events, level-triggered. An interest
// that becomes ready completes its operation at once, and the operation's other interests
// are withdrawn, so an operation never outlives its completion here. A Receive is an
// interest in POLLIN whose readiness the engine turns into the recvmsg itself.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <unordered_map>
#include <unordered_set>

#include "runtime/io/blocking_pool.h"
#include "runtime/io/engine.h"

namespace lunatic::rt::io {
namespace {

constexpr uint64_t kWakeTag = UINT64_MAX;  // epoll_event.data of the eventfd
constexpr int kEventBatch = 64;

class EpollEngine final : public Engine {
 public:
  EpollEngine() = default;
  EpollEngine(const EpollEngine&) = delete;
  EpollEngine& operator=(const EpollEngine&) = delete;
  ~EpollEngine() override {
    if (epoll_fd_ >= 0) close(epoll_fd_);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  bool open() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll_fd_ < 0 || wake_fd_ < 0) return false;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kWakeTag;
    return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event) == 0;
  }

  const char* name() const override { return "epoll"; }

  void submit(Operation& op) override {
    bool receiving = op.kind == Operation::Kind::Receive;
    if (op.kind != Operation::Kind::Poll && !receiving) {
      op.engine = nullptr;  // the pool's: it cannot be cancelled
      runOnBlockingPool(op);
      return;
    }
    if (receiving) {
      op.readiness = {op.fd, POLLIN, 0};
      op.interests = {&op.readiness, 1};
    }
    op.engine = this;
    op.result = 0;
    ++in_flight_;
    live_.insert(&op);
    bool settled = op.interests.empty();
    for (size_t i = 0; i < op.interests.size(); ++i) {
      Interest& interest = op.interests[i];
      interest.revents = 0;
      Watch& watch = watches_[interest.fd];
      watch.waiters.push_back({&op, i});
      if (short refused = rearm(interest.fd, watch)) {
        // epoll cannot wait for this descriptor: a regular file is always ready (as poll(2)
        // says), a bad descriptor is POLLNVAL; a receive says why itself.
        interest.revents = refused == POLLNVAL ? POLLNVAL : short(interest.events & (POLLIN | POLLOUT));
        op.result = receiving ? receiveWithoutWaiting(op) : op.result + 1;
        settled = true;
      }
    }
    if (settled) settle(op);
  }

  void cancel(Operation& op) override {
    if (!live_.count(&op)) return;
    if (op.kind == Operation::Kind::Receive) op.result = -ECANCELED;
    settle(op);
  }

  void pollNow() override {
    takeCancelRequests();
    // Each look costs a system call. A worker that has run out of work looks on every
    // round it spins: after a look that found nothing, it skips a few.
    if (in_flight_ == 0) return;
    if (skips_ > 0) {
      --skips_;
      return;
    }
    if (dispatch(0) == 0) skips_ = kSkipsAfterEmptyPoll;
  }

  void wait(uint64_t timeout_ns) override {
    takeCancelRequests();
    dispatch(timeout_ns);
  }

  void wake() override { eventfd_write(wake_fd_, 1); }

 private:
  struct Watcher {
    Operation* op;
    size_t index;
  };
  struct Watch {
    std::vector<Watcher> waiters;
    uint32_t registered = 0;  // the events epoll has for it; 0: not in the epoll set
  };

  static constexpr unsigned kSkipsAfterEmptyPoll = 7;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  unsigned skips_ = 0;
  std::unordered_map<int, Watch> watches_;
  std::unordered_set<Operation*> live_;

  // Registers `fd` for the union of its waiters' events, or withdraws it if none is left.
  // Returns 0, or POLLNVAL / POLLIN if epoll refuses the descriptor (bad, or a regular file).
  short rearm(int fd, Watch& watch) {
    uint32_t wanted = 0;
    for (const Watcher& w : watch.waiters) wanted |= uint32_t(w.op->interests[w.index].events);
    if (wanted == watch.registered) return 0;
    epoll_event event{};
    event.events = wanted;
    event.data.u64 = uint64_t(fd);
    int result;
    if (wanted == 0) {
      result = epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    } else {
      result = epoll_ctl(epoll_fd_, watch.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
      // The guest closed the descriptor and opened another with the same number: epoll
      // forgot the old one by itself.
      if (result < 0 && errno == ENOENT) result = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
      if (result < 0 && errno == EEXIST) result = epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
    }
    watch.registered = result == 0 ? wanted : 0;
    if (result == 0 || wanted == 0) return 0;
    return errno == EPERM ? POLLIN : POLLNVAL;
  }

  // Completes `op` with the interests marked ready so far, withdrawing all of them.
  void settle(Operation& op) {
    live_.erase(&op);
    for (const Interest& interest : op.interests) {
      auto it = watches_.find(interest.fd);
      if (it == watches_.end()) continue;
      std::erase_if(it->second.waiters, [&](const Watcher& w) { return w.op == &op; });
      rearm(interest.fd, it->second);
      if (it->second.waiters.empty()) watches_.erase(it);
    }
    finish(op, op.result);
  }

  // epoll_pwait2 (Linux 5.11) waits to the nanosecond. Where the kernel lacks it (or
  // valgrind, which would otherwise leave the worker spinning on ENOSYS), epoll_wait waits
  // whole milliseconds, rounded up so that a timer is never early.
  int waitForEvents(epoll_event* events, uint64_t timeout_ns) {
    static std::atomic<bool> has_pwait2{true};
    if (has_pwait2.load(std::memory_order_relaxed)) {
      timespec timeout{int64_t(timeout_ns / 1'000'000'000), int64_t(timeout_ns % 1'000'000'000)};
      int n = epoll_pwait2(epoll_fd_, events, kEventBatch, timeout_ns == UINT64_MAX ? nullptr : &timeout, nullptr);
      if (n >= 0 || errno != ENOSYS) return n;
      has_pwait2.store(false, std::memory_order_relaxed);
    }
    int ms = timeout_ns == UINT64_MAX ? -1 : int(std::min<uint64_t>((timeout_ns + 999'999) / 1'000'000, INT_MAX));
    return epoll_wait(epoll_fd_, events, kEventBatch, ms);
  }

  // Returns how many events epoll gave.
  int dispatch(uint64_t timeout_ns) {
    epoll_event events[kEventBatch];
    int n = waitForEvents(events, timeout_ns);
    std::vector<Operation*> ready;
    for (int k = 0; k < n; ++k) {
      if (events[k].data.u64 == kWakeTag) {
        eventfd_t ignored;
        eventfd_read(wake_fd_, &ignored);
        continue;
      }
      auto it = watches_.find(int(events[k].data.u64));
      if (it == watches_.end()) continue;
      for (const Watcher& w : it->second.waiters) {
        Interest& interest = w.op->interests[w.index];
        // Errors and hang-ups are reported whether asked for or not, as poll(2) does.
        short revents = short(events[k].events & (uint32_t(interest.events) | EPOLLERR | EPOLLHUP));
        if (!revents || interest.revents) continue;
        bool first_ready;
        if (w.op->kind == Operation::Kind::Receive) {
          // Another waiter on the same socket may have taken the data: then wait on.
          int64_t received = receiveWithoutWaiting(*w.op);
          if (received == -EAGAIN) continue;
          w.op->result = received;
          first_ready = true;
        } else {
          first_ready = w.op->result++ == 0;
        }
        interest.revents = revents;
        if (first_ready) ready.push_back(w.op);
      }
    }
    for (Operation* op : ready) settle(*op);
    return n;
  }
};

}  // namespace

std::unique_ptr<Engine> makeEpollEngine() {
  auto engine = std::make_unique<EpollEngine>();
  if (!engine->open()) return nullptr;
  return engine;
}

}  // namespace lunatic::rt::io
