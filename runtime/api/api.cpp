// Shared parts of the lunatic::* host APIs (api.h) and the table they form together.
#include "api/api.h"
#include "api/networking.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "trap.h"

namespace lunatic::rt {
namespace {

// Every function the runtime provides must be in lunatic_functions.def, the documented
// ABI, with the same signature; a mismatch is a bug in the runtime, caught at start-up.
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
  for (const HostFunction& f : provided) {
    bool found = false;
    for (const Entry& e : abi) {
      if (std::strcmp(e.module, f.module) == 0 && std::strcmp(e.name, f.name) == 0) {
        found = std::strcmp(e.signature, f.signature) == 0;
        break;
      }
    }
    if (!found) {
      std::fprintf(stderr, "lunatic: internal error: %s.%s (%s) disagrees with lunatic_functions.def\n", f.module,
                   f.name, f.signature);
      std::abort();
    }
  }
}

}  // namespace

std::span<const HostFunction> lunaticHostFunctions() {
  static const std::vector<HostFunction> all = [] {
    std::vector<HostFunction> list;
    for (auto part : {api::processFunctions(), api::messageFunctions(), api::timerFunctions(),
                      api::registryFunctions(), api::errorAndVersionFunctions(), api::wasiConfigFunctions(),
                      net::tcpAndDnsFunctions(), net::udpFunctions(), net::socketMessageFunctions()}) {
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

void fail(lunatic_instance* instance, const char* function, const char* why) {
  Process* p = Process::of(instance);
  if (p) {
    p->host_failure = std::string(function) + ": " + why;  // logged with the backtrace as the process ends
  } else {
    std::fprintf(stderr, "lunatic: %s: %s\n", function, why);
  }
  lunatic_trap(LUNATIC_TRAP_HOST);
}

void fail(lunatic_instance* instance, const char* function, std::string why) {
  Process* p = Process::of(instance);
  if (!p) fail(instance, function, why.c_str());  // the embedding's failure ends it: nothing to keep
  p->host_failure = std::string(function) + ": " + why;
  std::string().swap(why);  // frees it: the trap skips this frame's destructors
  lunatic_trap(LUNATIC_TRAP_HOST);
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

uint64_t newError(Process& p, std::string message) {
  p.countOwn(errorBytes(message));
  ProcessResources& r = p.ownResources();
  uint64_t id = r.next_id++;
  r.errors.emplace(id, std::move(message));
  return id;
}

}  // namespace api
}  // namespace lunatic::rt
