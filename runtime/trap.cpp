// Traps: guarded execution with sigsetjmp/siglongjmp, the SIGSEGV/SIGBUS handler that turns
// faults in guard pages and stack overflow into Wasm traps, the stack limit generated code
// checks, and backtraces by frame pointers (generated code always keeps them).
#include "trap.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "lunatic/abi.h"
#include "lunatic/embed.h"

__thread uintptr_t lunatic_stack_limit = 0;

namespace lunatic::rt {
namespace {

// Headroom below the limit for the trap path itself (the handler runs on its own stack,
// but lunatic_trap and siglongjmp run on the guest's).
constexpr uintptr_t kStackHeadroom = 256 * 1024;
constexpr size_t kMaxFrames = 64;

struct Guard {
  sigjmp_buf jump;
  Guard* outer;
  uintptr_t entry_frame;
};

struct ThreadState {
  Guard* innermost = nullptr;
  uint32_t kind = 0;
  int32_t exit_code = 0;
  uintptr_t stack_low = 0;  // lowest address of this thread's stack
  uintptr_t frames[kMaxFrames];
  size_t frame_count = 0;
  bool altstack_installed = false;
};

thread_local ThreadState state;

// Guard regions, read by the signal handler without locks: a fixed table of atomics.
constexpr size_t kMaxRegions = 1 << 14;
std::atomic<uintptr_t> region_start[kMaxRegions];
std::atomic<uintptr_t> region_end[kMaxRegions];

std::mutex modules_mutex;
std::vector<const lunatic_module*> modules;

bool inGuardRegion(uintptr_t address) {
  for (size_t i = 0; i < kMaxRegions; ++i) {
    uintptr_t start = region_start[i].load(std::memory_order_acquire);
    if (start && address >= start && address < region_end[i].load(std::memory_order_acquire)) return true;
  }
  return false;
}

// Walks the frame-pointer chain from (pc, fp) up to the guard's entry frame. Frame pointers
// are checked to increase and stay below the entry, so a corrupt chain ends the walk.
void captureFrames(uintptr_t pc, uintptr_t fp) {
  state.frame_count = 0;
  uintptr_t limit = state.innermost ? state.innermost->entry_frame : 0;
  if (pc) state.frames[state.frame_count++] = pc;
  while (fp && fp < limit && state.frame_count < kMaxFrames && (fp & 7) == 0) {
    auto* frame = reinterpret_cast<uintptr_t*>(fp);
    uintptr_t next = frame[0], ret = frame[1];
    if (ret) state.frames[state.frame_count++] = ret - 1;  // inside the call instruction
    if (next <= fp) break;
    fp = next;
  }
}

[[noreturn]] void unwind(uint32_t kind) {
  state.kind = kind;
  Guard* guard = state.innermost;
  if (!guard) {
    std::fprintf(stderr, "lunatic: fatal: trap (%s) outside guest code\n", lunatic_trap_message(kind));
    std::abort();
  }
  siglongjmp(guard->jump, 1);
}

void onFault(int signal, siginfo_t* info, void* raw_context) {
  auto* context = static_cast<ucontext_t*>(raw_context);
  auto address = reinterpret_cast<uintptr_t>(info->si_addr);
  uint32_t kind = 0;
  if (state.innermost) {
    if (inGuardRegion(address)) {
      kind = LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS;
    } else if (state.stack_low && address < state.stack_low + kStackHeadroom &&
               address + 1024 * 1024 > state.stack_low) {
      kind = LUNATIC_TRAP_STACK_EXHAUSTED;
    }
  }
  if (!kind) {
    // A real crash: do not hide it as a trap.
    static constexpr char message[] = "lunatic: fatal: crash in the runtime or host code\n";
    ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    (void)ignored;
    ::signal(signal, SIG_DFL);
    raise(signal);
    return;
  }
  captureFrames(uintptr_t(context->uc_mcontext.gregs[REG_RIP]), uintptr_t(context->uc_mcontext.gregs[REG_RBP]));
  unwind(kind);
}

void installHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action = {};
    action.sa_sigaction = onFault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, nullptr);
    sigaction(SIGBUS, &action, nullptr);
  });
  if (!state.altstack_installed) {
    // The handler needs a stack of its own: the fault may be the guest's stack overflow.
    static thread_local std::vector<char> altstack(64 * 1024);
    stack_t ss = {};
    ss.ss_sp = altstack.data();
    ss.ss_size = altstack.size();
    sigaltstack(&ss, nullptr);
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* low = nullptr;
      size_t size = 0;
      pthread_attr_getstack(&attr, &low, &size);
      pthread_attr_destroy(&attr);
      state.stack_low = reinterpret_cast<uintptr_t>(low);
    }
    state.altstack_installed = true;
  }
}

}  // namespace

uintptr_t threadStackLimit() {
  installHandlers();
  return state.stack_low ? state.stack_low + kStackHeadroom : 0;
}

GuardResult runGuarded(void (*fn)(void*), void* context) {
  installHandlers();
  Guard guard;
  guard.outer = state.innermost;
  guard.entry_frame = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  uintptr_t saved_limit = lunatic_stack_limit;
  if (!lunatic_stack_limit && state.stack_low) lunatic_stack_limit = state.stack_low + kStackHeadroom;
  state.innermost = &guard;
  GuardResult result;
  if (sigsetjmp(guard.jump, 1) == 0) {
    fn(context);
  } else {
    result.kind = state.kind;
    result.exit_code = state.exit_code;
  }
  state.innermost = guard.outer;
  lunatic_stack_limit = saved_limit;
  return result;
}

void unwindWithTrap(uint32_t kind) {
  captureFrames(0, reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  unwind(kind);
}

void unwindWithExit(int32_t code) {
  state.exit_code = code;
  unwind(kExitKind);
}

void registerGuardRegion(const void* start, size_t size) {
  auto begin = reinterpret_cast<uintptr_t>(start);
  for (size_t i = 0; i < kMaxRegions; ++i) {
    // Claim a free slot first, then set its end: writing the end before owning the slot
    // would overwrite the end of a region in use. No access into the new region can
    // fault before this function returns, so the moment between the two is harmless.
    uintptr_t expected = 0;
    if (region_start[i].compare_exchange_strong(expected, begin, std::memory_order_acq_rel)) {
      region_end[i].store(begin + size, std::memory_order_release);
      return;
    }
  }
  // Table full: such faults will be reported as crashes rather than traps.
}

void unregisterGuardRegion(const void* start) {
  auto begin = reinterpret_cast<uintptr_t>(start);
  for (size_t i = 0; i < kMaxRegions; ++i) {
    uintptr_t expected = begin;
    if (region_start[i].compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return;
  }
}

void registerModuleCode(const lunatic_module* module) {
  std::lock_guard lock(modules_mutex);
  if (std::find(modules.begin(), modules.end(), module) == modules.end()) modules.push_back(module);
}

// The Wasm function whose code contains `pc`, or null for runtime and host frames.
const char* functionAt(uintptr_t pc) {
  for (const lunatic_module* m : modules) {
    auto start = reinterpret_cast<uintptr_t>(m->code_start), end = reinterpret_cast<uintptr_t>(m->code_end);
    if (pc < start || pc >= end) continue;
    const char* best = nullptr;
    uintptr_t best_address = 0;
    for (uint32_t f = 0; f < m->num_functions; ++f) {
      auto code = reinterpret_cast<uintptr_t>(m->functions[f].code);
      if (code && code <= pc && code >= best_address) {
        best_address = code;
        best = m->functions[f].name;
      }
    }
    return best;
  }
  return nullptr;
}

}  // namespace lunatic::rt

using namespace lunatic::rt;

extern "C" void lunatic_trap(uint32_t kind) { unwindWithTrap(kind); }

extern "C" const char* lunatic_trap_message(uint32_t kind) {
  switch (kind) {
    case LUNATIC_TRAP_UNREACHABLE: return "unreachable";
    case LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS: return "out of bounds memory access";
    case LUNATIC_TRAP_TABLE_OUT_OF_BOUNDS: return "out of bounds table access";
    case LUNATIC_TRAP_UNDEFINED_ELEMENT: return "undefined element";
    case LUNATIC_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
    case LUNATIC_TRAP_INDIRECT_CALL_TYPE_MISMATCH: return "indirect call type mismatch";
    case LUNATIC_TRAP_INTEGER_DIVIDE_BY_ZERO: return "integer divide by zero";
    case LUNATIC_TRAP_INTEGER_OVERFLOW: return "integer overflow";
    case LUNATIC_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case LUNATIC_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case LUNATIC_TRAP_NULL_REFERENCE: return "null reference";
    case LUNATIC_TRAP_HOST: return "host function failed";
  }
  return "unknown trap";
}

extern "C" void lunatic_print_trap_backtrace(void) {
  std::lock_guard lock(modules_mutex);
  // Deep recursion gives long runs of one function: print each run once, with its length.
  const char* previous = nullptr;
  size_t repeats = 0;
  auto flush = [&] {
    if (!previous) return;
    if (repeats > 1) {
      std::fprintf(stderr, "  at %s (%zu frames)\n", previous, repeats);
    } else {
      std::fprintf(stderr, "  at %s\n", previous);
    }
  };
  for (size_t i = 0; i < state.frame_count; ++i) {
    const char* name = functionAt(state.frames[i]);
    if (!name) continue;
    if (previous && std::strcmp(name, previous) == 0) {
      ++repeats;
      continue;
    }
    flush();
    previous = name;
    repeats = 1;
  }
  flush();
  if (state.frame_count == kMaxFrames) std::fprintf(stderr, "  ... (older frames not shown)\n");
}
