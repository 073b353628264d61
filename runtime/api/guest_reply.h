// Values a host function hands to its guest as upstream Lunatic does (lunatic::sqlite's rows,
// lunatic::distributed's certificates): bytes in upstream's bincode (serde: fixed-width
// little-endian integers, u64 lengths), copied into memory the guest's exported
// lunatic_alloc(len) gives. The reply is built in the process's resources, not on the host
// function's frame, which guest code that traps (lunatic_alloc) leaves without destructors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/api/api.h"

namespace lunatic::rt::api {

// p's reply, emptied, to be filled and handed over.
std::vector<uint8_t>& newReply(Process& p);

// Hands the caller's reply to the guest: the address lunatic_alloc gave, the length written
// through `len_ptr` as a u32 (what lunatic-rs reads). The process fails, naming `function`,
// if it has no lunatic_alloc(i32) -> i32, if that returns memory outside the process's, or if
// the reply would take it past its host memory budget.
uint32_t handToGuest(lunatic_instance* self, const char* function, uint32_t len_ptr);

// Bincode.
void putU32(std::vector<uint8_t>& out, uint32_t value);
void putU64(std::vector<uint8_t>& out, uint64_t value);
void putBytes(std::vector<uint8_t>& out, const void* data, size_t length);  // a u64 length, then the bytes
void putText(std::vector<uint8_t>& out, const char* text);                 // a String; null: ""

}  // namespace lunatic::rt::api
