// The emergency reserve and the allocation failure handler (allocation.h).
#include "runtime/process/allocation.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "runtime/process/limits.h"
#include "runtime/process/process.h"
#include "runtime/process/scheduler.h"
#include "runtime/trap.h"

namespace lunatic::rt::allocation {
namespace {

std::atomic<void*> reserve{nullptr};
std::atomic<bool> refill_due{false};

// Maps the reserve: address space the system counts against the program's limits
// (RLIMIT_AS, RLIMIT_DATA) without a page of it being touched.
void* mapReserve() {
  void* block = mmap(nullptr, limits::emergencyReserveBytes(), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return block == MAP_FAILED ? nullptr : block;
}

bool giveBackReserve() {
  void* block = reserve.exchange(nullptr);
  if (!block) return false;
  munmap(block, limits::emergencyReserveBytes());
  refill_due.store(true, std::memory_order_relaxed);
  return true;
}

[[noreturn]] void fatal(const char* message, size_t length) {
  ssize_t ignored = write(STDERR_FILENO, message, length);
  (void)ignored;
  std::abort();
}

// std::new_handler: called by operator new each time malloc fails, until it succeeds.
void onAllocationFailure() {
  // On a worker, the process running there is the one whose host function allocates: the
  // scheduler's own code runs with none.
  Process* p = scheduler::currentProcess();
  if (p && p->host_task) p = nullptr;  // its C++ frames must never be unwound (process/host_task.h)
  if (giveBackReserve()) {
    if (p) {
      // Dies as soon as it is back in its own code: at the next reduction check, or as
      // its host function parks.
      p->failSoon(kHostOutOfMemoryKind);
    }
    return;
  }
  if (p) unwindWithTrap(kHostOutOfMemoryKind);
  static constexpr char message[] = "lunatic: fatal: out of memory, and the emergency reserve is spent\n";
  fatal(message, sizeof message - 1);
}

}  // namespace

void start() {
  reserve.store(mapReserve());
  std::set_new_handler(onAllocationFailure);
}

void refillReserve() {
  if (!refill_due.load(std::memory_order_relaxed)) return;
  void* block = mapReserve();
  if (!block) return;
  void* expected = nullptr;
  if (reserve.compare_exchange_strong(expected, block)) {
    refill_due.store(false, std::memory_order_relaxed);
  } else {
    munmap(block, limits::emergencyReserveBytes());
  }
}

}  // namespace lunatic::rt::allocation
