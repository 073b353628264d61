// Process stacks (stack.h): reservations of kChunkStacks stacks at a time, a free list per
// thread in front of a shared one, so that spawning and exiting stay off the system.
#include "runtime/process/stack.h"

#include <sys/mman.h>

#include <mutex>
#include <vector>

#include "runtime/trap.h"

namespace lunatic::rt {
namespace {

constexpr size_t kChunkStacks = 64;
constexpr size_t kThreadCacheLimit = 256;  // beyond this, stacks go back to the shared list

std::mutex shared_mutex;
std::vector<uint8_t*> shared_free;

// Reached only through this function, never cached across a context switch by a caller.
__attribute__((noinline)) std::vector<uint8_t*>& threadFree() {
  static thread_local std::vector<uint8_t*> free_stacks;
  asm volatile("");
  return free_stacks;
}

bool refillFromShared(std::vector<uint8_t*>& local) {
  std::lock_guard lock(shared_mutex);
  if (shared_free.empty()) {
    void* chunk = mmap(nullptr, kChunkStacks * kStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (chunk == MAP_FAILED) return false;
    // Each stack uses a few pages at its top; a huge page would make that 2 MiB.
    madvise(chunk, kChunkStacks * kStackSize, MADV_NOHUGEPAGE);
    for (size_t i = 0; i < kChunkStacks; ++i) shared_free.push_back(static_cast<uint8_t*>(chunk) + i * kStackSize);
  }
  size_t take = std::min(shared_free.size(), kChunkStacks);
  local.insert(local.end(), shared_free.end() - take, shared_free.end());
  shared_free.resize(shared_free.size() - take);
  return true;
}

}  // namespace

uint8_t* Stack::high() const { return low + kStackSize; }
uintptr_t Stack::guestLimit() const {
  return reinterpret_cast<uintptr_t>(low) + kHostReserve + LUNATIC_STACK_OVERREACH + guestFrameReserve();
}

Stack acquireStack() {
  std::vector<uint8_t*>& local = threadFree();
  if (local.empty() && !refillFromShared(local)) return {};
  Stack stack{local.back()};
  local.pop_back();
  return stack;
}

void releaseStack(Stack stack) {
  std::vector<uint8_t*>& local = threadFree();
  local.push_back(stack.low);
  if (local.size() > kThreadCacheLimit) {
    std::lock_guard lock(shared_mutex);
    shared_free.insert(shared_free.end(), local.end() - kChunkStacks, local.end());
    local.resize(local.size() - kChunkStacks);
  }
}

}  // namespace lunatic::rt
