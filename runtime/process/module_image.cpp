// Module images (module_image.h): resolved once per module, then used by every spawn.
#include "runtime/process/module_image.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "runtime/instance.h"
#include "runtime/process/process.h"
#include "runtime/process/scheduler.h"
#include "runtime/trap.h"

namespace lunatic::rt {

ModuleImage::ModuleImage(const lunatic_module* m)
    : module(m), memories_(m->has_memory ? m->memory_min_pages : 0, m->memory_mode) {}

ModuleImage* ModuleImage::of(const lunatic_module* module, std::string* error) {
  static std::mutex mutex;
  static std::map<const lunatic_module*, std::unique_ptr<ModuleImage>> images;
  std::lock_guard lock(mutex);
  auto& image = images[module];
  if (!image) {
    if (module->abi_version != LUNATIC_ABI_VERSION) {
      *error = "module compiled for another runtime ABI version";
      images.erase(module);
      return nullptr;
    }
    std::unique_ptr<ModuleImage> made(new ModuleImage(module));
    if (std::string e = made->resolveImports(); !e.empty()) {
      *error = e;
      images.erase(module);
      return nullptr;
    }
    registerModuleCode(module);
    image = std::move(made);
  }
  return image.get();
}

std::string ModuleImage::resolveImports() {
  const lunatic_module* m = module;
  for (uint32_t i = 0; i < m->num_types; ++i) type_ids_.push_back(canonicalTypeId(m->types[i]));
  funcs_.assign(m->num_functions, nullptr);
  for (uint32_t i = 0; i < m->num_imports; ++i) {
    const lunatic_import& imp = m->imports[i];
    std::string name = std::string(imp.module) + "." + imp.name;
    if (imp.kind != LUNATIC_EXTERN_FUNC) return "a process cannot import " + name + ": only host functions";
    const lunatic_host_function* host = imp.host;
    if (!host) return "unknown import " + name;
    uint32_t type_id = type_ids_[m->functions[imp.index].type_index];
    if (canonicalTypeId(host->signature) != type_id) return "incompatible import type for " + name;
    funcs_[imp.index] = &imported_funcs_.emplace_back(lunatic_func{host->code, nullptr, nullptr, type_id, imp.index});
  }
  if (m->memory_imported) return "a process cannot import a memory";
  own_funcs_.resize(m->num_functions);
  for (uint32_t i = m->num_imported_functions; i < m->num_functions; ++i) {
    const lunatic_function_desc& d = m->functions[i];
    own_funcs_[i] = {d.code, d.array_entry, nullptr, type_ids_[d.type_index], i};
    funcs_[i] = &own_funcs_[i];
  }
  return {};
}

const lunatic_func* ModuleImage::exportedFunction(std::string_view name) const {
  for (uint32_t i = 0; i < module->num_exports; ++i) {
    const lunatic_export& e = module->exports[i];
    if (e.kind == LUNATIC_EXTERN_FUNC && name == e.name) {
      const lunatic_func* f = funcs_[e.index];
      return f->array_entry ? f : nullptr;
    }
  }
  return nullptr;
}

const char* ModuleImage::exportSignature(std::string_view name) const {
  for (uint32_t i = 0; i < module->num_exports; ++i) {
    const lunatic_export& e = module->exports[i];
    if (e.kind == LUNATIC_EXTERN_FUNC && name == e.name) return module->types[module->functions[e.index].type_index];
  }
  return nullptr;
}

namespace {
// Free process objects kept per module; beyond this they are deleted.
constexpr size_t kMaxFreeProcesses = 4096;
constexpr size_t kMaxCachedProcesses = 256;  // per worker
}  // namespace

std::unique_ptr<Process> ModuleImage::takeProcess() {
  int worker = scheduler::currentWorkerIndex();
  if (worker >= 0 && size_t(worker) < kCaches && !caches_[worker].free.empty()) {
    std::unique_ptr<Process> p = std::move(caches_[worker].free.back());
    caches_[worker].free.pop_back();
    return p;
  }
  {
    std::lock_guard lock(free_mutex_);
    if (!free_processes_.empty()) {
      std::unique_ptr<Process> p = std::move(free_processes_.back());
      free_processes_.pop_back();
      return p;
    }
  }
  return std::unique_ptr<Process>(new Process(0, this));
}

void ModuleImage::recycle(Process* p) {
  std::unique_ptr<Process> owned(p);
  owned->reset();
  int worker = scheduler::currentWorkerIndex();
  if (worker >= 0 && size_t(worker) < kCaches && caches_[worker].free.size() < kMaxCachedProcesses) {
    caches_[worker].free.push_back(std::move(owned));
    return;
  }
  std::lock_guard lock(free_mutex_);
  if (free_processes_.size() < kMaxFreeProcesses) free_processes_.push_back(std::move(owned));
}

bool ModuleImage::build(Process& p, uint64_t max_memory_bytes) {
  const lunatic_module* m = module;
  lunatic_instance& inst = p.instance_;
  inst.module = m;
  inst.host = &p;
  inst.funcs = funcs_.data();
  inst.type_ids = type_ids_.data();
  if (m->has_memory) {
    if (!memories_.acquire(&p.memory_, &p.memory_slot_, scheduler::currentWorkerIndex())) return false;
    uint64_t allowed_pages = max_memory_bytes / LUNATIC_WASM_PAGE_SIZE;
    if (allowed_pages < m->memory_min_pages) return false;  // too small for the module
    p.memory_.max_pages = uint32_t(std::min<uint64_t>({uint64_t(m->memory_max_pages), uint64_t(LUNATIC_MAX_PAGES), allowed_pages}));
    inst.memory = &p.memory_;
  }
  // A recycled process keeps its arrays: they have this module's sizes.
  if (m->num_globals) {
    if (!p.globals_) {
      p.global_cells_ = std::make_unique<lunatic_value*[]>(m->num_globals);
      p.globals_ = std::make_unique<lunatic_value[]>(m->num_globals);
      for (uint32_t i = 0; i < m->num_globals; ++i) p.global_cells_[i] = ownGlobalCell(inst, m, i, p.globals_.get());
    } else {
      std::fill_n(p.globals_.get(), m->num_globals, lunatic_value{});
      std::fill_n(inst.inline_globals, LUNATIC_INLINE_GLOBALS, lunatic_value{});
    }
    inst.globals = p.global_cells_.get();
  }
  if (m->num_tables) {
    if (!p.tables_) {
      p.table_pointers_ = std::make_unique<lunatic_table*[]>(m->num_tables);
      p.tables_ = std::make_unique<Table[]>(m->num_tables);
    }
    for (uint32_t i = 0; i < m->num_tables; ++i) {
      initTable(p.tables_[i], m->tables[i].elem_type, m->tables[i].min, m->tables[i].max);
      p.table_pointers_[i] = &p.tables_[i].abi;
    }
    inst.tables = p.table_pointers_.get();
  }
  if (size_t flags = m->num_data_segments + m->num_elem_segments) {
    if (!p.dropped_) p.dropped_ = std::make_unique<uint8_t[]>(flags);
    std::fill_n(p.dropped_.get(), flags, uint8_t(0));
    inst.data_dropped = p.dropped_.get();
    inst.elem_dropped = p.dropped_.get() + m->num_data_segments;
  }
  return true;
}

void ModuleImage::dismantle(Process& p) {
  if (p.resources) {  // the host descriptors it held go at once
    p.resources->wasi_context.reset();
    p.resources->net.reset();
    p.resources->sqlite.reset();
  }
  if (p.instance_.memory) memories_.release(&p.memory_, p.memory_slot_, scheduler::currentWorkerIndex());
  p.instance_.memory = nullptr;
}

}  // namespace lunatic::rt
