// guest_reply.h: replies through lunatic_alloc, and their bincode.
#include "runtime/api/guest_reply.h"

#include <cstring>

#include "runtime/process/module_image.h"

namespace lunatic::rt::api {
namespace {

constexpr const char* kAllocator = "lunatic_alloc";
// A reply buffer above this is given back after use rather than kept for the next.
constexpr size_t kKeptReply = 64 * 1024;

}  // namespace

ReplyBytes& newReply(Process& p) {
  ProcessResources& r = p.ownResources();
  r.reply.clear();
  ++r.replies;
  return r.reply;
}

uint32_t handToGuest(lunatic_instance* self, const char* function, uint32_t len_ptr) {
  Process& p = callerOf(self);
  ProcessResources& r = p.ownResources();
  if (!GuestMemory(self).at(len_ptr, 4)) fail(self, function, "the length pointer is outside the process's memory");
  if (!r.allocator) {
    const char* signature = p.image->exportSignature(kAllocator);
    const lunatic_func* allocator = p.image->exportedFunction(kAllocator);
    if (!allocator || !signature || std::strcmp(signature, "i:i") != 0) {
      fail(self, function, "the module exports no function lunatic_alloc(i32) -> i32");
    }
    r.allocator = allocator;
  }
  if (r.reply.size() > UINT32_MAX) fail(self, function, "the value is larger than 4 GiB");
  if (!p.mayHold(r.reply.size())) failOverBudget(self, p, r.reply.size(), function);
  const uint32_t size = uint32_t(r.reply.size());
  const uint64_t reply = r.replies;
  using Allocator = uint32_t (*)(lunatic_instance*, uint32_t);
  uint32_t at = reinterpret_cast<Allocator>(const_cast<void*>(r.allocator->code))(self, size);
  if (r.replies != reply) fail(self, function, "lunatic_alloc called a host function that replies");
  GuestMemory memory(self);  // lunatic_alloc may have grown, and so moved, the memory
  if (!memory.copyIn(at, r.reply.data(), size)) {
    fail(self, function, "lunatic_alloc returned memory outside the process's memory");
  }
  memory.store32(len_ptr, size);
  if (r.reply.capacity() > kKeptReply) r.reply.release();
  return at;
}

}  // namespace lunatic::rt::api
