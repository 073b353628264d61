// The blocking pool (blocking_pool.h): started on first use, with a fixed number of threads.
#include "io/blocking_pool.h"

#include <sys/uio.h>

#include <cerrno>
#include <climits>
#include <condition_variable>
#include <deque>
#include <thread>

namespace lunatic::rt::io {
namespace {

// Enough to keep a disk or two busy; a process waiting here costs only its park.
constexpr unsigned kPoolThreads = 4;

struct BlockingPool {
  std::mutex mutex;
  std::condition_variable work;
  std::deque<Operation*> queue;
  std::deque<std::function<void()>> jobs;

  BlockingPool() {
    for (unsigned i = 0; i < kPoolThreads; ++i) std::thread([this] { serve(); }).detach();
  }
  [[noreturn]] void serve() {
    for (;;) {
      Operation* op = nullptr;
      std::function<void()> job;
      {
        std::unique_lock lock(mutex);
        work.wait(lock, [&] { return !queue.empty() || !jobs.empty(); });
        if (!queue.empty()) {
          op = queue.front();
          queue.pop_front();
        } else {
          job = std::move(jobs.front());
          jobs.pop_front();
        }
      }
      if (op) {
        op->complete(performBlocking(*op));
      } else {
        job();
      }
    }
  }
};

BlockingPool& pool() {
  static BlockingPool* p = new BlockingPool;  // never destroyed: its threads outlive main
  return *p;
}

}  // namespace

int64_t performBlocking(const Operation& op) {
  if (op.kind == Operation::Kind::Call) return (*op.call)();
  int count = int(std::min<size_t>(op.iov.size(), IOV_MAX));
  for (;;) {
    ssize_t n;
    if (op.kind == Operation::Kind::Read) {
      n = op.offset < 0 ? readv(op.fd, op.iov.data(), count) : preadv(op.fd, op.iov.data(), count, op.offset);
    } else {
      n = op.offset < 0 ? writev(op.fd, op.iov.data(), count) : pwritev(op.fd, op.iov.data(), count, op.offset);
    }
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

namespace {

template <typename Item>
void enqueue(std::deque<Item> BlockingPool::*queue, Item item) {
  BlockingPool& p = pool();
  {
    std::lock_guard lock(p.mutex);
    (p.*queue).push_back(std::move(item));
  }
  p.work.notify_one();
}

}  // namespace

void runOnBlockingPool(Operation& op) { enqueue(&BlockingPool::queue, &op); }

void runOnBlockingPool(std::function<void()> job) { enqueue(&BlockingPool::jobs, std::move(job)); }

}  // namespace lunatic::rt::io
