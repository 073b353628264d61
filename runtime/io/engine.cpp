// What the backends share (engine.h): completing an operation, cross-thread cancellation,
// and choosing the backend.
#include "runtime/io/engine.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/log.h"

namespace lunatic::rt::io {

void Operation::complete(int64_t value) {
  result = value;
  // Once `done` is set the waiter may return and free this operation, and even end: hold a
  // reference so that waking it never touches a recycled process.
  Waiter& woken = *waiter;
  retain(woken);
  done.store(true, std::memory_order_release);
  wake(woken);
  release(woken);
}

void Engine::requestCancel(Operation& op) {
  {
    std::lock_guard lock(inbox_mutex_);
    if (op.done.load(std::memory_order_relaxed)) return;
    cancel_requests_.push_back(&op);
    has_requests_.store(true, std::memory_order_release);
  }
  wake();
}

void Engine::takeCancelRequests() {
  if (!has_requests_.load(std::memory_order_acquire)) return;
  std::vector<Operation*> requests;
  {
    std::lock_guard lock(inbox_mutex_);
    requests.swap(cancel_requests_);
    has_requests_.store(false, std::memory_order_relaxed);
  }
  for (Operation* op : requests) cancel(*op);
}

void Engine::finish(Operation& op, int64_t result) {
  --in_flight_;
  std::unique_lock lock(inbox_mutex_);
  std::erase(cancel_requests_, &op);
  op.complete(result);
}

Backend chosenBackend() {
  static const Backend chosen = [] {
    const char* forced = std::getenv("LUNATIC_IO");
    if (forced && std::strcmp(forced, "epoll") == 0) return Backend::Epoll;
    bool uring_works = makeUringEngine() != nullptr;
    if (forced && std::strcmp(forced, "uring") == 0) {
      if (uring_works) return Backend::Uring;
      log::error("LUNATIC_IO=uring, but this system refuses io_uring");
      std::_Exit(1);
    }
    if (forced) {
      log::error(std::string("LUNATIC_IO=") + forced + ": want uring or epoll");
      std::_Exit(1);
    }
    return uring_works ? Backend::Uring : Backend::Epoll;
  }();
  return chosen;
}

int64_t receiveWithoutWaiting(const Operation& op) {
  for (;;) {
    ssize_t n = op.single_buffer ? ::recv(op.fd, op.message->msg_iov[0].iov_base, op.message->msg_iov[0].iov_len,
                                          op.flags | MSG_DONTWAIT)
                                 : recvmsg(op.fd, op.message, op.flags | MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

std::unique_ptr<Engine> makeEngine() {
  if (chosenBackend() == Backend::Uring) {
    if (std::unique_ptr<Engine> engine = makeUringEngine()) return engine;
    // A ring that worked at start-up can still fail for lack of locked memory (older kernels
    // charge rings to RLIMIT_MEMLOCK): this worker falls back, the others keep their rings.
  }
  return makeEpollEngine();
}

}  // namespace lunatic::rt::io
