// lunatic::error (the text of an error id a call returned) and lunatic::version.
#include "runtime/api/api.h"

namespace lunatic::rt::api {
namespace {

// The Lunatic release whose host ABI this runtime follows.
constexpr uint32_t kMajor = 0, kMinor = 13, kPatch = 2;

uint32_t major(lunatic_instance*) { return kMajor; }
uint32_t minor(lunatic_instance*) { return kMinor; }
uint32_t patch(lunatic_instance*) { return kPatch; }

const std::string& errorText(lunatic_instance* self, uint64_t id, const char* function) {
  Process& p = callerOf(self);
  if (p.resources) {
    auto it = p.resources->errors.find(id);
    if (it != p.resources->errors.end()) return it->second;
  }
  fail(self, function, "no such error");
}

uint32_t string_size(lunatic_instance* self, uint64_t id) { return uint32_t(errorText(self, id, "string_size").size()); }

void to_string(lunatic_instance* self, uint64_t id, uint32_t ptr) {
  const std::string& text = errorText(self, id, "to_string");
  if (!GuestMemory(self).copyIn(ptr, text.data(), text.size())) {
    fail(self, "to_string", "the buffer is outside the process's memory");
  }
}

void drop(lunatic_instance* self, uint64_t id) {
  Process& p = callerOf(self);
  p.releaseOwn(errorBytes(errorText(self, id, "drop")));
  p.resources->errors.erase(id);
}

}  // namespace

}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(error, string_size, api::string_size);
LUNATIC_HOST_CODE(error, to_string, api::to_string);
LUNATIC_HOST_CODE(error, drop, api::drop);
LUNATIC_HOST_CODE(version, major, api::major);
LUNATIC_HOST_CODE(version, minor, api::minor);
LUNATIC_HOST_CODE(version, patch, api::patch);
