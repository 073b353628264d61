// Host tasks (host_task.h): the built-in module whose one function runs a C++ closure.
#include "runtime/process/host_task.h"

#include <algorithm>
#include <memory>

#include "runtime/process/module_image.h"
#include "runtime/process/scheduler.h"

namespace lunatic::rt {
namespace {

using Task = std::function<void()>;

// The closure travels as the function's one i64 parameter: a pointer it takes ownership of.
void runTask(lunatic_instance*, uint64_t task_address) {
  std::unique_ptr<Task> task(reinterpret_cast<Task*>(task_address));
  (*task)();
}

void runTaskEntry(lunatic_instance* instance, lunatic_value* values) { runTask(instance, values[0].i64); }

void initializeNothing(lunatic_instance*) {}

constexpr const char* kTaskName = "lunatic_host_task";
const char* const kTypes[] = {"I:"};
const lunatic_function_desc kFunctions[] = {
    {reinterpret_cast<const void*>(&runTask), &runTaskEntry, 0, kTaskName},
};
const lunatic_export kExports[] = {{kTaskName, LUNATIC_EXTERN_FUNC, 0}};

const lunatic_module kHostTaskModule = {
    .abi_version = LUNATIC_ABI_VERSION,
    .memory_mode = LUNATIC_MEMORY_GUARD_PAGES,
    .name = "lunatic host tasks",
    .num_types = 1,
    .types = kTypes,
    .num_imports = 0,
    .imports = nullptr,
    .num_exports = 1,
    .exports = kExports,
    .num_functions = 1,
    .num_imported_functions = 0,
    .functions = kFunctions,
    .num_tables = 0,
    .num_imported_tables = 0,
    .tables = nullptr,
    .num_globals = 0,
    .num_imported_globals = 0,
    .globals = nullptr,
    .has_memory = 0,
    .memory_imported = 0,
    .memory_min_pages = 0,
    .memory_max_pages = 0,
    .num_data_segments = 0,
    .data_segments = nullptr,
    .num_elem_segments = 0,
    .elem_segments = nullptr,
    .initialize = &initializeNothing,
    .start_function = -1,
    .code_start = nullptr,  // no generated code: a host task's frames are all the runtime's
    .code_end = nullptr,
    .inlines = nullptr,
};

}  // namespace

ProcessRef spawnHostTask(std::function<void()> task, std::string* error) {
  ModuleImage* image = ModuleImage::of(&kHostTaskModule, error);
  if (!image) return {};
  auto owned = std::make_unique<Task>(std::move(task));
  SpawnRequest request;
  request.image = image;
  request.function = kTaskName;
  request.function_length = std::char_traits<char>::length(kTaskName);
  lunatic_value parameter{};
  parameter.i64 = reinterpret_cast<uint64_t>(owned.get());
  request.params.push_back(parameter);
  request.param_types = "I";
  // What a host task may do is what its C++ does; as a process it needs nothing.
  request.capabilities.can_spawn_processes = false;
  request.capabilities.can_create_configs = false;
  request.capabilities.can_compile_modules = false;
  // No memory budget or failed allocation may end it (process/allocation.h).
  request.capabilities.max_host_memory = UINT64_MAX;
  request.host_task = true;
  ProcessRef process = spawnProcess(std::move(request), error);
  if (process) owned.release();  // the process's function owns it now
  return process;
}

void monitorProcess(Process& target) {
  Process* self = scheduler::currentProcess();
  {
    std::lock_guard lock(target.lock);
    if (!target.dead) {
      target.monitored_by.push_back(self->id);
      return;
    }
  }
  auto message = std::make_unique<Message>();
  message->kind = Message::Kind::ProcessDied;
  message->process = target.id;
  self->deliver(std::move(message));
}

bool awaitProcessEnd(ProcessId id, uint64_t deadline_ns) {
  for (;;) {
    Process* self = scheduler::currentProcess();  // again after each park: it may move
    {
      std::lock_guard lock(self->lock);
      for (MessagePtr m; (m = self->mailbox.take(nullptr, 0));) {
        if (m->kind == Message::Kind::ProcessDied && m->process == id) return true;
      }
    }
    if (deadline_ns && nowNanoseconds() >= deadline_ns) return false;
    self->parkUntil(deadline_ns);
  }
}

}  // namespace lunatic::rt
