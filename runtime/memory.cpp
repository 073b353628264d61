// Linear memory: guard-page reservations or bounds-checked mappings, and the bulk-memory
// helpers generated code calls (abi.h). Every check happens before any byte is written.
#include "runtime/memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "runtime/arch/page_scan.h"
#include "runtime/trap.h"

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
    // Empty, or in a pool's slot that is not ours to resize: move into a mapping of our own.
    void* base = mmap(nullptr, new_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return UINT32_MAX;
    if (memory->size) std::memcpy(base, memory->base, memory->size);
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

namespace {

constexpr size_t kChunkBytes = 8u << 20;      // bounds-checked slots are carved from these
constexpr uint64_t kZeroByStores = 1u << 20;  // beyond this, pages go back to the kernel
constexpr size_t kSmallMemory = 2u << 20;     // the size of a transparent huge page

constexpr uint64_t kHostPage = arch::kScannedPage;  // the smallest page Linux has
// Warm slots keep every page resident, so there are at most this many bytes of them; the
// rest stay cold, reset through mincore.
constexpr uint64_t kMaxWarmPoolBytes = 512u << 20;

// Zeroes the pages of [base, base + size) (page-aligned) that hold data. Most pages of a
// short-lived process's memory are never written, and reading a page costs less than
// storing to it (a store must first own its cache line): resetting a 64 KiB memory with 3
// pages written took 0.83 us this way against 1.38 us for a memset of all of it
// (2026-12-06, Xeon).
void zeroWritten(uint8_t* base, uint64_t size) {
  for (uint64_t at = 0; at < size; at += kHostPage) {
    if (arch::pageHoldsData(base + at)) std::memset(base + at, 0, kHostPage);
  }
}

// Zeroes [base, base + size). Stores are cheap while the pages are resident; past
// kZeroByStores the pages go back to the kernel instead. A cold slot has its resident pages
// zeroed one by one (the kernel says which): reading the others would fault each in.
// A slot being reused (`make_warm`) has every page read, so that from then on it is reset
// without a system call. Reading maps a page never written to the kernel's one zero page,
// and there it stays until a process writes it: the next resets read all such pages of all
// warm slots from one physical page, which stays in the core's L1 cache, and only the
// pages processes write come from further away.
// Returns whether the first kZeroByStores bytes are now all resident, i.e. warm.
bool zero(uint8_t* base, uint64_t size, bool warm, bool make_warm) {
  uint64_t stored = std::min(size, kZeroByStores);
  if (size > stored) madvise(base + stored, size - stored, MADV_DONTNEED);
  if (warm || make_warm) {
    zeroWritten(base, stored);
    return true;
  }
  // mincore answers per page of the system's size (4 KiB on x86-64; 4, 16 or 64 KiB on
  // AArch64), which divides a Wasm page.
  static const uint64_t system_page = uint64_t(sysconf(_SC_PAGESIZE));
  unsigned char resident[kZeroByStores / kHostPage];
  size_t pages = stored / system_page;
  if (mincore(base, stored, resident) != 0) {
    madvise(base, stored, MADV_DONTNEED);
    return false;
  }
  // A resident page may be the kernel's shared zero page, mapped by a read: storing to it
  // would copy it and interrupt every core to flush its TLB. Only pages that hold
  // something are stored to.
  for (size_t i = 0; i < pages; ++i) {
    if (resident[i] & 1) zeroWritten(base + i * system_page, system_page);
  }
  return false;
}

}  // namespace

MemoryPool::MemoryPool(uint32_t min_pages, uint32_t mode) : slot_bytes_(uint64_t(min_pages) * kPage), mode_(mode) {}

// Takes free slots from the shared list, making more if it is empty, into `into`.
bool MemoryPool::refill(std::vector<MemorySlot>& into) {
  std::lock_guard lock(mutex_);
  if (free_.empty()) {
    if (mode_ == LUNATIC_MEMORY_GUARD_PAGES) {
      void* base = mmap(nullptr, kGuardReservation, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (base == MAP_FAILED) return false;
      if (slot_bytes_ && mprotect(base, slot_bytes_, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, kGuardReservation);
        return false;
      }
      // A small memory would otherwise be backed by a whole 2 MiB huge page on first touch;
      // memories that grow past that still get huge pages.
      madvise(base, kSmallMemory, MADV_NOHUGEPAGE);
      registerGuardRegion(base, kGuardReservation);
      free_.push_back({static_cast<uint8_t*>(base), false});
    } else {
      size_t count = std::max<size_t>(1, kChunkBytes / slot_bytes_);
      void* chunk = mmap(nullptr, count * slot_bytes_, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (chunk == MAP_FAILED) return false;
      madvise(chunk, count * slot_bytes_, MADV_NOHUGEPAGE);  // one huge page would span many slots
      for (size_t i = count; i-- > 0;) free_.push_back({static_cast<uint8_t*>(chunk) + i * slot_bytes_, false});
    }
  }
  size_t take = std::min(free_.size(), kCacheLimit / 2);
  into.insert(into.end(), free_.end() - take, free_.end());
  free_.resize(free_.size() - take);
  return true;
}

bool MemoryPool::acquire(lunatic_memory* memory, MemorySlot* slot, int cache) {
  *memory = {};
  memory->mode = mode_;
  memory->base = empty_memory;
  *slot = {};
  if (mode_ == LUNATIC_MEMORY_GUARD_PAGES || slot_bytes_ > 0) {
    std::vector<MemorySlot> shared_only;
    std::vector<MemorySlot>& list = cache >= 0 && size_t(cache) < kCaches ? caches_[cache].free : shared_only;
    if (list.empty() && !refill(list)) return false;
    *slot = list.back();
    list.pop_back();
    if (&list == &shared_only && !list.empty()) {
      std::lock_guard lock(mutex_);
      free_.insert(free_.end(), list.begin(), list.end());
    }
    memory->base = slot->base;
  }
  memory->size = slot_bytes_;
  memory->reserved = mode_ == LUNATIC_MEMORY_GUARD_PAGES ? kGuardReservation : 0;
  return true;
}

void MemoryPool::giveBack(MemorySlot slot) {
  std::lock_guard lock(mutex_);
  free_.push_back(slot);
}

// Whether a cold slot coming back may be made warm: it is being reused, and the warm
// slots, whose every page stays resident, stay within kMaxWarmPoolBytes in all.
bool MemoryPool::mayWarm(const MemorySlot& slot) {
  if (slot.warm || !slot.reused) return false;
  size_t limit = kMaxWarmPoolBytes / std::max<uint64_t>(slot_bytes_, kHostPage);
  size_t warm = warm_slots_.load(std::memory_order_relaxed);
  while (warm < limit) {
    if (warm_slots_.compare_exchange_weak(warm, warm + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

void MemoryPool::release(lunatic_memory* memory, MemorySlot slot, int cache) {
  if (!slot.base) {  // a memory of no pages, perhaps grown into a mapping of its own
    if (memory->reserved) munmap(memory->base, memory->reserved);
    return;
  }
  if (mode_ == LUNATIC_MEMORY_GUARD_PAGES) {
    slot.warm = zero(slot.base, memory->size, slot.warm, mayWarm(slot));
    if (memory->size > slot_bytes_) mprotect(slot.base + slot_bytes_, memory->size - slot_bytes_, PROT_NONE);
  } else {
    if (memory->base != slot.base) munmap(memory->base, memory->reserved);
    slot.warm = zero(slot.base, slot_bytes_, slot.warm, mayWarm(slot));
  }
  slot.reused = true;
  if (cache < 0 || size_t(cache) >= kCaches) return giveBack(slot);
  std::vector<MemorySlot>& list = caches_[cache].free;
  list.push_back(slot);
  if (list.size() <= kCacheLimit) return;
  for (size_t i = list.size() - kCacheLimit / 2; i < list.size(); ++i) giveBack(list[i]);
  list.resize(list.size() - kCacheLimit / 2);
}

}  // namespace lunatic::rt

using namespace lunatic::rt;

extern "C" {

uint32_t lunatic_memory_grow(lunatic_instance* instance, uint32_t delta_pages) {
  return growMemory(instance->memory, delta_pages);
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
