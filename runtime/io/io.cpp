// io.h, first version: each operation is made directly with the blocking system call on the
// worker thread. The I/O engine (engine.h) replaces this with park-and-resume.
#include "io/io.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <climits>
#include <vector>

#include "process/process.h"

namespace lunatic::rt::io {
namespace {

int64_t retry(auto call) {
  for (;;) {
    int64_t n = call();
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

int iovCount(std::span<const iovec> iov) { return int(std::min<size_t>(iov.size(), IOV_MAX)); }

}  // namespace

int64_t read(int fd, std::span<const iovec> iov, int64_t offset) {
  return retry([&] { return offset < 0 ? readv(fd, iov.data(), iovCount(iov)) : preadv(fd, iov.data(), iovCount(iov), offset); });
}

int64_t write(int fd, std::span<const iovec> iov, int64_t offset) {
  return retry([&] { return offset < 0 ? writev(fd, iov.data(), iovCount(iov)) : pwritev(fd, iov.data(), iovCount(iov), offset); });
}

int64_t recv(int fd, std::span<const iovec> iov, int flags, int* out_flags) {
  msghdr m{};
  m.msg_iov = const_cast<iovec*>(iov.data());
  m.msg_iovlen = size_t(iovCount(iov));
  int64_t n = retry([&] { return recvmsg(fd, &m, flags); });
  if (out_flags) *out_flags = m.msg_flags;
  return n;
}

int64_t send(int fd, std::span<const iovec> iov, int flags) {
  msghdr m{};
  m.msg_iov = const_cast<iovec*>(iov.data());
  m.msg_iovlen = size_t(iovCount(iov));
  return retry([&] { return sendmsg(fd, &m, flags | MSG_NOSIGNAL); });
}

int accept(int fd, sockaddr* address, socklen_t* length) {
  return int(retry([&] { return accept4(fd, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC); }));
}

int connect(int fd, const sockaddr* address, socklen_t length) {
  return int(retry([&] { return ::connect(fd, address, length); }));
}

int poll(std::span<Interest> interests, uint64_t deadline_ns) {
  std::vector<pollfd> fds;
  for (const Interest& i : interests) fds.push_back({i.fd, i.events, 0});
  for (;;) {
    int timeout = -1;
    if (deadline_ns) {
      uint64_t now = nowNanoseconds();
      timeout = now >= deadline_ns ? 0 : int(std::min<uint64_t>((deadline_ns - now + 999'999) / 1'000'000, INT_MAX));
    }
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    for (size_t k = 0; k < fds.size(); ++k) interests[k].revents = fds[k].revents;
    return n;
  }
}

int64_t offload(const std::function<int64_t()>& call) { return call(); }

}  // namespace lunatic::rt::io
