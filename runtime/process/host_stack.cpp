// Host stacks (host_stack.h): mapped one at a time with a guard page, pooled, and switched to
// with Boost.Context's fcontext as processes are.
#include "runtime/process/host_stack.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include <boost/context/detail/fcontext.hpp>

#include "runtime/process/process.h"
#include "runtime/trap.h"

namespace lunatic::rt {
namespace {

namespace ctx = boost::context::detail;

// Stacks kept for reuse; beyond this many (calls that were parked at once), they are unmapped.
constexpr size_t kKeptStacks = 16;

size_t guardSize() {
  static const size_t page = size_t(sysconf(_SC_PAGESIZE));
  return page;
}

// A host stack: mapped with a guard page below `low`, this record at its top. Its first call
// starts a loop on it that runs each call handed to it and then waits, switched away from,
// for the next: a call is one switch there and one back, never a fresh context.
struct HostStack {
  uint8_t* low;
  ctx::fcontext_t waiting = nullptr;  // the loop, between calls; null before the first
};

std::mutex pool_mutex;
std::vector<HostStack*> pool;

// One stack kept by each thread, taken and given back without the lock: most calls never
// park, so they end on the thread they began on. Reached only through this function, never
// cached by a caller across a switch (a call may end on another thread).
__attribute__((noinline)) HostStack*& threadSpare() {
  static thread_local HostStack* spare = nullptr;
  asm volatile("");
  return spare;
}

// Below the record, 16-byte aligned as the ABI wants a stack's top.
uint8_t* usableTop(HostStack* stack) {
  return reinterpret_cast<uint8_t*>(reinterpret_cast<uintptr_t>(stack) & ~uintptr_t(15));
}

HostStack* acquire() {
  if (HostStack* stack = std::exchange(threadSpare(), nullptr)) return stack;
  {
    std::lock_guard lock(pool_mutex);
    if (!pool.empty()) {
      HostStack* stack = pool.back();
      pool.pop_back();
      return stack;
    }
  }
  const size_t guard = guardSize();
  void* mapping = mmap(nullptr, guard + kHostStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mapping == MAP_FAILED) return nullptr;
  if (mprotect(mapping, guard, PROT_NONE) != 0) {
    munmap(mapping, guard + kHostStackSize);
    return nullptr;
  }
  uint8_t* low = static_cast<uint8_t*>(mapping) + guard;
  return new (low + kHostStackSize - sizeof(HostStack)) HostStack{low};
}

void release(HostStack* stack) {
  if (HostStack*& spare = threadSpare(); !spare) {
    spare = stack;
    return;
  }
  {
    std::lock_guard lock(pool_mutex);
    if (pool.size() < kKeptStacks) {
      pool.push_back(stack);
      return;
    }
  }
  munmap(stack->low - guardSize(), guardSize() + kHostStackSize);
}

struct Call {
  void (*call)(void*);
  void* argument;
};

// The loop on a host stack. Each call returns to its caller by jumping to the context the
// caller left (on the process's stack), wherever the process was resumed meanwhile; the
// next call resumes the loop where it jumped.
void hostStackLoop(ctx::transfer_t from) {
  for (;;) {
    auto* call = static_cast<Call*>(from.data);
    call->call(call->argument);
    from = ctx::jump_fcontext(from.fctx, nullptr);
  }
}

}  // namespace

bool runOnHostStack(Process* caller, void (*call)(void*), void* argument) {
  HostStack* stack = acquire();
  if (!stack) return false;
  Call record{call, argument};
  if (caller) ++caller->unkillable_calls;
  if (!stack->waiting) {
    uint8_t* top = usableTop(stack);
    stack->waiting = ctx::make_fcontext(top, size_t(top - stack->low), hostStackLoop);
  }
  stack->waiting = ctx::jump_fcontext(stack->waiting, &record).fctx;
  release(stack);
  if (caller && --caller->unkillable_calls == 0) {
    caller->checkKilled();
    if (caller->outOfFuel()) caller->die(kOutOfFuelKind);
  }
  return true;
}

}  // namespace lunatic::rt
