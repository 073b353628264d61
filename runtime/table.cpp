// Tables and the table helpers generated code calls (abi.h).
#include "runtime/table.h"

#include <algorithm>
#include <cstring>

namespace lunatic::rt {
namespace {

// A bound on any table, so a hostile table.grow cannot take all memory.
constexpr uint32_t kMaxTableSize = 10'000'000;

bool inBounds(uint64_t offset, uint64_t length, uint64_t size) { return offset + length <= size; }

Table& owner(lunatic_table* table) { return *reinterpret_cast<Table*>(table); }

}  // namespace

void initTable(Table& table, uint8_t elem_type, uint32_t min, uint32_t max) {
  table.abi.elem_type = elem_type;
  table.abi.max = max;
  table.storage.assign(min, nullptr);
  table.abi.elements = table.storage.data();
  table.abi.size = min;
}

std::unique_ptr<Table> createTable(uint8_t elem_type, uint32_t min, uint32_t max) {
  auto table = std::make_unique<Table>();
  initTable(*table, elem_type, min, max);
  return table;
}

uint32_t growTable(lunatic_table* table, uint32_t delta, void* init) {
  uint64_t old_size = table->size, new_size = old_size + delta;
  uint64_t limit = std::min<uint64_t>(table->max, kMaxTableSize);
  if (new_size > limit) return UINT32_MAX;
  Table& t = owner(table);
  t.storage.resize(new_size, init);
  table->elements = t.storage.data();
  table->size = uint32_t(new_size);
  return uint32_t(old_size);
}

}  // namespace lunatic::rt

using namespace lunatic::rt;

extern "C" {

uint32_t lunatic_table_grow(lunatic_instance* instance, uint32_t table, void* init, uint32_t delta) {
  return growTable(instance->tables[table], delta, init);
}

void lunatic_table_fill(lunatic_instance* instance, uint32_t table, uint32_t dst, void* value, uint32_t len) {
  lunatic_table* t = instance->tables[table];
  if (!inBounds(dst, len, t->size)) lunatic_trap(LUNATIC_TRAP_TABLE_OUT_OF_BOUNDS);
  std::fill_n(t->elements + dst, len, value);
}

void lunatic_table_copy(lunatic_instance* instance, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                        uint32_t src, uint32_t len) {
  lunatic_table* d = instance->tables[dst_table];
  lunatic_table* s = instance->tables[src_table];
  if (!inBounds(src, len, s->size) || !inBounds(dst, len, d->size)) lunatic_trap(LUNATIC_TRAP_TABLE_OUT_OF_BOUNDS);
  if (len) std::memmove(d->elements + dst, s->elements + src, size_t(len) * sizeof(void*));
}

void lunatic_table_init(lunatic_instance* instance, uint32_t table, uint32_t segment, uint32_t dst, uint32_t src,
                        uint32_t len) {
  const lunatic_elem_segment& elems = instance->module->elem_segments[segment];
  uint64_t available = instance->elem_dropped[segment] ? 0 : elems.length;
  lunatic_table* t = instance->tables[table];
  if (!inBounds(src, len, available) || !inBounds(dst, len, t->size)) lunatic_trap(LUNATIC_TRAP_TABLE_OUT_OF_BOUNDS);
  for (uint32_t i = 0; i < len; ++i) {
    int32_t index = elems.func_indices[src + i];
    t->elements[dst + i] = index < 0 ? nullptr : const_cast<lunatic_func*>(instance->funcs[index]);
  }
}

void lunatic_elem_drop(lunatic_instance* instance, uint32_t segment) { instance->elem_dropped[segment] = 1; }

}  // extern "C"
