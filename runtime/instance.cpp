// Linking and instantiation (embed.h): the linker's namespace of importable entities,
// import resolution with the spec's type rules, instance set-up, and calls into guests.
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "lunatic/embed.h"
#include "runtime/instance.h"
#include "runtime/memory.h"
#include "runtime/table.h"
#include "runtime/trap.h"

namespace lunatic::rt {

uint32_t canonicalTypeId(const char* signature) {
  static std::mutex mutex;
  static std::unordered_map<std::string, uint32_t> ids;
  std::lock_guard lock(mutex);
  return ids.emplace(signature, uint32_t(ids.size() + 1)).first->second;
}

namespace {

// Something an import can resolve to.
struct Extern {
  uint32_t kind = LUNATIC_EXTERN_FUNC;
  const lunatic_func* func = nullptr;
  lunatic_table* table = nullptr;
  lunatic_memory* memory = nullptr;
  lunatic_value* global = nullptr;
  uint8_t global_type = 0;
  bool global_mutable = false;
};

struct Instance {
  lunatic_instance abi{};
  std::vector<lunatic_value*> globals;
  std::vector<lunatic_table*> tables;
  std::vector<const lunatic_func*> funcs;
  std::vector<uint32_t> type_ids;
  std::vector<uint8_t> data_dropped, elem_dropped;
  std::vector<lunatic_func> own_funcs;
  std::deque<lunatic_func> host_bindings;  // host functions bound to this instance
  std::unique_ptr<lunatic_value[]> own_globals;
};

void setMessage(lunatic_error* error, const std::string& message) {
  if (!error) return;
  std::snprintf(error->message, sizeof error->message, "%s", message.c_str());
}

const lunatic_export* findExport(const lunatic_module* module, const char* name) {
  for (uint32_t i = 0; i < module->num_exports; ++i) {
    if (std::strcmp(module->exports[i].name, name) == 0) return &module->exports[i];
  }
  return nullptr;
}

}  // namespace
}  // namespace lunatic::rt

using namespace lunatic::rt;

struct lunatic_linker {
  std::map<std::pair<std::string, std::string>, Extern> definitions;
  std::vector<std::unique_ptr<Instance>> instances;
  std::vector<MemoryPtr> memories;
  std::vector<std::unique_ptr<Table>> tables;
  std::deque<lunatic_func> host_funcs;  // a deque keeps addresses stable as it grows
  std::deque<lunatic_value> host_globals;
};

namespace {

Extern exportedExtern(lunatic_instance* instance, const lunatic_export& e) {
  Extern x;
  x.kind = e.kind;
  switch (e.kind) {
    case LUNATIC_EXTERN_FUNC: x.func = instance->funcs[e.index]; break;
    case LUNATIC_EXTERN_TABLE: x.table = instance->tables[e.index]; break;
    case LUNATIC_EXTERN_MEMORY: x.memory = instance->memory; break;
    case LUNATIC_EXTERN_GLOBAL:
      x.global = instance->globals[e.index];
      x.global_type = instance->module->globals[e.index].type;
      x.global_mutable = instance->module->globals[e.index].is_mutable;
      break;
  }
  return x;
}

bool limitsMatch(uint64_t actual_min, uint64_t actual_max, uint64_t import_min, uint64_t import_max,
                 uint64_t no_maximum) {
  if (actual_min < import_min) return false;
  if (import_max == no_maximum) return true;
  return actual_max != no_maximum && actual_max <= import_max;
}

// Resolves imports into `inst`; returns an error message or empty.
std::string resolveImports(lunatic_linker* linker, const lunatic_module* m, Instance& inst) {
  for (uint32_t i = 0; i < m->num_imports; ++i) {
    const lunatic_import& imp = m->imports[i];
    auto it = linker->definitions.find({imp.module, imp.name});
    if (it == linker->definitions.end()) {
      return std::string("unknown import ") + imp.module + "." + imp.name;
    }
    const Extern& x = it->second;
    std::string incompatible = std::string("incompatible import type for ") + imp.module + "." + imp.name;
    if (x.kind != imp.kind) return incompatible;
    switch (imp.kind) {
      case LUNATIC_EXTERN_FUNC: {
        uint32_t expected = canonicalTypeId(m->types[m->functions[imp.index].type_index]);
        if (x.func->type_id != expected) return incompatible;
        if (x.func->instance) {
          inst.funcs[imp.index] = x.func;
        } else {
          // A host function works on its caller's instance (its memory, above all).
          lunatic_func& bound = inst.host_bindings.emplace_back(*x.func);
          bound.instance = &inst.abi;
          inst.funcs[imp.index] = &bound;
        }
        break;
      }
      case LUNATIC_EXTERN_TABLE: {
        const lunatic_table_desc& d = m->tables[imp.index];
        if (x.table->elem_type != d.elem_type ||
            !limitsMatch(x.table->size, x.table->max, d.min, d.max, LUNATIC_NO_MAXIMUM)) {
          return incompatible;
        }
        inst.tables[imp.index] = x.table;
        break;
      }
      case LUNATIC_EXTERN_MEMORY: {
        uint64_t pages = x.memory->size / LUNATIC_WASM_PAGE_SIZE;
        if (!limitsMatch(pages, x.memory->max_pages, m->memory_min_pages, m->memory_max_pages, LUNATIC_MAX_PAGES)) {
          return incompatible;
        }
        inst.abi.memory = x.memory;
        break;
      }
      case LUNATIC_EXTERN_GLOBAL: {
        const lunatic_global_desc& d = m->globals[imp.index];
        if (x.global_type != d.type || x.global_mutable != bool(d.is_mutable)) return incompatible;
        inst.globals[imp.index] = x.global;
        break;
      }
    }
  }
  return {};
}

void runInitialization(void* context) {
  auto* instance = static_cast<lunatic_instance*>(context);
  const lunatic_module* m = instance->module;
  m->initialize(instance);
  if (m->start_function >= 0) {
    const lunatic_func* start = instance->funcs[m->start_function];
    reinterpret_cast<void (*)(lunatic_instance*)>(const_cast<void*>(start->code))(start->instance);
  }
}

lunatic_status fromGuard(const GuardResult& result, lunatic_error* error) {
  if (result.kind == 0) return LUNATIC_OK;
  if (result.kind == kExitKind) {
    if (error) error->exit_code = result.exit_code;
    setMessage(error, "exit " + std::to_string(result.exit_code));
    return LUNATIC_EXITED;
  }
  if (error) error->trap = result.kind;
  setMessage(error, lunatic_trap_message(result.kind));
  return LUNATIC_ERROR_TRAP;
}

}  // namespace

extern "C" {

lunatic_linker* lunatic_linker_new(void) { return new lunatic_linker(); }
void lunatic_linker_free(lunatic_linker* linker) { delete linker; }

void lunatic_linker_register(lunatic_linker* linker, const char* module_name, lunatic_instance* instance) {
  const lunatic_module* m = instance->module;
  for (uint32_t i = 0; i < m->num_exports; ++i) {
    linker->definitions[{module_name, m->exports[i].name}] = exportedExtern(instance, m->exports[i]);
  }
}

void lunatic_linker_define_func(lunatic_linker* linker, const char* module, const char* name,
                                const char* signature, const void* code,
                                void (*array_entry)(lunatic_instance*, lunatic_value*)) {
  lunatic_func& f = linker->host_funcs.emplace_back();
  f.code = code;
  f.array_entry = array_entry;
  f.instance = nullptr;  // host functions receive the caller's instance (see below)
  f.type_id = canonicalTypeId(signature);
  Extern x;
  x.func = &f;
  linker->definitions[{module, name}] = x;
}

void lunatic_linker_define_global(lunatic_linker* linker, const char* module, const char* name, uint8_t type,
                                  int is_mutable, lunatic_value value) {
  Extern x;
  x.kind = LUNATIC_EXTERN_GLOBAL;
  x.global = &linker->host_globals.emplace_back(value);
  x.global_type = type;
  x.global_mutable = is_mutable != 0;
  linker->definitions[{module, name}] = x;
}

void lunatic_linker_define_table(lunatic_linker* linker, const char* module, const char* name, uint8_t elem_type,
                                 uint32_t min, uint32_t max) {
  Extern x;
  x.kind = LUNATIC_EXTERN_TABLE;
  linker->tables.push_back(createTable(elem_type, min, max));
  x.table = &linker->tables.back()->abi;
  linker->definitions[{module, name}] = x;
}

void lunatic_linker_define_memory(lunatic_linker* linker, const char* module, const char* name,
                                  uint32_t min_pages, uint32_t max_pages, uint32_t mode) {
  MemoryPtr memory = createMemory(min_pages, max_pages, mode);
  if (!memory) return;
  Extern x;
  x.kind = LUNATIC_EXTERN_MEMORY;
  x.memory = memory.get();
  linker->memories.push_back(std::move(memory));
  linker->definitions[{module, name}] = x;
}

lunatic_status lunatic_instantiate(lunatic_linker* linker, const lunatic_module* m, lunatic_instance** out,
                                   lunatic_error* error) {
  if (m->abi_version != LUNATIC_ABI_VERSION) {
    setMessage(error, "module compiled for another runtime ABI version");
    return LUNATIC_ERROR_OTHER;
  }
  auto inst = std::make_unique<Instance>();
  inst->abi.module = m;
  // Instances made here run on the calling thread's stack, and nothing preempts them.
  inst->abi.stack_limit = threadStackLimit();
  inst->abi.reductions_left = kUnpreemptedBudget;
  inst->globals.assign(m->num_globals, nullptr);
  inst->tables.assign(m->num_tables, nullptr);
  inst->funcs.assign(m->num_functions, nullptr);
  if (std::string e = resolveImports(linker, m, *inst); !e.empty()) {
    setMessage(error, e);
    return LUNATIC_ERROR_LINK;
  }
  if (m->has_memory && !m->memory_imported) {
    MemoryPtr memory = createMemory(m->memory_min_pages, m->memory_max_pages, m->memory_mode);
    if (!memory) {
      setMessage(error, "cannot allocate linear memory");
      return LUNATIC_ERROR_OTHER;
    }
    inst->abi.memory = memory.get();
    linker->memories.push_back(std::move(memory));
  }
  for (uint32_t i = m->num_imported_tables; i < m->num_tables; ++i) {
    linker->tables.push_back(createTable(m->tables[i].elem_type, m->tables[i].min, m->tables[i].max));
    inst->tables[i] = &linker->tables.back()->abi;
  }
  inst->own_globals = std::make_unique<lunatic_value[]>(m->num_globals);
  for (uint32_t i = m->num_imported_globals; i < m->num_globals; ++i) {
    inst->globals[i] = ownGlobalCell(inst->abi, m, i, inst->own_globals.get());
  }
  for (uint32_t i = 0; i < m->num_types; ++i) inst->type_ids.push_back(canonicalTypeId(m->types[i]));
  inst->own_funcs.resize(m->num_functions);
  for (uint32_t i = m->num_imported_functions; i < m->num_functions; ++i) {
    const lunatic_function_desc& d = m->functions[i];
    inst->own_funcs[i] = {d.code, d.array_entry, &inst->abi, inst->type_ids[d.type_index], i};
    inst->funcs[i] = &inst->own_funcs[i];
  }
  inst->data_dropped.assign(m->num_data_segments, 0);
  inst->elem_dropped.assign(m->num_elem_segments, 0);
  inst->abi.globals = inst->globals.data();
  inst->abi.tables = inst->tables.data();
  inst->abi.funcs = inst->funcs.data();
  inst->abi.type_ids = inst->type_ids.data();
  inst->abi.data_dropped = inst->data_dropped.data();
  inst->abi.elem_dropped = inst->elem_dropped.data();
  registerModuleCode(m);

  lunatic_instance* instance = &inst->abi;
  linker->instances.push_back(std::move(inst));
  *out = instance;
  return fromGuard(runGuarded(runInitialization, instance), error);
}

}  // extern "C"

namespace {

struct Invocation {
  const lunatic_func* func;
  lunatic_instance* caller;
  lunatic_value* values;
};

void runInvocation(void* context) {
  auto* call = static_cast<Invocation*>(context);
  // Host functions have no instance of their own; they work on the caller's.
  lunatic_instance* instance = call->func->instance ? call->func->instance : call->caller;
  call->func->array_entry(instance, call->values);
}

}  // namespace

extern "C" {

lunatic_status lunatic_invoke(lunatic_instance* instance, const char* export_name, lunatic_value* values,
                              lunatic_error* error) {
  const lunatic_export* e = findExport(instance->module, export_name);
  if (!e || e->kind != LUNATIC_EXTERN_FUNC) {
    setMessage(error, std::string("no exported function ") + export_name);
    return LUNATIC_ERROR_OTHER;
  }
  const lunatic_func* func = instance->funcs[e->index];
  if (!func->array_entry) {
    setMessage(error, std::string("export ") + export_name + " cannot be called from the host");
    return LUNATIC_ERROR_OTHER;
  }
  Invocation call{func, instance, values};
  return fromGuard(runGuarded(runInvocation, &call), error);
}

lunatic_status lunatic_get_global(lunatic_instance* instance, const char* export_name, lunatic_value* value,
                                  lunatic_error* error) {
  const lunatic_export* e = findExport(instance->module, export_name);
  if (!e || e->kind != LUNATIC_EXTERN_GLOBAL) {
    setMessage(error, std::string("no exported global ") + export_name);
    return LUNATIC_ERROR_OTHER;
  }
  *value = *instance->globals[e->index];
  return LUNATIC_OK;
}

const char* lunatic_export_signature(lunatic_instance* instance, const char* export_name) {
  const lunatic_export* e = findExport(instance->module, export_name);
  if (!e || e->kind != LUNATIC_EXTERN_FUNC) return nullptr;
  const lunatic_module* m = instance->module;
  return m->types[m->functions[e->index].type_index];
}

}  // extern "C"
