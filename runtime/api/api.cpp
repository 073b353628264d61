// Shared parts of the lunatic::* host APIs (api.h) and the table they form together.
#include "runtime/api/api.h"
#include "runtime/api/networking.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "lunatic/utf8.h"
#include "runtime/trap.h"

namespace lunatic::rt {
namespace {

// The table must be the documented ABI, lunatic_functions.def, exactly: every function in
// it once, with its signature, so that every module the compiler accepts can start. A
// mismatch is a bug in the runtime, caught at start-up (by any test that runs a program).
void checkAgainstAbi(const std::vector<HostFunction>& provided) {
  struct Entry {
    const char* module;
    const char* name;
    const char* signature;
  };
  static constexpr Entry abi[] = {
#define LUNATIC_HOST_FUNCTION(module, name, signature) {module, #name, signature},
#include "lunatic/lunatic_functions.def"
#undef LUNATIC_HOST_FUNCTION
  };
  auto same = [](const Entry& e, const HostFunction& f) {
    return std::strcmp(e.module, f.module) == 0 && std::strcmp(e.name, f.name) == 0;
  };
  auto complain = [](const char* module, const char* name, const char* signature, const char* problem) {
    std::fprintf(stderr, "lunatic: internal error: %s.%s (%s): %s\n", module, name, signature, problem);
    std::abort();
  };
  for (const HostFunction& f : provided) {
    auto entry = std::find_if(std::begin(abi), std::end(abi), [&](const Entry& e) { return same(e, f); });
    if (entry == std::end(abi) || std::strcmp(entry->signature, f.signature) != 0) {
      complain(f.module, f.name, f.signature, "provided, but not so in lunatic_functions.def");
    }
  }
  for (const Entry& e : abi) {
    auto count = std::count_if(provided.begin(), provided.end(), [&](const HostFunction& f) { return same(e, f); });
    if (count != 1) complain(e.module, e.name, e.signature, count ? "provided more than once" : "not provided");
  }
}

}  // namespace

std::span<const HostFunction> lunaticHostFunctions() {
  static const std::vector<HostFunction> all = [] {
    std::vector<HostFunction> list;
    for (auto part : {api::processFunctions(), api::messageFunctions(), api::timerFunctions(),
                      api::registryFunctions(), api::errorAndVersionFunctions(), api::wasiConfigFunctions(),
                      api::distributedFunctions(), api::trapFunctions(), api::metricsFunctions(),
                      net::tcpAndDnsFunctions(), net::udpFunctions(), net::socketMessageFunctions(),
                      api::notProvidedFunctions()}) {
      list.insert(list.end(), part.begin(), part.end());
    }
    checkAgainstAbi(list);
    return list;
  }();
  return all;
}

namespace api {

Process& callerOf(lunatic_instance* instance) {
  Process* p = Process::of(instance);
  if (!p) {
    std::fprintf(stderr, "lunatic: a lunatic::* function was called outside a process\n");
    lunatic_trap(LUNATIC_TRAP_HOST);
  }
  return *p;
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

}  // namespace api
}  // namespace lunatic::rt
