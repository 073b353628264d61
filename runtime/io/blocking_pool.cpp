// The blocking pool (blocking_pool.h): threads started on first use, more as work waits.
#include "runtime/io/blocking_pool.h"

#include <sys/uio.h>

#include <cerrno>
#include <climits>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace lunatic::rt::io {
namespace {

// Threads that take items from one queue and handle them: `least` started on first use, and
// one more, up to `most`, whenever an item arrives and none is idle. They never end.
template <typename Item>
class ThreadPool {
 public:
  ThreadPool(unsigned least, unsigned most, std::function<void(Item)> handle)
      : most_(most), handle_(std::move(handle)) {
    std::lock_guard lock(mutex_);
    while (threads_ < least) startThread();
  }
  void push(Item item) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(item));
      if (idle_ < queue_.size() && threads_ < most_) startThread();
    }
    work_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable work_;
  std::deque<Item> queue_;
  unsigned threads_ = 0;
  size_t idle_ = 0;
  const unsigned most_;
  const std::function<void(Item)> handle_;

  void startThread() {
    ++threads_;
    std::thread([this] { serve(); }).detach();
  }

  [[noreturn]] void serve() {
    for (;;) {
      std::unique_lock lock(mutex_);
      ++idle_;
      work_.wait(lock, [&] { return !queue_.empty(); });
      --idle_;
      Item item = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      handle_(item);
    }
  }
};

// Operations: a few threads, more while calls wait for the disk at once. fsyncs of many
// files finish sooner together than a few at a time (the file system commits its journal
// once for all that are waiting), and a process waiting here costs only its park.
constexpr unsigned kLeastOperationThreads = 4;
constexpr unsigned kMostOperationThreads = 64;

// Never destroyed: their threads outlive main.
ThreadPool<Operation*>& operationPool() {
  static auto* pool = new ThreadPool<Operation*>(kLeastOperationThreads, kMostOperationThreads,
                                                 [](Operation* op) { op->complete(performBlocking(*op)); });
  return *pool;
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

void runOnBlockingPool(Operation& op) { operationPool().push(&op); }


}  // namespace lunatic::rt::io
