// Traps: guarded execution with sigsetjmp/siglongjmp, the SIGSEGV/SIGBUS handler that turns
// faults in guard pages and stack overflow into Wasm traps, the stack limit generated code
// checks, and backtraces by frame pointers (generated code always keeps them), with the
// frames of functions the compiler inlined from the module's inline table (abi.h).
#include "runtime/trap.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lunatic/abi.h"
#include "lunatic/embed.h"
#include "runtime/arch/registers.h"

__thread uintptr_t lunatic_stack_limit = 0;

namespace lunatic::rt {
namespace {

// Headroom below the limit for the trap path itself (the handler runs on its own stack,
// but lunatic_trap and siglongjmp run on the guest's).
constexpr uintptr_t kStackHeadroom = 256 * 1024;
constexpr size_t kMaxFrames = 64;

}  // namespace

struct Guard {
  sigjmp_buf jump;
  Guard* outer;
  uintptr_t entry_frame;
};

namespace {

struct ThreadState {
  GuestStack own;              // guest code running on this thread's own stack
  GuestStack* current = &own;  // the stack traps on this thread unwind on
  uintptr_t stack_low = 0;     // lowest address of this thread's own stack
  uintptr_t frames[kMaxFrames];
  size_t frame_count = 0;
  bool altstack_installed = false;
};

thread_local ThreadState thread_state;

// Never inlined, and opaque to the optimiser: guest code may switch threads between two
// calls (a process migrating between workers), so a caller must not reuse the address of
// an earlier thread's state.
__attribute__((noinline)) ThreadState& state() {
  asm volatile("");
  return thread_state;
}

// Guard regions, read by the signal handler without locks: a fixed table of atomics.
constexpr size_t kMaxRegions = 1 << 14;
std::atomic<uintptr_t> region_start[kMaxRegions];
std::atomic<uintptr_t> region_end[kMaxRegions];
// Where the search for a free slot starts: next to the last one claimed or freed. With
// thousands of regions alive, starting from 0 each time made registering quadratic.
std::atomic<size_t> region_hint{0};

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
  ThreadState& t = state();
  t.frame_count = 0;
  uintptr_t limit = t.current->innermost ? t.current->innermost->entry_frame : 0;
  if (pc) t.frames[t.frame_count++] = pc;
  while (fp && fp < limit && t.frame_count < kMaxFrames && (fp & 7) == 0) {
    auto* frame = reinterpret_cast<uintptr_t*>(fp);
    uintptr_t next = frame[0], ret = frame[1];
    if (ret) t.frames[t.frame_count++] = ret - 1;  // inside the call instruction
    if (next <= fp) break;
    fp = next;
  }
}

[[noreturn]] void unwind(uint32_t kind) {
  GuestStack* stack = state().current;
  stack->kind = kind;
  Guard* guard = stack->innermost;
  if (!guard) {
    std::fprintf(stderr, "lunatic: fatal: trap (%s) outside guest code\n", lunatic_trap_message(kind));
    std::abort();
  }
  siglongjmp(guard->jump, 1);
}

void onFault(int signal, siginfo_t* info, void* context) {
  auto address = reinterpret_cast<uintptr_t>(info->si_addr);
  uint32_t kind = 0;
  ThreadState& t = state();
  if (t.current->innermost) {
    if (inGuardRegion(address)) {
      kind = LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS;
    } else if (t.current == &t.own && t.stack_low && address < t.stack_low + kStackHeadroom &&
               address + 1024 * 1024 > t.stack_low) {
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
  arch::Registers registers = arch::faultRegisters(context);
  captureFrames(registers.pc, registers.fp);
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
  ThreadState& t = state();
  if (!t.altstack_installed) {
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
      t.stack_low = reinterpret_cast<uintptr_t>(low);
      t.own.limit = t.stack_low + kStackHeadroom + guestFrameReserve();
      if (t.current == &t.own) lunatic_stack_limit = t.own.limit;
    }
    t.altstack_installed = true;
  }
}

}  // namespace

// The runtime's own entry makes the section exist, so the linker defines its bounds in
// every executable, also one with no entry of generated code (x86-64's).
__attribute__((used, section(LUNATIC_FRAME_SIZES_SECTION))) const uint64_t runtime_frame_size = 0;
extern "C" const uint64_t __start_lunatic_frame_sizes[];
extern "C" const uint64_t __stop_lunatic_frame_sizes[];

uintptr_t guestFrameReserve() {
  static const uintptr_t reserve = 2 * *std::max_element(__start_lunatic_frame_sizes, __stop_lunatic_frame_sizes);
  return reserve;
}

uintptr_t threadStackLimit() {
  installHandlers();
  return state().own.limit;
}

void setCurrentGuestStack(GuestStack* stack) {
  ThreadState& t = state();
  t.current = stack ? stack : &t.own;
  lunatic_stack_limit = t.current->limit;
}

GuardResult runGuarded(void (*fn)(void*), void* context) {
  installHandlers();
  // The stack object belongs to whoever runs here (a thread or a process), so the pointer
  // stays right even if fn returns on another thread.
  GuestStack* stack = state().current;
  Guard guard;
  guard.outer = stack->innermost;
  guard.entry_frame = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  stack->innermost = &guard;
  GuardResult result;
  // The fault handler runs with SA_NODEFER and an empty mask, so leaving it by siglongjmp
  // leaves the signal mask as it was: no need to save it (a system call) on every entry.
  if (sigsetjmp(guard.jump, 0) == 0) {
    fn(context);
  } else {
    result.kind = stack->kind;
    result.exit_code = stack->exit_code;
  }
  stack->innermost = guard.outer;
  return result;
}

void unwindWithTrap(uint32_t kind) {
  captureFrames(0, reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  unwind(kind);
}

void unwindWithExit(int32_t code) {
  state().current->exit_code = code;
  unwind(kExitKind);
}

void resumeUnwinding(const GuardResult& result) {
  state().current->exit_code = result.exit_code;
  unwind(result.kind);
}

void registerGuardRegion(const void* start, size_t size) {
  auto begin = reinterpret_cast<uintptr_t>(start);
  size_t first = region_hint.load(std::memory_order_relaxed);
  for (size_t n = 0; n < kMaxRegions; ++n) {
    size_t i = (first + n) % kMaxRegions;
    if (region_start[i].load(std::memory_order_relaxed) != 0) continue;
    // Claim a free slot first, then set its end: writing the end before owning the slot
    // would overwrite the end of a region in use. No access into the new region can
    // fault before this function returns, so the moment between the two is harmless.
    uintptr_t expected = 0;
    if (region_start[i].compare_exchange_strong(expected, begin, std::memory_order_acq_rel)) {
      region_end[i].store(begin + size, std::memory_order_release);
      region_hint.store(i + 1, std::memory_order_relaxed);
      return;
    }
  }
  // Table full: such faults will be reported as crashes rather than traps.
}

void unregisterGuardRegion(const void* start) {
  auto begin = reinterpret_cast<uintptr_t>(start);
  for (size_t i = 0; i < kMaxRegions; ++i) {
    if (region_start[i].load(std::memory_order_relaxed) != begin) continue;
    uintptr_t expected = begin;
    if (region_start[i].compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) {
      region_hint.store(i, std::memory_order_relaxed);
      return;
    }
  }
}

void registerModuleCode(const lunatic_module* module) {
  std::lock_guard lock(modules_mutex);
  if (std::find(modules.begin(), modules.end(), module) == modules.end()) modules.push_back(module);
}

// The module whose code contains `pc`, or null for runtime and host frames.
const lunatic_module* moduleAt(uintptr_t pc) {
  for (const lunatic_module* m : modules) {
    auto start = reinterpret_cast<uintptr_t>(m->code_start), end = reinterpret_cast<uintptr_t>(m->code_end);
    if (pc >= start && pc < end) return m;
  }
  return nullptr;
}

// The Wasm function whose code contains `pc`, or null for runtime and host frames.
const char* functionAt(uintptr_t pc) {
  const lunatic_module* m = moduleAt(pc);
  if (!m) return nullptr;
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

// A frame of a backtrace: a function and, where the module was compiled with -g, the
// guest source line it is at (file null where unknown).
struct SourceFrame {
  const char* name;
  const char* file = nullptr;
  uint32_t line = 0;
};

// The guest source line of the code at `offset` from the module's code_start (abi.h:
// lunatic_code_line), if the table has one.
void lineAt(const lunatic_inline_table* table, uintptr_t offset, SourceFrame& frame) {
  const lunatic_code_line* lines = lunatic_inline_lines(table);
  const lunatic_code_line* after = std::upper_bound(
      lines, lines + table->num_lines, offset, [](uintptr_t at, const lunatic_code_line& row) { return at < row.begin; });
  if (after == lines || after[-1].line == 0) return;
  frame.file = lunatic_inline_names(table) + after[-1].file;
  frame.line = after[-1].line;
}

// The frames at `pc`, innermost first, appended to `frames`: the functions inlined there
// (abi.h: lunatic_inline_table), then `name`, the function the code belongs to. Ranges
// nest, each copy within the one it was inlined into, so those that contain `pc` have
// depths 1..n, one each. The innermost frame is at the line of `pc`; each other at the line
// that calls the copy inside it.
void framesAt(uintptr_t pc, const char* name, std::vector<SourceFrame>& frames) {
  const lunatic_module* m = moduleAt(pc);
  const lunatic_inline_table* table = m ? m->inlines : nullptr;
  std::vector<const lunatic_inlined_range*> copies;  // by depth, outermost first
  uintptr_t offset = 0;
  if (table) {
    offset = pc - reinterpret_cast<uintptr_t>(m->code_start);
    const lunatic_inlined_range* ranges = lunatic_inline_ranges(table);
    // Ranges are sorted by start: only those before the first that starts past `offset`
    // can contain it.
    const lunatic_inlined_range* end = std::upper_bound(
        ranges, ranges + table->num_ranges, offset,
        [](uintptr_t at, const lunatic_inlined_range& range) { return at < range.begin; });
    for (const lunatic_inlined_range* range = ranges; range != end; ++range) {
      if (offset >= range->end) continue;
      if (copies.size() < range->depth) copies.resize(range->depth, nullptr);
      copies[range->depth - 1] = range;
    }
    std::erase(copies, nullptr);
  }
  size_t first = frames.size();
  for (auto copy = copies.rbegin(); copy != copies.rend(); ++copy) {
    frames.push_back({lunatic_inline_names(table) + (*copy)->name});
  }
  frames.push_back({name});
  if (!table) return;
  lineAt(table, offset, frames[first]);
  for (size_t i = 0; i < copies.size(); ++i) {
    // frames[first + copies.size() - i] is the frame copies[i] was inlined into.
    const lunatic_inlined_range* copy = copies[i];
    if (!copy->call_line) continue;
    SourceFrame& caller = frames[first + copies.size() - i];
    caller.file = lunatic_inline_names(table) + copy->call_file;
    caller.line = copy->call_line;
  }
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
    case kKilledKind: return "killed";
    case kOutOfFuelKind: return "out of fuel";
    case kOverHostBudgetKind: return "over its host memory budget (max_host_memory)";
    case kHostOutOfMemoryKind: return "the host is out of memory (an allocation of a host function failed)";
  }
  return "unknown trap";
}

namespace lunatic::rt {
namespace {

// Calls emit(frame, repeats) for each run of frames in one Wasm function, innermost first
// (deep recursion gives long runs; the first frame of the run stands for it), the frames
// of functions the compiler inlined included; returns whether older frames were cut off.
template <typename Emit>
bool forEachBacktraceRun(Emit emit) {
  std::lock_guard lock(modules_mutex);
  ThreadState& t = state();
  std::optional<SourceFrame> previous;
  size_t repeats = 0;
  std::vector<SourceFrame> frames;
  for (size_t i = 0; i < t.frame_count; ++i) {
    const char* name = functionAt(t.frames[i]);
    if (!name) continue;
    frames.clear();
    framesAt(t.frames[i], name, frames);
    for (const SourceFrame& frame : frames) {
      if (previous && std::strcmp(frame.name, previous->name) == 0) {
        ++repeats;
        continue;
      }
      if (previous) emit(*previous, repeats);
      previous = frame;
      repeats = 1;
    }
  }
  if (previous) emit(*previous, repeats);
  return t.frame_count == kMaxFrames;
}

}  // namespace

const char* guestFunctionAt(uintptr_t pc) {
  std::lock_guard lock(modules_mutex);
  return functionAt(pc);
}

std::vector<std::pair<uintptr_t, uintptr_t>> guestCodeRanges() {
  std::lock_guard lock(modules_mutex);
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges;
  for (const lunatic_module* m : modules) {
    ranges.emplace_back(reinterpret_cast<uintptr_t>(m->code_start), reinterpret_cast<uintptr_t>(m->code_end));
  }
  return ranges;
}

std::string formatTrapBacktrace(bool one_line) {
  std::string out;
  auto append = [&](const SourceFrame& frame, size_t repeats) {
    if (one_line && !out.empty()) out += " <- ";
    if (!one_line) out += "  at ";
    out += frame.name;
    if (frame.line) out += std::string(" (") + frame.file + ":" + std::to_string(frame.line) + ")";
    if (repeats > 1) out += " (" + std::to_string(repeats) + " frames)";
    if (!one_line) out += "\n";
  };
  if (forEachBacktraceRun(append)) {
    out += one_line ? " <- ..." : "  ... (older frames not shown)\n";
  }
  return out;
}

}  // namespace lunatic::rt
