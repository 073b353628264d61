// The blocking pool (blocking_pool.h): two sets of threads, started on first use.
#include "runtime/io/blocking_pool.h"

#include <sys/uio.h>

#include <cerrno>
#include <climits>
#include <condition_variable>
#include <deque>
#include <thread>

namespace lunatic::rt::io {
namespace {

// Threads that take items from one queue and handle them, started on first use.
template <typename Item>
class ThreadPool {
 public:
  template <typename Handler>
  ThreadPool(unsigned threads, Handler handle) {
    for (unsigned i = 0; i < threads; ++i) std::thread([this, handle] { serve(handle); }).detach();
  }
  void push(Item item) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(item));
    }
    work_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable work_;
  std::deque<Item> queue_;

  template <typename Handler>
  [[noreturn]] void serve(Handler handle) {
    for (;;) {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return !queue_.empty(); });
      Item item = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      handle(item);
    }
  }
};

// Operations: enough to keep a disk or two busy; a process waiting here costs only its park.
constexpr unsigned kOperationThreads = 4;

// Never destroyed: their threads outlive main.
ThreadPool<Operation*>& operationPool() {
  static auto* pool =
      new ThreadPool<Operation*>(kOperationThreads, [](Operation* op) { op->complete(performBlocking(*op)); });
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
