// lunatic::registry: processes by name, one registry per environment (Capabilities::
// environment: the whole program, or one test of test mode). A name whose process has ended
// is looked up as absent.
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/api.h"

namespace lunatic::rt::api {
namespace {

constexpr const char* kModule = "lunatic::registry";
constexpr uint64_t kThisNode = 0;  // there is one node: distribution is not supported

using Registry = std::unordered_map<std::string, ProcessId>;
std::mutex registry_mutex;
std::unordered_map<uint64_t, Registry> registries;  // by environment

// The caller's environment, read before registry_mutex is taken: a process that failed
// while holding it would never let go.
uint64_t environmentOf(lunatic_instance* self) { return callerOf(self).capabilities.environment; }
// The environment's registry; registry_mutex must be held.
Registry& registryOf(uint64_t environment) { return registries[environment]; }

std::string nameAt(lunatic_instance* self, uint32_t ptr, uint32_t len, const char* function) {
  std::string_view name;
  if (!GuestMemory(self).view(ptr, len, &name)) fail(self, function, "the name is outside the process's memory");
  return std::string(name);
}

void put(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len, uint64_t node_id, uint64_t process_id) {
  const uint64_t environment = environmentOf(self);
  std::string name = nameAt(self, name_ptr, name_len, "put");
  (void)node_id;
  std::lock_guard lock(registry_mutex);
  registryOf(environment)[std::move(name)] = process_id;
}

uint32_t get(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len, uint32_t node_id_ptr,
             uint32_t process_id_ptr) {
  const uint64_t environment = environmentOf(self);
  std::string name = nameAt(self, name_ptr, name_len, "get");
  GuestMemory memory(self);
  if (!memory.at(node_id_ptr, 8) || !memory.at(process_id_ptr, 8)) {
    fail(self, "get", "an output pointer is outside the process's memory");
  }
  ProcessId id = 0;
  {
    std::lock_guard lock(registry_mutex);
    Registry& registry = registryOf(environment);
    auto it = registry.find(name);
    if (it == registry.end()) return 1;
    id = it->second;
  }
  if (!findProcess(id)) return 1;
  memory.store64(node_id_ptr, kThisNode);
  memory.store64(process_id_ptr, id);
  return 0;
}

void remove(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len) {
  const uint64_t environment = environmentOf(self);
  std::string name = nameAt(self, name_ptr, name_len, "remove");
  std::lock_guard lock(registry_mutex);
  registryOf(environment).erase(name);
}

}  // namespace

uint32_t get_or_spawn(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len, int64_t link, int64_t config_id,
                      int64_t module_id, uint32_t function_ptr, uint32_t function_len, uint32_t params_ptr,
                      uint32_t params_len, uint32_t node_id_ptr, uint32_t id_ptr) {
  const uint64_t environment = environmentOf(self);
  std::string name = nameAt(self, name_ptr, name_len, "get_or_spawn");
  GuestMemory memory(self);
  if (!memory.at(node_id_ptr, 8) || !memory.at(id_ptr, 8)) {
    fail(self, "get_or_spawn", "an output pointer is outside the process's memory");
  }
  // Held across the spawn, so two processes asking for one name get one process.
  std::lock_guard lock(registry_mutex);
  Registry& registry = registryOf(environment);
  auto it = registry.find(name);
  if (it != registry.end() && findProcess(it->second)) {
    memory.store64(node_id_ptr, kThisNode);
    memory.store64(id_ptr, it->second);
    return 2;
  }
  uint32_t result = spawn(self, link, config_id, module_id, function_ptr, function_len, params_ptr, params_len, id_ptr);
  if (result == 0) {
    uint64_t id = 0;
    std::memcpy(&id, memory.at(id_ptr, 8), 8);
    registry[name] = id;
    memory.store64(node_id_ptr, kThisNode);
  }
  return result;
}

void forgetRegistry(uint64_t environment) {
  std::lock_guard lock(registry_mutex);
  registries.erase(environment);
}

std::span<const HostFunction> registryFunctions() {
  static const HostFunction functions[] = {
      host(kModule, "put", "iiII:", put),
      host(kModule, "get", "iiii:i", get),
      host(kModule, "remove", "ii:", remove),
  };
  return functions;
}

}  // namespace lunatic::rt::api
