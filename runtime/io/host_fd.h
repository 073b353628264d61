// A host file descriptor that closes itself: owned, or borrowed from whoever keeps it open
// (stdio, a granted directory: runtime/process/wasi_config.h).
#pragma once

#include <unistd.h>

#include <utility>

namespace lunatic::rt::wasi {

class HostFd {
 public:
  HostFd() = default;
  static HostFd owned(int fd) { return HostFd(fd, true); }
  static HostFd borrowed(int fd) { return HostFd(fd, false); }
  HostFd(HostFd&& other) noexcept : fd_(other.fd_), owned_(other.owned_) { other.fd_ = -1; }
  HostFd& operator=(HostFd&& other) noexcept {
    std::swap(fd_, other.fd_);
    std::swap(owned_, other.owned_);
    return *this;
  }
  HostFd(const HostFd&) = delete;
  HostFd& operator=(const HostFd&) = delete;
  // close() is not retried on EINTR: Linux has released the descriptor either way.
  ~HostFd() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Hands the descriptor over to the caller, who closes it.
  int release() { return std::exchange(fd_, -1); }
  bool isOwned() const { return owned_; }

 private:
  HostFd(int fd, bool owned) : fd_(fd), owned_(owned) {}
  int fd_ = -1;
  bool owned_ = false;
};

}  // namespace lunatic::rt::wasi
