// Host stacks (host_stack.h): mapped one at a time with a guard page, pooled, and switched to
// with Boost.Context's fcontext as processes are.
#include "runtime/process/host_stack.h"

#include <sys/mman.h>
#include <unistd.h>

#include <mutex>
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

std::mutex pool_mutex;
std::vector<uint8_t*> pool;  // each the low end of a usable stack, its guard page just below

// One stack kept by each thread, taken and given back without the lock: most calls never
// park, so they end on the thread they began on. Reached only through this function, never
// cached by a caller across a switch (a call may end on another thread).
__attribute__((noinline)) uint8_t*& threadSpare() {
  static thread_local uint8_t* spare = nullptr;
  asm volatile("");
  return spare;
}

uint8_t* acquire() {
  if (uint8_t* low = std::exchange(threadSpare(), nullptr)) return low;
  {
    std::lock_guard lock(pool_mutex);
    if (!pool.empty()) {
      uint8_t* low = pool.back();
      pool.pop_back();
      return low;
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
  return static_cast<uint8_t*>(mapping) + guard;
}

void release(uint8_t* low) {
  if (uint8_t*& spare = threadSpare(); !spare) {
    spare = low;
    return;
  }
  {
    std::lock_guard lock(pool_mutex);
    if (pool.size() < kKeptStacks) {
      pool.push_back(low);
      return;
    }
  }
  munmap(low - guardSize(), guardSize() + kHostStackSize);
}

struct Call {
  void (*call)(void*);
  void* argument;
};

// The first frame on a host stack. It returns to its caller by jumping to the context the
// caller left (on the process's stack), wherever the process was resumed meanwhile.
void hostStackMain(ctx::transfer_t from) {
  auto* call = static_cast<Call*>(from.data);
  call->call(call->argument);
  ctx::jump_fcontext(from.fctx, nullptr);
}

}  // namespace

bool runOnHostStack(Process* caller, void (*call)(void*), void* argument) {
  uint8_t* low = acquire();
  if (!low) return false;
  Call record{call, argument};
  if (caller) ++caller->unkillable_calls;
  ctx::fcontext_t entry = ctx::make_fcontext(low + kHostStackSize, kHostStackSize, hostStackMain);
  ctx::jump_fcontext(entry, &record);
  release(low);
  if (caller && --caller->unkillable_calls == 0) {
    caller->checkKilled();
    if (caller->outOfFuel()) caller->die(kOutOfFuelKind);
  }
  return true;
}

}  // namespace lunatic::rt
