// In-memory standard streams (memory_stdio.h).
#include "runtime/io/memory_stdio.h"

#include <cerrno>
#include <cstring>

namespace lunatic::rt::wasi {

int64_t MemoryStream::read(std::span<const iovec> iov) {
  std::lock_guard guard(lock_);
  int64_t total = 0;
  for (const iovec& buffer : iov) {
    size_t n = std::min(buffer.iov_len, contents_.size() - read_position_);
    std::memcpy(buffer.iov_base, contents_.data() + read_position_, n);
    read_position_ += n;
    total += int64_t(n);
  }
  return total;
}

int64_t MemoryStream::write(std::span<const iovec> iov) {
  std::lock_guard guard(lock_);
  size_t length = 0;
  for (const iovec& buffer : iov) length += buffer.iov_len;
  if (contents_.size() > limit_ || length > limit_ - contents_.size()) {
    overflowed_ = true;
    return -EFBIG;
  }
  for (const iovec& buffer : iov) contents_.append(static_cast<const char*>(buffer.iov_base), buffer.iov_len);
  return int64_t(length);
}

std::string MemoryStream::take() {
  std::lock_guard guard(lock_);
  return std::move(contents_);
}

bool MemoryStream::overflowed() {
  std::lock_guard guard(lock_);
  return overflowed_;
}

}  // namespace lunatic::rt::wasi
