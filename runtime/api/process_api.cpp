// lunatic::process: spawning, links, monitors, kill, sleep, and the configs that carry
// capabilities to children. A new config holds what upstream's does (every permission
// denied, no limits), but, unlike upstream Lunatic, a config can never grant more than its
// creator has: it starts within the creator's limits and every setter clamps to them
// (docs/abi.md, "Deviations").
#include <algorithm>
#include <cstring>

#include "lunatic/value_types.h"
#include "runtime/api/api.h"
#include "runtime/process/module_image.h"
#include "runtime/process/scheduler.h"

namespace lunatic::rt::api {
namespace {

// Spawning is charged an 8th of a time slice, so a process spawning in a loop yields after
// at most 8 spawns and its children keep pace (the worker runs the parent again after
// kMaxWait of them) instead of piling up by the thousand: in guard-page mode each holds an
// 8 GiB reservation, and the address space ends near 16,000 of them. Fewer children alive
// at a time also means fewer memories to reset, still in cache when they end: bench-spawn
// ran 18% faster with 8 than with 25 (a 4th gained nothing more).
constexpr int64_t kSpawnCost = scheduler::kSliceReductions / 8;
// What a new config allows a process's linear memory, as upstream (u32::MAX: 4 GiB less a byte).
constexpr uint64_t kNewConfigMaxMemory = UINT32_MAX;
// What a config holds, as its creator's host memory budget counts it.
constexpr uint64_t kConfigBytes = sizeof(std::pair<const uint64_t, Capabilities>) + kHashNodeOverhead;
// A spawn parameter: a type byte, then 16 bytes of value (little-endian, zero-padded).
constexpr size_t kParamRecord = 17;

// The fuel the calling process has left, in units: the most it can grant (0: no limit).
uint64_t fuelLimitOf(const Process& p) {
  return p.capabilities.max_fuel ? uint64_t(std::max<int64_t>(1, (p.fuel_left + kFuelUnit - 1) / kFuelUnit)) : 0;
}

// What the calling process has, as a config: the most it can grant.
Capabilities ownLimits(Process& p) {
  Capabilities c = p.capabilities;
  c.max_fuel = fuelLimitOf(p);
  return c;
}

uint64_t create_config(lunatic_instance* self) {
  Process& p = callerOf(self);
  if (!p.capabilities.can_create_configs) {
    logRefusal(p, "create_config", "the process may not create configs");
    return UINT64_MAX;  // -1: denied
  }
  holdHostMemory(self, p, kConfigBytes, "create_config");
  // As upstream: no permission, max_memory u32::MAX bytes, no fuel limit, no arguments,
  // environment or directories. Networking, which upstream grants every process, stays as
  // the creator has it; so does the host memory budget, which upstream does not have.
  Capabilities config;
  config.max_memory = kNewConfigMaxMemory;
  config.can_spawn_processes = config.can_create_configs = config.can_compile_modules = false;
  config.narrowTo(ownLimits(p));
  ProcessResources& r = p.ownResources();
  uint64_t id = r.next_id++;
  // The config's environment is its creator's (a test's children stay in its registry).
  // Standard streams an embedder holds in memory stay the creator's too: the children of a
  // test or of a request write where it does, never to the host's stdio.
  config.environment = p.capabilities.environment;
  if (const std::shared_ptr<wasi::MemoryStdio>& stdio = p.capabilities.wasi->memory_stdio) {
    auto view = std::make_shared<wasi::WasiConfig>();
    view->memory_stdio = stdio;
    config.wasi = std::move(view);
  }
  r.configs.emplace(id, std::move(config));
  return id;
}

void drop_config(lunatic_instance* self, uint64_t id) {
  Process& p = callerOf(self);
  if (!p.resources || p.resources->configs.erase(id) == 0) fail(self, "drop_config", "no such config");
  p.releaseOwn(kConfigBytes);
}

void config_set_max_memory(lunatic_instance* self, uint64_t id, uint64_t bytes) {
  Capabilities& c = configOf(self, id, "config_set_max_memory");
  c.max_memory = std::min(bytes, callerOf(self).capabilities.max_memory);
}

uint64_t config_get_max_memory(lunatic_instance* self, uint64_t id) {
  return configOf(self, id, "config_get_max_memory").max_memory;
}

void config_set_max_fuel(lunatic_instance* self, uint64_t id, uint64_t fuel) {
  Capabilities& c = configOf(self, id, "config_set_max_fuel");
  // 0 asks for no limit, which only a process without a limit can give.
  c.max_fuel = fuel;
  c.narrowFuelTo(fuelLimitOf(callerOf(self)));
}

uint64_t config_get_max_fuel(lunatic_instance* self, uint64_t id) {
  return configOf(self, id, "config_get_max_fuel").max_fuel;
}

// This runtime's extension (docs/abi.md, "Extensions"): the host memory budget.
void config_set_max_host_memory(lunatic_instance* self, uint64_t id, uint64_t bytes) {
  Capabilities& c = configOf(self, id, "config_set_max_host_memory");
  c.max_host_memory = std::min(bytes, callerOf(self).capabilities.max_host_memory);
}

uint64_t config_get_max_host_memory(lunatic_instance* self, uint64_t id) {
  return configOf(self, id, "config_get_max_host_memory").max_host_memory;
}

uint32_t config_can_compile_modules(lunatic_instance* self, uint64_t id) {
  return configOf(self, id, "config_can_compile_modules").can_compile_modules;
}
void config_set_can_compile_modules(lunatic_instance* self, uint64_t id, uint32_t can) {
  configOf(self, id, "config_set_can_compile_modules").can_compile_modules =
      can && callerOf(self).capabilities.can_compile_modules;
}
uint32_t config_can_create_configs(lunatic_instance* self, uint64_t id) {
  return configOf(self, id, "config_can_create_configs").can_create_configs;
}
void config_set_can_create_configs(lunatic_instance* self, uint64_t id, uint32_t can) {
  configOf(self, id, "config_set_can_create_configs").can_create_configs =
      can && callerOf(self).capabilities.can_create_configs;
}
uint32_t config_can_spawn_processes(lunatic_instance* self, uint64_t id) {
  return configOf(self, id, "config_can_spawn_processes").can_spawn_processes;
}
void config_set_can_spawn_processes(lunatic_instance* self, uint64_t id, uint32_t can) {
  configOf(self, id, "config_set_can_spawn_processes").can_spawn_processes =
      can && callerOf(self).capabilities.can_spawn_processes;
}

// This runtime's extension (docs/abi.md, "Extensions"): the network capabilities.
uint32_t config_can_listen(lunatic_instance* self, uint64_t id) {
  return configOf(self, id, "config_can_listen").can_listen;
}
void config_set_can_listen(lunatic_instance* self, uint64_t id, uint32_t can) {
  configOf(self, id, "config_set_can_listen").can_listen = can && callerOf(self).capabilities.can_listen;
}
uint32_t config_can_spawn_on_nodes(lunatic_instance* self, uint64_t id) {
  return configOf(self, id, "config_can_spawn_on_nodes").can_spawn_on_nodes;
}
void config_set_can_spawn_on_nodes(lunatic_instance* self, uint64_t id, uint32_t can) {
  configOf(self, id, "config_set_can_spawn_on_nodes").can_spawn_on_nodes =
      can && callerOf(self).capabilities.can_spawn_on_nodes;
}
uint32_t config_can_connect(lunatic_instance* self, uint64_t id) {
  return configOf(self, id, "config_can_connect").can_connect;
}
void config_set_can_connect(lunatic_instance* self, uint64_t id, uint32_t can) {
  configOf(self, id, "config_set_can_connect").can_connect = can && callerOf(self).capabilities.can_connect;
}

}  // namespace

bool decodeParams(std::string_view bytes, SpawnRequest& request) {
  if (bytes.size() % kParamRecord) return false;
  for (size_t at = 0; at < bytes.size(); at += kParamRecord) {
    lunatic_value value{};
    // Spawn passes numbers and vectors; a reference has no meaning in another process.
    uint8_t type = lunatic::valueTypeCode(uint8_t(bytes[at]));
    if (!type || lunatic::isReferenceType(type)) return false;
    std::memcpy(value.v128, bytes.data() + at + 1, 16);
    request.params.push_back(value);
    request.param_types.push_back(char(type));
  }
  return true;
}

Capabilities& configOf(lunatic_instance* self, uint64_t id, const char* function) {
  Process& p = callerOf(self);
  if (p.resources) {
    auto it = p.resources->configs.find(id);
    if (it != p.resources->configs.end()) return it->second;
  }
  fail(self, function, "no such config");
}

ModuleImage* heldModule(Process& p, uint64_t id) {
  if (!p.resources) return nullptr;
  auto it = p.resources->modules.find(id);
  return it == p.resources->modules.end() ? nullptr : it->second;
}

const char* prepareSpawn(lunatic_instance* self, const char* function_name, const GuestSpawn& guest,
                         SpawnRequest& request) {
  Process& p = callerOf(self);
  GuestMemory memory(self);
  std::string_view function, params;
  if (!memory.view(guest.function_ptr, guest.function_len, &function) ||
      !memory.view(guest.params_ptr, guest.params_len, &params) || !memory.at(guest.id_ptr, 8)) {
    fail(self, function_name, "a pointer is outside the process's memory");
  }
  const Capabilities& config =
      guest.config_id == -1 ? p.capabilities : configOf(self, uint64_t(guest.config_id), function_name);
  self->reductions_left -= kSpawnCost;
  if (!p.capabilities.can_spawn_processes) {
    logRefusal(p, function_name, "the process may not spawn processes");
    return "the process may not spawn processes";
  }
  request.image = guest.module_id == -1 ? p.image : heldModule(p, uint64_t(guest.module_id));
  if (!request.image) return "no such module";
  request.function = function.data();
  request.function_length = function.size();
  if (!decodeParams(params, request)) return "malformed parameters";
  request.capabilities = config;
  // A config may have been made before its creator was narrowed: narrow it again here.
  request.capabilities.narrowTo(p.capabilities);
  request.capabilities.narrowFuelTo(fuelLimitOf(p));
  if (guest.link != 0) {
    request.link_to = &p;
    request.link_tag = guest.link;
  }
  return nullptr;
}

uint32_t refuseSpawn(lunatic_instance* self, uint32_t id_ptr, std::string why) {
  GuestMemory(self).store64(id_ptr, newError(callerOf(self), std::move(why)));
  return 1;
}

uint32_t spawn(lunatic_instance* self, int64_t link, int64_t config_id, int64_t module_id, uint32_t function_ptr,
               uint32_t function_len, uint32_t params_ptr, uint32_t params_len, uint32_t id_ptr) {
  SpawnRequest request;
  if (const char* refusal = prepareSpawn(
          self, "spawn", {link, config_id, module_id, function_ptr, function_len, params_ptr, params_len, id_ptr},
          request)) {
    return refuseSpawn(self, id_ptr, refusal);
  }
  std::string error;
  ProcessRef child = spawnProcess(std::move(request), &error);
  if (!child) return refuseSpawn(self, id_ptr, std::move(error));
  GuestMemory(self).store64(id_ptr, child->id);
  return 0;
}

void monitorProcess(Process& p, ProcessId other) {
  if (ProcessRef target = findProcess(other)) {
    std::lock_guard lock(target->lock);
    if (!target->dead) {
      if (std::find(target->monitored_by.begin(), target->monitored_by.end(), p.id) == target->monitored_by.end()) {
        target->monitored_by.push_back(p.id);
      }
      return;
    }
  }
  // Monitoring a process that is gone reports its death at once.
  tellProcessDied(p, other);
}

void stopMonitoringProcess(Process& p, ProcessId other) {
  if (ProcessRef target = findProcess(other)) {
    std::lock_guard lock(target->lock);
    std::erase(target->monitored_by, p.id);
  }
}

namespace {

// 0 for the whole program; test mode gives each test an environment of its own.
uint64_t environment_id(lunatic_instance* self) { return callerOf(self).capabilities.environment; }

uint64_t process_id(lunatic_instance* self) { return callerOf(self).id; }

void link(lunatic_instance* self, int64_t tag, uint64_t other) { linkProcesses(&callerOf(self), other, tag, tag); }

void unlink(lunatic_instance* self, uint64_t other) { unlinkProcesses(&callerOf(self), other); }

void monitor(lunatic_instance* self, uint64_t other) { monitorProcess(callerOf(self), other); }

void stop_monitoring(lunatic_instance* self, uint64_t other) { stopMonitoringProcess(callerOf(self), other); }

void kill(lunatic_instance* self, uint64_t other) {
  Process& p = callerOf(self);
  if (other == p.id) p.die(kKilledKind);
  if (ProcessRef target = findProcess(other)) target->kill();
}

uint32_t exists(lunatic_instance* self, uint64_t other) {
  callerOf(self);
  return findProcess(other) ? 1 : 0;
}

void sleep_ms(lunatic_instance* self, uint64_t milliseconds) {
  Process& p = callerOf(self);
  uint64_t now = nowNanoseconds();
  uint64_t deadline = milliseconds > (UINT64_MAX - now) / 1'000'000 ? UINT64_MAX - 1 : now + milliseconds * 1'000'000;
  while (nowNanoseconds() < deadline) {
    p.wait_reason = WaitReason::Timer;
    p.parkUntil(deadline);
  }
}

void die_when_link_dies(lunatic_instance* self, uint32_t flag) {
  Process& p = callerOf(self);
  std::lock_guard lock(p.lock);
  p.die_when_link_dies = flag != 0;
}

}  // namespace

}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(process, create_config, api::create_config);
LUNATIC_HOST_CODE(process, drop_config, api::drop_config);
LUNATIC_HOST_CODE(process, config_set_max_memory, api::config_set_max_memory);
LUNATIC_HOST_CODE(process, config_get_max_memory, api::config_get_max_memory);
LUNATIC_HOST_CODE(process, config_set_max_fuel, api::config_set_max_fuel);
LUNATIC_HOST_CODE(process, config_get_max_fuel, api::config_get_max_fuel);
LUNATIC_HOST_CODE(process, config_can_compile_modules, api::config_can_compile_modules);
LUNATIC_HOST_CODE(process, config_set_can_compile_modules, api::config_set_can_compile_modules);
LUNATIC_HOST_CODE(process, config_can_create_configs, api::config_can_create_configs);
LUNATIC_HOST_CODE(process, config_set_can_create_configs, api::config_set_can_create_configs);
LUNATIC_HOST_CODE(process, config_can_spawn_processes, api::config_can_spawn_processes);
LUNATIC_HOST_CODE(process, config_set_can_spawn_processes, api::config_set_can_spawn_processes);
LUNATIC_HOST_CODE(process, config_can_listen, api::config_can_listen);
LUNATIC_HOST_CODE(process, config_set_can_listen, api::config_set_can_listen);
LUNATIC_HOST_CODE(process, config_can_spawn_on_nodes, api::config_can_spawn_on_nodes);
LUNATIC_HOST_CODE(process, config_set_can_spawn_on_nodes, api::config_set_can_spawn_on_nodes);
LUNATIC_HOST_CODE(process, config_can_connect, api::config_can_connect);
LUNATIC_HOST_CODE(process, config_set_can_connect, api::config_set_can_connect);
LUNATIC_HOST_CODE(process, config_set_max_host_memory, api::config_set_max_host_memory);
LUNATIC_HOST_CODE(process, config_get_max_host_memory, api::config_get_max_host_memory);
LUNATIC_HOST_CODE(process, spawn, api::spawn);
LUNATIC_HOST_CODE(process, get_or_spawn, api::get_or_spawn);
LUNATIC_HOST_CODE(process, environment_id, api::environment_id);
LUNATIC_HOST_CODE(process, process_id, api::process_id);
LUNATIC_HOST_CODE(process, link, api::link);
LUNATIC_HOST_CODE(process, unlink, api::unlink);
LUNATIC_HOST_CODE(process, monitor, api::monitor);
LUNATIC_HOST_CODE(process, stop_monitoring, api::stop_monitoring);
LUNATIC_HOST_CODE(process, kill, api::kill);
LUNATIC_HOST_CODE(process, exists, api::exists);
LUNATIC_HOST_CODE(process, sleep_ms, api::sleep_ms);
LUNATIC_HOST_CODE(process, die_when_link_dies, api::die_when_link_dies);
