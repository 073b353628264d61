// What all processes of one module share, made once per module: imports resolved to host
// functions, one set of func objects (instance NULL: each runs on its caller's instance,
// abi.h), canonical signature ids and a pool of memories. Spawning a process then only
// fills in its own instance context.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "lunatic/abi.h"
#include "runtime/memory.h"

namespace lunatic::rt {

class Process;

class ModuleImage {
 public:
  // The image of `module`, made on first use and kept for the program's lifetime. Null
  // with `error` set if the module imports something the runtime does not provide.
  static ModuleImage* of(const lunatic_module* module, std::string* error);

  const lunatic_module* const module;

  // The exported function `name`, or null if there is none or it cannot be called from
  // the host (it never escapes, so it has no array entry).
  const lunatic_func* exportedFunction(std::string_view name) const;
  // The signature string of the exported function `name`, or null.
  const char* exportSignature(std::string_view name) const;
  // Canonical id of the module's type `index`.
  uint32_t typeId(uint32_t index) const { return type_ids_[index]; }

  // A process object of this module, recycled if one is free; its id is not set.
  std::unique_ptr<Process> takeProcess();
  // Keeps an ended process, which no one refers to any more, for takeProcess.
  void recycle(Process* p);

  // Sets up p's instance context, globals, tables and a zeroed memory. The module's
  // initializer has not run yet. False if no memory could be had.
  bool build(Process& p, uint64_t max_memory_bytes);
  void dismantle(Process& p);

 private:
  explicit ModuleImage(const lunatic_module* module);
  std::string resolveImports();

  std::vector<const lunatic_func*> funcs_;
  std::vector<lunatic_func> own_funcs_;
  std::deque<lunatic_func> imported_funcs_;
  std::vector<uint32_t> type_ids_;
  MemoryPool memories_;
  // Free process objects: a list per worker thread (no lock), then a shared one.
  static constexpr size_t kCaches = 64;
  struct alignas(64) ProcessCache {
    std::vector<std::unique_ptr<Process>> free;
  };
  ProcessCache caches_[kCaches];
  std::mutex free_mutex_;
  std::vector<std::unique_ptr<Process>> free_processes_;
};

}  // namespace lunatic::rt
