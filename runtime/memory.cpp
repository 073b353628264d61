// Linear memory: guard-page reservations or bounds-checked mappings, and the bulk-memory
// helpers generated code calls (abi.h). Every check happens before any byte is written.
#include "memory.h"

#include <sys/mman.h>

#include <cstring>

#include "trap.h"

namespace lunatic::rt {
namespace {

constexpr uint64_t kPage = LUNATIC_WASM_PAGE_SIZE;
// An i32 address plus a u32 offset reaches just below 8 GiB; the widest access adds 16 bytes.
constexpr uint64_t kGuardReservation = (8ull << 30) + kPage;

// A stand-in base for bounds-checked memories of size zero: never dereferenced.
alignas(16) uint8_t empty_memory[16];

bool inBounds(uint64_t offset, uint64_t length, uint64_t size) { return offset + length <= size; }

}  // namespace

void MemoryDeleter::operator()(lunatic_memory* memory) const {
  if (memory->mode == LUNATIC_MEMORY_GUARD_PAGES) unregisterGuardRegion(memory->base);
  if (memory->reserved) munmap(memory->base, memory->reserved);
  delete memory;
}

MemoryPtr createMemory(uint32_t min_pages, uint32_t max_pages, uint32_t mode) {
  MemoryPtr memory(new lunatic_memory{});
  memory->max_pages = std::min<uint32_t>(max_pages, LUNATIC_MAX_PAGES);
  memory->mode = mode;
  memory->base = empty_memory;
  if (mode == LUNATIC_MEMORY_GUARD_PAGES) {
    void* base = mmap(nullptr, kGuardReservation, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return nullptr;
    memory->base = static_cast<uint8_t*>(base);
    memory->reserved = kGuardReservation;
    registerGuardRegion(base, kGuardReservation);
  }
  if (min_pages && growMemory(memory.get(), min_pages) == UINT32_MAX) return nullptr;
  return memory;
}

uint32_t growMemory(lunatic_memory* memory, uint32_t delta) {
  uint64_t old_pages = memory->size / kPage;
  uint64_t new_pages = old_pages + delta;
  if (new_pages > memory->max_pages) return UINT32_MAX;
  if (delta == 0) return uint32_t(old_pages);
  uint64_t new_size = new_pages * kPage;
  if (memory->mode == LUNATIC_MEMORY_GUARD_PAGES) {
    if (mprotect(memory->base + memory->size, new_size - memory->size, PROT_READ | PROT_WRITE) != 0) {
      return UINT32_MAX;
    }
  } else if (memory->reserved == 0) {
    void* base = mmap(nullptr, new_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return UINT32_MAX;
    memory->base = static_cast<uint8_t*>(base);
    memory->reserved = new_size;
  } else {
    void* base = mremap(memory->base, memory->reserved, new_size, MREMAP_MAYMOVE);
    if (base == MAP_FAILED) return UINT32_MAX;
    memory->base = static_cast<uint8_t*>(base);
    memory->reserved = new_size;
  }
  memory->size = new_size;
  return uint32_t(old_pages);
}

}  // namespace lunatic::rt

using namespace lunatic::rt;

extern "C" {

uint32_t lunatic_memory_grow(lunatic_instance* instance, uint32_t delta_pages) {
  return growMemory(instance->memory, delta_pages);
}

void lunatic_memory_copy(lunatic_instance* instance, uint32_t dst, uint32_t src, uint32_t len) {
  lunatic_memory* m = instance->memory;
  if (!inBounds(src, len, m->size) || !inBounds(dst, len, m->size)) lunatic_trap(LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS);
  std::memmove(m->base + dst, m->base + src, len);
}

void lunatic_memory_fill(lunatic_instance* instance, uint32_t dst, uint32_t value, uint32_t len) {
  lunatic_memory* m = instance->memory;
  if (!inBounds(dst, len, m->size)) lunatic_trap(LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS);
  std::memset(m->base + dst, int(value & 0xff), len);
}

void lunatic_memory_init(lunatic_instance* instance, uint32_t segment, uint32_t dst, uint32_t src, uint32_t len) {
  const lunatic_data_segment& data = instance->module->data_segments[segment];
  uint64_t available = instance->data_dropped[segment] ? 0 : data.length;
  lunatic_memory* m = instance->memory;
  if (!inBounds(src, len, available) || !inBounds(dst, len, m->size)) {
    lunatic_trap(LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS);
  }
  if (len) std::memcpy(m->base + dst, data.bytes + src, len);
}

void lunatic_data_drop(lunatic_instance* instance, uint32_t segment) { instance->data_dropped[segment] = 1; }

}  // extern "C"
