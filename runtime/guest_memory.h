// A checked view of a guest's linear memory for host functions. Every guest pointer and
// length goes through here: an access that is not wholly inside the memory yields null or
// false, never a host read or write outside it. (Sandbox-critical: keep it this small.)
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "lunatic/abi.h"

namespace lunatic::rt {

class GuestMemory {
 public:
  explicit GuestMemory(lunatic_instance* instance) : memory_(instance->memory) {}

  // Host address of [offset, offset + length), or null if any of it is outside memory.
  uint8_t* at(uint32_t offset, uint64_t length) const {
    if (!memory_ || uint64_t(offset) + length > memory_->size) return nullptr;
    return memory_->base + offset;
  }
  bool store32(uint32_t offset, uint32_t value) const { return copyIn(offset, &value, 4); }
  bool store64(uint32_t offset, uint64_t value) const { return copyIn(offset, &value, 8); }
  bool copyIn(uint32_t offset, const void* data, uint64_t length) const {
    uint8_t* p = at(offset, length);
    if (!p) return false;
    if (length) std::memcpy(p, data, length);
    return true;
  }
  // The bytes [offset, offset + length) as a view, or false.
  bool view(uint32_t offset, uint64_t length, std::string_view* out) const {
    const uint8_t* p = at(offset, length);
    if (!p) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p), length);
    return true;
  }

 private:
  lunatic_memory* memory_;
};

}  // namespace lunatic::rt
