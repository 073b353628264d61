// A cursor over untrusted WebAssembly binary bytes. Every read checks the remaining length;
// the first failure is recorded (with its byte position) and all later reads return zeros,
// so decoding code can read straight on and test ok() at convenient points.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "lunatic/abi.h"

namespace lunaticc {

class WasmReader {
 public:
  explicit WasmReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  bool ok() const { return error_.empty(); }
  bool atEnd() const { return pos_ >= bytes_.size(); }
  const std::string& error() const { return error_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }

  void fail(const std::string& message) {
    if (error_.empty()) error_ = message + " at byte " + std::to_string(pos_);
    pos_ = bytes_.size();
  }

  uint8_t byte() {
    if (pos_ >= bytes_.size()) {
      fail("unexpected end");
      return 0;
    }
    return bytes_[pos_++];
  }

  std::span<const uint8_t> take(uint64_t n) {
    if (n > remaining()) {
      fail(atEnd() ? "unexpected end" : "length out of bounds");
      return {};
    }
    auto result = bytes_.subspan(pos_, n);
    pos_ += n;
    return result;
  }

  // LEB128 within the binary format's limits: at most ceil(bits/7) bytes, and the unused
  // bits of the last byte must be zero (unsigned) or copies of the sign bit (signed).
  uint64_t leb(unsigned bits, bool is_signed);

  uint32_t u32() { return uint32_t(leb(32, false)); }
  int32_t s32() { return int32_t(leb(32, true)); }
  int64_t s64() { return int64_t(leb(64, true)); }

  // A name: a length-prefixed string that must be valid UTF-8.
  std::string name();

  // A value type code (LUNATIC_TYPE_*), or fails.
  uint8_t valueType();
  // funcref or externref, or fails with "malformed reference type".
  uint8_t refType();

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace lunaticc
