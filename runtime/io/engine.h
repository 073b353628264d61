// The I/O engine: one per worker thread, where processes that would block on I/O park.
//
// io.cpp tries every operation without blocking first; an engine is only asked for what
// would block: waiting until descriptors are ready (Poll), a receive on a socket that has
// nothing to read yet (Receive), or a read or write of a regular file whose data is not in
// the page cache (Read, Write). Two backends implement it:
//   - io_uring (uring_engine.cpp): each kind is one or more submissions on the worker's
//     ring; submissions are batched and go to the kernel when the worker next looks for work.
//     A Receive is one recvmsg submission, so the data comes with the wake-up, without a
//     second system call.
//   - epoll (epoll_engine.cpp): readiness through the worker's epoll instance (a Receive
//     waits for POLLIN, then the engine makes the recvmsg), file reads
//     and writes on the shared thread pool (blocking_pool.h). Chosen automatically when
//     io_uring is unavailable (the default seccomp profile of container engines refuses it).
// `LUNATIC_IO=uring|epoll` forces one. A kqueue backend would be a third implementation of
// Engine; nothing above this interface knows which one runs.
//
// Threads: an engine is used by its worker's thread only (submit, cancel, poll, wait), except
// for wake() and requestCancel(), which any thread may call.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "runtime/io/io.h"
#include "runtime/io/waiter.h"

namespace lunatic::rt::io {

class Engine;

// One operation a parked process waits for. It lives on the process's stack, which stays
// put while the process is parked; the engine touches it until it calls complete().
struct Operation {
  enum class Kind : uint8_t { Poll, Receive, Read, Write, Call };
  Kind kind = Kind::Poll;
  std::span<Interest> interests;  // Poll: what to wait for; revents filled in on completion
  int fd = -1;                    // Receive, Read, Write
  msghdr* message = nullptr;      // Receive: recvmsg's, with its `flags` (no MSG_DONTWAIT)
  int flags = 0;
  // Receive: one buffer, no address, no flags wanted back: made with recv, not recvmsg,
  // which spares the kernel copying the msghdr in and out (a few percent of an echo
  // server's time per message).
  bool single_buffer = false;
  Interest readiness{};           // Receive: the epoll backend's interest in POLLIN
  std::span<const iovec> iov;
  int64_t offset = -1;            // -1: the descriptor's position
  const std::function<int64_t()>* call = nullptr;  // Call: run on the blocking pool

  int64_t result = 0;  // Poll: how many are ready; Receive, Read, Write: bytes or -errno
  Waiter* waiter = nullptr;
  Engine* engine = nullptr;        // where it was submitted, for cancellation
  std::atomic<bool> done{false};
  uint32_t outstanding = 0;        // backend bookkeeping: kernel completions still to come
  bool cancelling = false;

  // Called once, when the kernel no longer uses the operation's buffers: publishes the
  // result and wakes the waiter. Nothing may touch the operation after. (Engines call
  // Engine::finish, which calls this.)
  void complete(int64_t value);
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const char* name() const = 0;
  // Starts `op`. Its completion (complete()) comes from poll() or wait() on this thread.
  virtual void submit(Operation& op) = 0;
  // Asks for `op` to end early (its waiter was killed, or its deadline passed); it still
  // completes, with whatever it had (Poll: 0 ready; others: -ECANCELED if not done).
  virtual void cancel(Operation& op) = 0;
  // Handles completions that are there, without blocking; sends batched submissions. The
  // worker calls this whenever it runs out of work and every few processes it runs
  // (scheduler.cpp), so with nothing in flight it costs two loads and no call.
  void poll() {
    if (in_flight_ > 0 || has_requests_.load(std::memory_order_relaxed)) pollNow();
  }
  // Blocks until a completion, wake(), or `timeout_ns` passes (UINT64_MAX: no timeout).
  virtual void wait(uint64_t timeout_ns) = 0;
  // Any thread: makes a wait() in progress (or the next one) return soon.
  virtual void wake() = 0;
  // Any thread: cancel() on the engine's own thread, soon.
  void requestCancel(Operation& op);
  // Whether operations are in flight (poll() has something to look for).
  bool busy() const { return in_flight_ > 0; }

 protected:
  virtual void pollNow() = 0;
  // Takes the cancellations other threads asked for; call from pollNow() and wait().
  void takeCancelRequests();
  // Completes `op` (Operation::complete) in step with requestCancel: a request that has
  // not been taken yet is dropped, and none can arrive after, since the waiter may free
  // the operation as soon as it is done.
  void finish(Operation& op, int64_t result);
  size_t in_flight_ = 0;

 private:
  std::mutex inbox_mutex_;
  std::vector<Operation*> cancel_requests_;
  std::atomic<bool> has_requests_{false};
};

enum class Backend : uint8_t { Uring, Epoll };

// The backend every worker uses: LUNATIC_IO if set (a bad value is a start-up error), else
// io_uring if the kernel lets this process make a ring, else epoll. Decided once.
Backend chosenBackend();

// A Receive's recvmsg (recv if single_buffer) with MSG_DONTWAIT, retried on EINTR: bytes,
// or -errno (-EAGAIN: nothing yet). The first try before parking, and the epoll backend's
// once ready.
int64_t receiveWithoutWaiting(const Operation& op);

// A new engine of the chosen backend, for the calling worker thread.
std::unique_ptr<Engine> makeEngine();
std::unique_ptr<Engine> makeUringEngine();  // null if io_uring is unavailable
std::unique_ptr<Engine> makeEpollEngine();

}  // namespace lunatic::rt::io
