// The bytes a host function is about to hand its guest through lunatic_alloc
// (api/guest_reply.h): appended a few at a time (a row's values are a tag, a length and the
// bytes each), so an append is a compare and a copy, with no zero-filling as
// std::vector::resize would do. Kept by the process between replies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace lunatic::rt {

class ReplyBytes {
 public:
  void clear() { size_ = 0; }
  void append(const void* data, size_t length) {
    if (length > capacity_ - size_) grow(length);
    if (length) std::memcpy(bytes_.get() + size_, data, length);
    size_ += length;
  }
  // Replaces the contents with `length` bytes.
  void assign(const void* data, size_t length) {
    clear();
    append(data, length);
  }
  const uint8_t* data() const { return bytes_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  // Gives the memory back (a large reply is not kept for the next).
  void release() {
    bytes_.reset();
    size_ = capacity_ = 0;
  }

 private:
  void grow(size_t more) {
    size_t capacity = capacity_ ? capacity_ : 256;
    while (capacity - size_ < more) capacity *= 2;
    auto bytes = std::make_unique_for_overwrite<uint8_t[]>(capacity);
    if (size_) std::memcpy(bytes.get(), bytes_.get(), size_);
    bytes_ = std::move(bytes);
    capacity_ = capacity;
  }
  std::unique_ptr<uint8_t[]> bytes_;
  size_t size_ = 0, capacity_ = 0;
};

}  // namespace lunatic::rt
