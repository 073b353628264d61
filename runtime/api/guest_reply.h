// Values a host function hands to its guest as upstream Lunatic does (lunatic::sqlite's rows,
// lunatic::distributed's certificates): bytes in upstream's bincode (serde: fixed-width
// little-endian integers, u64 lengths), copied into memory the guest's exported
// lunatic_alloc(len) gives. The reply is built in the process's resources, not on the host
// function's frame, which guest code that traps (lunatic_alloc) leaves without destructors.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "runtime/api/api.h"

namespace lunatic::rt::api {

// p's reply, emptied, to be filled and handed over.
ReplyBytes& newReply(Process& p);

// Hands the caller's reply to the guest: the address lunatic_alloc gave, the length written
// through `len_ptr` as a u32 (what lunatic-rs reads). The process fails, naming `function`,
// if it has no lunatic_alloc(i32) -> i32, if that returns memory outside the process's, or if
// the reply would take it past its host memory budget.
uint32_t handToGuest(lunatic_instance* self, const char* function, uint32_t len_ptr);

// Bincode. Inline: a row's values are a few of these each, on every read_row.
static_assert(std::endian::native == std::endian::little,
              "bincode's integers are read and written as the host's");

inline void putU8(ReplyBytes& out, uint8_t value) { out.append(&value, 1); }  // an Option's tag
inline void putU32(ReplyBytes& out, uint32_t value) { out.append(&value, sizeof value); }
inline void putU64(ReplyBytes& out, uint64_t value) { out.append(&value, sizeof value); }
// A u64 length, then the bytes.
inline void putBytes(ReplyBytes& out, const void* data, size_t length) {
  putU64(out, length);
  out.append(data, length);
}
// A String; null: "".
inline void putText(ReplyBytes& out, const char* text) { putBytes(out, text, text ? std::strlen(text) : 0); }

}  // namespace lunatic::rt::api
