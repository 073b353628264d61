// lunatic::registry, and lunatic::process::get_or_spawn, over the registry of the caller's
// environment (process/registry.h: the whole program's, or one test's in test mode): a name
// belongs to the process it names, counts against its host memory budget and goes when it
// ends.
#include <cstring>
#include <string>

#include "runtime/api/api.h"
#include "runtime/api/cluster.h"
#include "runtime/process/registry.h"

namespace lunatic::rt::api {
namespace {


std::string_view nameAt(lunatic_instance* self, uint32_t ptr, uint32_t len, const char* function) {
  std::string_view name;
  if (!GuestMemory(self).view(ptr, len, &name)) fail(self, function, "the name is outside the process's memory");
  return name;
}

void put(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len, uint64_t node_id, uint64_t process_id) {
  Process& p = callerOf(self);
  std::string_view name = nameAt(self, name_ptr, name_len, "put");
  (void)node_id;
  std::string refusal;
  if (!registry::put(p.capabilities.environment, name, process_id, p.id, &refusal)) fail(self, "put", std::move(refusal));
}

uint32_t get(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len, uint32_t node_id_ptr,
             uint32_t process_id_ptr) {
  const uint64_t environment = callerOf(self).capabilities.environment;
  std::string_view name = nameAt(self, name_ptr, name_len, "get");
  GuestMemory memory(self);
  if (!memory.at(node_id_ptr, 8) || !memory.at(process_id_ptr, 8)) {
    fail(self, "get", "an output pointer is outside the process's memory");
  }
  ProcessId id = registry::lookup(environment, name);
  if (!id) return 1;
  memory.store64(node_id_ptr, cluster::localNodeId());
  memory.store64(process_id_ptr, id);
  return 0;
}

void remove(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len) {
  const uint64_t environment = callerOf(self).capabilities.environment;
  registry::remove(environment, nameAt(self, name_ptr, name_len, "remove"));
}

}  // namespace

uint32_t get_or_spawn(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len, int64_t link, int64_t config_id,
                      int64_t module_id, uint32_t function_ptr, uint32_t function_len, uint32_t params_ptr,
                      uint32_t params_len, uint32_t node_id_ptr, uint32_t id_ptr) {
  Process& p = callerOf(self);
  std::string_view name = nameAt(self, name_ptr, name_len, "get_or_spawn");
  GuestMemory memory(self);
  if (!memory.at(node_id_ptr, 8) || !memory.at(id_ptr, 8)) {
    fail(self, "get_or_spawn", "an output pointer is outside the process's memory");
  }
  SpawnRequest request;
  const char* refusal = prepareSpawn(
      self, "get_or_spawn", {link, config_id, module_id, function_ptr, function_len, params_ptr, params_len, id_ptr},
      request);
  if (!refusal && registry::nameBytes(name) > request.capabilities.max_host_memory / 4) {
    refusal = "the name is longer than the new process's host memory budget allows the names others give it";
  }
  if (refusal) return refuseSpawn(self, id_ptr, refusal);
  bool found = false;
  std::string error;
  auto spawn = [&]() -> ProcessId {
    ProcessRef child = spawnProcess(std::move(request), &error);
    return child ? child->id : 0;
  };
  ProcessId id = registry::getOrSpawn(p.capabilities.environment, name, p.id, &found, spawn);
  if (!id) return refuseSpawn(self, id_ptr, std::move(error));
  memory.store64(node_id_ptr, cluster::localNodeId());
  memory.store64(id_ptr, id);
  return found ? 2 : 0;
}

}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(registry, put, api::put);
LUNATIC_HOST_CODE(registry, get, api::get);
LUNATIC_HOST_CODE(registry, remove, api::remove);
