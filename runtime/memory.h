// Linear memories in the two modes of abi.h, and their life cycle.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "lunatic/abi.h"

namespace lunatic::rt {

struct MemoryDeleter {
  void operator()(lunatic_memory* memory) const;
};
using MemoryPtr = std::unique_ptr<lunatic_memory, MemoryDeleter>;

// Null if the address space or memory cannot be had.
MemoryPtr createMemory(uint32_t min_pages, uint32_t max_pages, uint32_t mode);
// Old size in pages, or UINT32_MAX if the memory cannot grow by `delta` pages.
uint32_t growMemory(lunatic_memory* memory, uint32_t delta);

// The memories of one module's processes. A memory that a process leaves is zeroed and
// kept for the next process, so spawning costs no system call and no page fault.
//  - Guard-page mode: each memory is its own 8 GiB reservation (so about 15,000 can exist
//    at once in a 47-bit address space).
//  - Bounds-checked mode: memories start in slots carved from shared chunks, so a million
//    processes do not need a million mappings; memory.grow moves a memory out of its slot
//    into a mapping of its own.
// A pool's piece of address space for one memory. A warm slot has had every page written
// (so all are resident, and zeroing it again faults nothing in); a cold one may have pages
// never touched, which zeroing must not fault in.
struct MemorySlot {
  uint8_t* base = nullptr;
  bool warm = false;
  bool reused = false;  // a slot used twice is likely to be used often: it is made warm
                        // (within a budget, MemoryPool::mayWarm)
};

class MemoryPool {
 public:
  MemoryPool(uint32_t min_pages, uint32_t mode);
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;
  // Fills *memory with a zeroed memory of min_pages (max_pages is left to the caller) and
  // *slot with what to give back. False if the address space is exhausted. `cache` is the
  // calling worker's index, which picks a free list no other thread touches, or -1.
  bool acquire(lunatic_memory* memory, MemorySlot* slot, int cache);
  void release(lunatic_memory* memory, MemorySlot slot, int cache);

 private:
  static constexpr size_t kCaches = 64;
  static constexpr size_t kCacheLimit = 64;  // beyond this, slots go back to the shared list
  struct alignas(64) Cache {
    std::vector<MemorySlot> free;
  };
  bool refill(std::vector<MemorySlot>& into);
  void giveBack(MemorySlot slot);
  bool mayWarm(const MemorySlot& slot);
  std::atomic<size_t> warm_slots_{0};
  const uint64_t slot_bytes_;
  const uint32_t mode_;
  std::mutex mutex_;
  std::vector<MemorySlot> free_;
  Cache caches_[kCaches];
};

}  // namespace lunatic::rt
