// Linear memories in the two modes of abi.h, and their life cycle.
#pragma once

#include <memory>

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

}  // namespace lunatic::rt
