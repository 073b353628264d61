// io.h: every operation first tries the system call without blocking; only if it would
// block does the process park on its worker's engine (engine.h) and try again when woken
// (a socket receive it does not try again: the engine makes it, and wakes it with the data).
//
// Without blocking means: RWF_NOWAIT for reads and writes (the page cache for regular files,
// the buffer for pipes and sockets), MSG_DONTWAIT for sockets. Inherited descriptors (stdin,
// stdout) keep their blocking mode: setting O_NONBLOCK would change them for every program
// sharing them. A descriptor that knows no RWF_NOWAIT (a terminal) is waited for with poll
// first and then read or written directly.
#include "runtime/io/io.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/io/blocking_pool.h"
#include "runtime/io/engine.h"
#include "runtime/clock.h"
#include "runtime/io/waiter.h"
#include "runtime/stats.h"

namespace lunatic::rt::io {
namespace {

stats::IoKind statsKind(Operation::Kind kind) {
  switch (kind) {
    case Operation::Kind::Poll: return stats::IoKind::Poll;
    case Operation::Kind::Receive: return stats::IoKind::Receive;
    case Operation::Kind::Read: return stats::IoKind::Read;
    case Operation::Kind::Write: return stats::IoKind::Write;
    case Operation::Kind::Call: break;
  }
  return stats::IoKind::Call;
}

// Counts an operation that parks its process (or blocks its thread): where it waits.
void countWait(const Operation& op, bool blocking_thread) {
  if (!stats::recording) return;
  stats::IoPath path = blocking_thread                         ? stats::IoPath::Thread
                       : op.kind == Operation::Kind::Call      ? stats::IoPath::Pool
                       : chosenBackend() == Backend::Uring     ? stats::IoPath::Uring
                                                               : stats::IoPath::Epoll;
  stats::countIo(path, statsKind(op.kind));
}

int iovCount(std::span<const iovec> iov) { return int(std::min<size_t>(iov.size(), IOV_MAX)); }

template <typename Call>
int64_t retryInterrupted(Call call) {
  for (;;) {
    int64_t n = call();
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

// Parks the calling process until `op` completes. A kill, or the deadline passing, cancels
// the operation, but the process still waits for it: the kernel may be using its buffers.
// A killed process then ends, unless `end_if_killed` is false (receiveOnEngine).
void awaitCompletion(Operation& op, uint64_t deadline_ns, bool end_if_killed) {
  Waiter& self = *op.waiter;
  bool cancelled = false;
  while (!op.done.load(std::memory_order_acquire)) {
    park(self, cancelled ? 0 : deadline_ns);
    if (op.done.load(std::memory_order_acquire) || cancelled || !op.engine) continue;
    if (killRequested(self) || (deadline_ns && nowNanoseconds() >= deadline_ns)) {
      cancelled = true;
      if (op.engine == currentEngine()) {
        op.engine->cancel(op);
      } else {
        op.engine->requestCancel(op);
      }
    }
  }
  if (end_if_killed) endIfKilled(self);
}

// An instance outside the scheduler (an embedding, a spec test driver) has no process to
// park: its thread blocks in the system call.
int64_t blockThread(Operation& op, uint64_t deadline_ns) {
  if (op.kind == Operation::Kind::Receive) {
    // Waits in poll(2), which keeps the deadline, then receives: -ECANCELED if the deadline
    // passed, as an engine would say; -EAGAIN if another thread took the data first.
    Interest readable{op.fd, POLLIN, 0};
    Operation wait;
    wait.interests = {&readable, 1};
    int64_t ready = blockThread(wait, deadline_ns);
    if (ready <= 0) return ready == 0 ? -ECANCELED : ready;
    return receiveWithoutWaiting(op);
  }
  if (op.kind != Operation::Kind::Poll) return performBlocking(op);
  std::vector<pollfd> fds;
  for (const Interest& i : op.interests) fds.push_back({i.fd, i.events, 0});
  for (;;) {
    int timeout = -1;
    if (deadline_ns) {
      uint64_t now = nowNanoseconds();
      timeout = now >= deadline_ns ? 0 : int(std::min<uint64_t>((deadline_ns - now + 999'999) / 1'000'000, INT_MAX));
    }
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    for (size_t k = 0; k < fds.size(); ++k) op.interests[k].revents = fds[k].revents;
    return n;
  }
}

// Runs `op` on the calling worker's engine and parks until it completes.
int64_t perform(Operation& op, uint64_t deadline_ns = 0, bool end_if_killed = true) {
  op.waiter = currentWaiter();  // before submitting: a pool thread may finish at once
  countWait(op, !op.waiter);
  if (!op.waiter) return blockThread(op, deadline_ns);
  if (op.kind == Operation::Kind::Call) {
    runOnBlockingPool(op);
  } else {
    currentEngine()->submit(op);
  }
  awaitCompletion(op, deadline_ns, end_if_killed);
  return op.result;
}

// io::poll without its first look: parks until one of `interests` is ready (or the
// deadline, 0: none, passes: then 0).
int pollOnEngine(std::span<Interest> interests, uint64_t deadline_ns) {
  if (deadline_ns && nowNanoseconds() >= deadline_ns) return 0;
  Operation op;
  op.kind = Operation::Kind::Poll;
  op.interests = interests;
  return int(perform(op, deadline_ns));
}

bool isRegularFile(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int64_t blockingTransfer(bool reading, int fd, std::span<const iovec> iov, int64_t offset) {
  return retryInterrupted([&]() -> ssize_t {
    // One buffer (the usual case) takes the plain calls, which skip importing an iovec array.
    if (iov.size() == 1) {
      const iovec& b = iov[0];
      if (offset >= 0) return reading ? pread(fd, b.iov_base, b.iov_len, offset) : pwrite(fd, b.iov_base, b.iov_len, offset);
      return reading ? ::read(fd, b.iov_base, b.iov_len) : ::write(fd, b.iov_base, b.iov_len);
    }
    if (offset >= 0) return reading ? preadv(fd, iov.data(), iovCount(iov), offset) : pwritev(fd, iov.data(), iovCount(iov), offset);
    return reading ? readv(fd, iov.data(), iovCount(iov)) : writev(fd, iov.data(), iovCount(iov));
  });
}

int64_t transfer(Operation::Kind kind, int fd, std::span<const iovec> iov, int64_t offset, Target target) {
  bool reading = kind == Operation::Kind::Read;
  stats::countIo(stats::IoPath::Direct, statsKind(kind));
  if (target == Target::NeverWaits) return blockingTransfer(reading, fd, iov, offset);
  if (!reading && target == Target::RegularFile) return blockingTransfer(false, fd, iov, offset);
  for (;;) {
    int64_t n = retryInterrupted([&] {
      return reading ? preadv2(fd, iov.data(), iovCount(iov), offset, RWF_NOWAIT)
                     : pwritev2(fd, iov.data(), iovCount(iov), offset, RWF_NOWAIT);
    });
    if (n != -EAGAIN && n != -EOPNOTSUPP) return n;
    if (target == Target::RegularFile || isRegularFile(fd)) {
      if (!reading) return blockingTransfer(false, fd, iov, offset);
      // Not in the page cache (or the file system cannot tell without blocking): the
      // engine reads it in the background.
      Operation op;
      op.kind = kind;
      op.fd = fd;
      op.iov = iov;
      op.offset = offset;
      return perform(op);
    }
    if (n == -EAGAIN) {
      waitReady(fd, reading ? POLLIN : POLLOUT);
      continue;
    }
    // No RWF_NOWAIT (a terminal, a character device): once poll says it is ready (usually
    // at once, so without the engine), this should not block.
    Interest interest{fd, short(reading ? POLLIN : POLLOUT), 0};
    poll({&interest, 1}, 0);
    return blockingTransfer(reading, fd, iov, offset);
  }
}

msghdr messageOf(std::span<const iovec> iov) {
  msghdr m{};
  m.msg_iov = const_cast<iovec*>(iov.data());
  m.msg_iovlen = size_t(iovCount(iov));
  return m;
}

}  // namespace

bool waitReady(int fd, short events, uint64_t deadline_ns) {
  Interest interest{fd, events, 0};
  return pollOnEngine({&interest, 1}, deadline_ns) != 0;
}

Target targetOf(unsigned st_mode, unsigned long st_rdev) {
  if (S_ISREG(st_mode)) return Target::RegularFile;
  // The memory devices (major 1) that never wait: null, zero, full, random (since Linux
  // 5.6), urandom. Not kmsg (1, 11), whose reads wait for the next message.
  constexpr unsigned kNull = 3, kZero = 5, kFull = 7, kRandom = 8, kUrandom = 9;
  if (S_ISCHR(st_mode) && major(st_rdev) == 1) {
    unsigned m = minor(st_rdev);
    if (m == kNull || m == kZero || m == kFull || m == kRandom || m == kUrandom) return Target::NeverWaits;
  }
  return Target::Unknown;
}

int64_t read(int fd, std::span<const iovec> iov, int64_t offset, Target target) {
  return transfer(Operation::Kind::Read, fd, iov, offset, target);
}

int64_t write(int fd, std::span<const iovec> iov, int64_t offset, Target target) {
  return transfer(Operation::Kind::Write, fd, iov, offset, target);
}

int64_t recv(int fd, std::span<const iovec> iov, int flags, int* out_flags, uint64_t deadline_ns, sockaddr* recv_from,
             socklen_t* from_length) {
  stats::countIo(stats::IoPath::Direct, stats::IoKind::Receive);
  msghdr m = messageOf(iov);
  for (;;) {
    Operation op;  // a fresh one each time round: an operation completes once
    op.kind = Operation::Kind::Receive;
    op.fd = fd;
    op.message = &m;
    op.flags = flags;
    op.single_buffer = m.msg_iovlen == 1 && !recv_from && !out_flags;
    m.msg_name = recv_from;
    m.msg_namelen = from_length ? *from_length : 0;
    int64_t n = receiveWithoutWaiting(op);
    if (n == -EAGAIN) {
      // Nothing yet: the engine (outside the scheduler, the thread) receives when something
      // comes; -EAGAIN again if someone else took it first.
      if (deadline_ns && nowNanoseconds() >= deadline_ns) return -ETIMEDOUT;
      n = perform(op, deadline_ns);
      if (n == -ECANCELED) return -ETIMEDOUT;  // a kill does not return
    }
    if (n != -EAGAIN) {
      if (out_flags) *out_flags = n >= 0 ? m.msg_flags : 0;
      if (from_length) *from_length = n >= 0 ? m.msg_namelen : 0;
      return n;
    }
  }
}

int64_t receiveOnEngine(int fd, iovec into, uint64_t deadline_ns) {
  msghdr m = messageOf({&into, 1});
  for (;;) {
    if (deadline_ns && nowNanoseconds() >= deadline_ns) return -ETIMEDOUT;
    Operation op;
    op.kind = Operation::Kind::Receive;
    op.fd = fd;
    op.message = &m;
    op.single_buffer = true;
    int64_t n = perform(op, deadline_ns, /*end_if_killed=*/false);
    if (n == -ECANCELED) return -ETIMEDOUT;  // or killed: the caller ends the process
    if (n != -EAGAIN) return n;              // -EAGAIN: another thread took what came
  }
}

int64_t send(int fd, std::span<const iovec> iov, int flags, uint64_t deadline_ns, const sockaddr* send_to,
             socklen_t to_length) {
  stats::countIo(stats::IoPath::Direct, stats::IoKind::Send);
  msghdr m = messageOf(iov);
  m.msg_name = const_cast<sockaddr*>(send_to);
  m.msg_namelen = send_to ? to_length : 0;
  for (;;) {
    // One buffer to a connected socket (the usual write to a stream) needs no msghdr.
    int64_t n = retryInterrupted([&] {
      return m.msg_iovlen == 1 && !send_to
                 ? ::send(fd, m.msg_iov[0].iov_base, m.msg_iov[0].iov_len, flags | MSG_DONTWAIT | MSG_NOSIGNAL)
                 : sendmsg(fd, &m, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
    });
    if (n != -EAGAIN) return n;
    if (!waitReady(fd, POLLOUT, deadline_ns)) return -ETIMEDOUT;
  }
}

int accept(int fd, sockaddr* address, socklen_t* length, uint64_t deadline_ns) {
  stats::countIo(stats::IoPath::Direct, stats::IoKind::Accept);
  for (;;) {
    socklen_t room = length ? *length : 0;
    int64_t n = retryInterrupted([&] { return accept4(fd, address, length ? &room : nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC); });
    if (n != -EAGAIN) {
      if (n >= 0 && length) *length = room;
      return int(n);
    }
    if (!waitReady(fd, POLLIN, deadline_ns)) return -ETIMEDOUT;
  }
}

int connect(int fd, const sockaddr* address, socklen_t length, uint64_t deadline_ns) {
  stats::countIo(stats::IoPath::Direct, stats::IoKind::Connect);
  int64_t n = retryInterrupted([&] { return ::connect(fd, address, length); });
  if (n != -EINPROGRESS) return int(n);
  if (!waitReady(fd, POLLOUT, deadline_ns)) return -ETIMEDOUT;
  int error = 0;
  socklen_t size = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) < 0) return -errno;
  return -error;
}

int poll(std::span<Interest> interests, uint64_t deadline_ns) {
  // Most waits find something ready at once: one poll(2), no engine. Its array is gone
  // before the process parks: a kill while parked skips destructors.
  stats::countIo(stats::IoPath::Direct, stats::IoKind::Poll);
  {
    std::vector<pollfd> fds;
    fds.reserve(interests.size());
    for (const Interest& i : interests) fds.push_back({i.fd, i.events, 0});
    int n = int(retryInterrupted([&] { return ::poll(fds.data(), fds.size(), 0); }));
    if (n < 0) return n;
    if (n > 0 || (deadline_ns && nowNanoseconds() >= deadline_ns)) {
      for (size_t k = 0; k < fds.size(); ++k) interests[k].revents = fds[k].revents;
      return n;
    }
  }
  return pollOnEngine(interests, deadline_ns);
}

int64_t offload(const std::function<int64_t()>& call) {
  Operation op;
  op.kind = Operation::Kind::Call;
  op.call = &call;
  return perform(op);
}

}  // namespace lunatic::rt::io
