// Shared parts of the lunatic::* host APIs (api.h).
#include "runtime/api/api.h"
#include "runtime/api/networking.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "lunatic/utf8.h"
#include "runtime/log.h"
#include "runtime/trap.h"

namespace lunatic::rt::api {

void trapOutsideProcess() {
  log::error("a lunatic::* function was called outside a process");
  lunatic_trap(LUNATIC_TRAP_HOST);
}

void logRefusal(const Process& p, const char* function, std::string_view why) {
  if (!log::debugEnabled()) return;
  log::write(log::Level::Debug, "refused", p.id,
             "process " + std::to_string(p.id) + ": " + function + " refused: " + std::string(why));
}

void holdHostMemory(lunatic_instance* self, Process& p, uint64_t bytes, const char* function) {
  if (!p.mayHold(bytes)) failOverBudget(self, p, bytes, function);
  p.holdOwn(bytes);
}

void failOverBudget(lunatic_instance* self, Process& p, uint64_t more, const char* function) {
  fail(self, function,
       "over the process's host memory budget: it holds " + std::to_string(p.hostBytes()) + " bytes and needs " +
           std::to_string(more) + " more, of max_host_memory " + std::to_string(p.capabilities.max_host_memory));
}

uint64_t errorBytes(const std::string& message) {
  return sizeof(std::pair<const uint64_t, std::string>) + kHashNodeOverhead + stringHeapBytes(message.capacity());
}

std::string_view guestText(lunatic_instance* self, uint32_t ptr, uint32_t len, const char* function,
                           const char* what) {
  std::string_view text;
  if (!GuestMemory(self).view(ptr, len, &text)) {
    fail(self, function, std::string(what) + " is outside the process's memory");
  }
  if (!isValidUtf8(text)) fail(self, function, std::string(what) + " is not UTF-8");
  return text;
}

uint64_t newError(Process& p, std::string message) {
  p.countOwn(errorBytes(message));
  ProcessResources& r = p.ownResources();
  uint64_t id = r.next_id++;
  r.errors.emplace(id, std::move(message));
  return id;
}

Message& dataMessageInSlot(lunatic_instance* self, const char* function) {
  MessagePtr& current = callerOf(self).messages.current;
  if (!current) fail(self, function, "no message in the slot (create_data or receive first)");
  if (current->kind != Message::Kind::Data) fail(self, function, "the message in the slot is a signal");
  return *current;
}

}  // namespace lunatic::rt::api
