// What the lunatic::* host APIs share: the calling process, guest failures, error ids.
// Every function of these APIs takes the calling instance first (abi.h); its name and upstream
// Lunatic 0.13 signature are in lunatic_functions.def, and its file makes it the code of that
// entry with LUNATIC_HOST_CODE (runtime/host.h).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "runtime/guest_memory.h"
#include "runtime/host.h"
#include "runtime/process/host_failure.h"
#include "runtime/process/process.h"

namespace lunatic::rt::api {

// The process an instance belongs to. An instance outside the scheduler (an embedding)
// has none, and calling a lunatic::* function from one ends it with a trap. Inline: every
// call of every function asks.
[[noreturn]] void trapOutsideProcess();
inline Process& callerOf(lunatic_instance* instance) {
  if (Process* p = Process::of(instance)) [[likely]] return *p;
  trapOutsideProcess();
}

// Logs, at debug level, that a capability of p's refused what `function` asked (the call
// itself answers the guest as the API says: an error id, -1, a failure).
void logRefusal(const Process& p, const char* function, std::string_view why);

// Counts `bytes` more of host memory held for the calling process p (its own: a resource, its
// message slot), or, if that would take it past its budget (max_host_memory), fails it with
// a line that names `function` and the numbers.
void holdHostMemory(lunatic_instance* self, Process& p, uint64_t bytes, const char* function);
[[noreturn]] void failOverBudget(lunatic_instance* self, Process& p, uint64_t more, const char* function);
// The UTF-8 text [ptr, ptr + len) of the caller's memory, or the process fails, saying that
// `what` ("the name") is outside its memory or not UTF-8.
std::string_view guestText(lunatic_instance* self, uint32_t ptr, uint32_t len, const char* function,
                           const char* what);

// The calling process's config `id` (lunatic::process::create_config), or the process fails.
Capabilities& configOf(lunatic_instance* self, uint64_t id, const char* function);

// The module of p's handle `id` (lunatic::process::compile_module,
// lunatic::message::take_module), or null.
ModuleImage* heldModule(Process& p, uint64_t id);

// Stores `message` as an error resource of p and returns its id, for lunatic::error. Past
// its host memory budget, p fails as its host function returns (Process::countOwn).
uint64_t newError(Process& p, std::string message);
// What an error resource of `message` holds, as budgets count it.
uint64_t errorBytes(const std::string& message);

// The data message in the caller's slot, to push resources into or take them from, or the
// process fails (no message, or a signal), as upstream traps.
Message& dataMessageInSlot(lunatic_instance* self, const char* function);

// Takes the message the process has been building, or the process fails.
MessagePtr takeOutgoingMessage(lunatic_instance* self, const char* function);

// What lunatic::process::spawn and get_or_spawn share. prepareSpawn checks the caller's
// arguments (failing it, as `function_name`, on a pointer outside its memory or an unknown
// config) and fills in `request`; it returns why spawn refuses instead, or null.
// refuseSpawn writes an error id of `why` through id_ptr and returns spawn's 1.
struct GuestSpawn {
  int64_t link, config_id, module_id;
  uint32_t function_ptr, function_len, params_ptr, params_len, id_ptr;
};
const char* prepareSpawn(lunatic_instance* self, const char* function_name, const GuestSpawn& guest,
                         SpawnRequest& request);
uint32_t refuseSpawn(lunatic_instance* self, uint32_t id_ptr, std::string why);

// Waits, as lunatic::message::receive, for the oldest message with a tag in `tags` (any, if
// `count` is 0) among those that arrived after `after` (null: all), and puts it in the slot:
// receive's results. lunatic::distributed's send_receive_skip_search shares it.
uint32_t receiveAfter(lunatic_instance* self, const int64_t* tags, size_t count, uint64_t timeout_ms,
                      const Message* after);

// lunatic::process::spawn, which lunatic::distributed's spawn on this node shares.
uint32_t spawn(lunatic_instance* self, int64_t link, int64_t config_id, int64_t module_id, uint32_t function_ptr,
               uint32_t function_len, uint32_t params_ptr, uint32_t params_len, uint32_t id_ptr);
// lunatic::process::monitor and stop_monitoring of a process of this node, by p.
void monitorProcess(Process& p, ProcessId other);
void stopMonitoringProcess(Process& p, ProcessId other);
// Decodes spawn's parameters (17-byte records: a type code, then the value) into `request`;
// false if malformed.
bool decodeParams(std::string_view params, SpawnRequest& request);
// lunatic::process::get_or_spawn (in the registry's file).
uint32_t get_or_spawn(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len, int64_t link, int64_t config_id,
                      int64_t module_id, uint32_t function_ptr, uint32_t function_len, uint32_t params_ptr,
                      uint32_t params_len, uint32_t node_id_ptr, uint32_t id_ptr);

}  // namespace lunatic::rt::api
