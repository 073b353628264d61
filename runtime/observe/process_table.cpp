// The process table (process_table.h).
//
// "The function it is in" is found for a parked process only, the one kind whose stack
// holds still: read under its lock while it is Waiting, a state only a wake (which takes the
// lock) ends. Its context (the record Boost.Context's fcontext switch left, with the frame
// pointer and the address it resumes at: runtime/arch/registers.h) starts a walk of the
// frame-pointer chain (every runtime and guest frame keeps one), each frame checked to lie
// within the process's stack and above the last, to the first return address in a Wasm
// function, named as trap backtraces name it. Processes that park at the same call site
// share return addresses, so a table of 100,000 of them looks up a few addresses, cached.
// A process not parked shows its entry export if it has not started, and "-" otherwise:
// its stack is changing under the listing.
#include "runtime/observe/process_table.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <vector>

#include "runtime/arch/registers.h"
#include "runtime/clock.h"
#include "runtime/process/module_image.h"
#include "runtime/process/process.h"
#include "runtime/process/registry.h"
#include "runtime/process/scheduler.h"
#include "runtime/trap.h"

namespace lunatic::rt::observe {
namespace {

constexpr size_t kMaxWalkedFrames = 64;
constexpr size_t kMaxListed = 16;  // links or monitors listed per process; more are counted

const char* stateName(const Process& p, bool running) {
  switch (p.state) {
    case ProcessState::Runnable: return running ? "running" : "runnable";
    case ProcessState::Done: return "done";
    case ProcessState::Waiting: break;
  }
  switch (p.wait_reason) {
    case WaitReason::Message: return "waiting:message";
    case WaitReason::Timer: return "waiting:timer";
    case WaitReason::Io: return "waiting:io";
    case WaitReason::Other: break;
  }
  return "waiting";
}

// Names the Wasm functions that return addresses lie in: a range check tells runtime code
// from Wasm code, and the names of the few return addresses processes park at are cached.
class FunctionNames {
 public:
  FunctionNames() : ranges_(guestCodeRanges()) {}
  // The Wasm function `pc` returns into, null if it is not Wasm code (or has no name). A
  // null is also what ends the walk at a Wasm function without a name.
  const char* at(uintptr_t pc, bool* in_wasm) {
    *in_wasm = std::any_of(ranges_.begin(), ranges_.end(), [&](const auto& r) { return pc >= r.first && pc < r.second; });
    if (!*in_wasm) return nullptr;
    auto [it, is_new] = names_.try_emplace(pc, nullptr);
    if (is_new) it->second = guestFunctionAt(pc - 1);  // inside the call instruction
    return it->second;
  }

 private:
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges_;
  std::unordered_map<uintptr_t, const char*> names_;
};

// The innermost Wasm function on a parked process's stack, or null. Under p.lock, Waiting.
const char* parkedFunction(const Process& p, FunctionNames& names) {
  auto low = reinterpret_cast<uintptr_t>(p.stack.low), high = reinterpret_cast<uintptr_t>(p.stack.high());
  auto context = reinterpret_cast<uintptr_t>(p.context);
  if (!low || context < low || context + arch::kSwitchRecordSize > high) return nullptr;
  arch::Registers parked = arch::parkedRegisters(reinterpret_cast<const uintptr_t*>(context));
  uintptr_t fp = parked.fp, pc = parked.pc;
  for (size_t depth = 0; depth < kMaxWalkedFrames; ++depth) {
    bool in_wasm = false;
    const char* name = names.at(pc, &in_wasm);
    if (in_wasm) return name;
    if (fp <= context || fp + 16 > high || (fp & 7) != 0) return nullptr;
    auto* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t next = frame[0];
    pc = frame[1];
    if (next <= fp) return nullptr;
    context = fp;
    fp = next;
  }
  return nullptr;
}

void appendNumber(std::string& out, uint64_t value, size_t width = 0) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  size_t n = size_t(end - digits);
  if (n < width) out.append(width - n, ' ');
  out.append(digits, n);
}

void appendPadded(std::string& out, std::string_view text, size_t width) {
  out += text;
  if (text.size() < width) out.append(width - text.size(), ' ');
}

// A registry name as a quoted string: quotes, backslashes and control bytes escaped, so a
// name cannot break a line of the table.
void appendQuoted(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += char(c);
    }
  }
  out += '"';
}

template <typename List, typename Id>
void appendIds(std::string& out, const char* label, const List& list, Id id) {
  if (list.empty()) return;
  out += ' ';
  out += label;
  out += '=';
  size_t shown = std::min(list.size(), kMaxListed);
  for (size_t i = 0; i < shown; ++i) {
    if (i) out += ',';
    appendNumber(out, id(list[i]));
  }
  if (list.size() > shown) {
    out += ",+";
    appendNumber(out, list.size() - shown);
  }
}

// One row, read under the process's lock.
struct Row {
  ProcessId id = 0;
  const char* state = "";
  const char* function = nullptr;
  uint64_t mailbox = 0;
  std::vector<std::pair<ProcessId, int64_t>> links;
  std::vector<ProcessId> monitored_by;
  bool named = false;
};

}  // namespace

std::string renderProcessTable(ProcessTableSummary* summary) {
  uint64_t started = nowNanoseconds();
  std::vector<ProcessRef> processes = liveProcesses();
  std::vector<ProcessId> running = scheduler::runningProcesses();
  ProcessTableSummary counts;
  FunctionNames names;
  std::string out;
  out.reserve(processes.size() * 96 + 256);
  out += "      PID STATE            MAILBOX    MEMORY  HOSTMEM   REDUCTIONS FUNCTION\n";
  Row row;
  // Processes lie far apart, each with a stack of its own: fetching the next ones while
  // this one is read hides most of the cache and TLB misses of a walk of 100,000.
  constexpr size_t kAhead = 4;
  for (size_t i = 0; i < processes.size(); ++i) {
    if (i + kAhead < processes.size()) {
      const Process* ahead = processes[i + kAhead].get();
      __builtin_prefetch(&ahead->lock);
      __builtin_prefetch(&ahead->context);
    }
    if (i + 1 < processes.size()) __builtin_prefetch(__atomic_load_n(&processes[i + 1]->context, __ATOMIC_RELAXED));
    Process& p = *processes[i].get();
    {
      std::lock_guard lock(p.lock);
      row.id = p.id;
      bool on_worker = std::find(running.begin(), running.end(), p.id) != running.end();
      row.state = stateName(p, on_worker);
      row.function = nullptr;
      if (p.state == ProcessState::Waiting) {
        row.function = p.host_task ? "(host task)" : parkedFunction(p, names);
      }
      row.mailbox = p.mailbox.size();
      row.links.assign(p.links.begin(), p.links.end());
      row.monitored_by.assign(p.monitored_by.begin(), p.monitored_by.end());
      row.named = p.named;
      switch (p.state) {
        case ProcessState::Runnable: ++(on_worker ? counts.running : counts.runnable); break;
        case ProcessState::Waiting: ++counts.waiting; break;
        case ProcessState::Done: ++counts.done; break;
      }
    }
    if (!row.function && __atomic_load_n(&p.fresh, __ATOMIC_RELAXED) && p.entryFunction()) {
      row.function = p.image->module->functions[p.entryFunction()->func_index].name;
    }
    ++counts.processes;
    appendNumber(out, row.id, 9);
    out += ' ';
    appendPadded(out, row.state, 16);
    appendNumber(out, row.mailbox, 8);
    appendNumber(out, p.memoryBytes(), 10);
    appendNumber(out, p.hostBytes(), 9);
    appendNumber(out, p.reductions.load(std::memory_order_relaxed), 13);
    out += ' ';
    out += row.function ? row.function : "-";
    appendIds(out, "links", row.links, [](const auto& link) { return link.first; });
    appendIds(out, "monitored_by", row.monitored_by, [](ProcessId id) { return id; });
    if (row.named) {
      std::vector<std::string> names = registry::namesOf(row.id);
      if (!names.empty()) {
        out += " names=";
        for (size_t i = 0; i < names.size(); ++i) {
          if (i) out += ',';
          appendQuoted(out, names[i]);
        }
      }
    }
    out += '\n';
  }
  processes.clear();  // lets go of the references before the time is taken
  counts.elapsed_ns = nowNanoseconds() - started;
  out += "# ";
  appendNumber(out, counts.processes);
  out += " processes: ";
  appendNumber(out, counts.running);
  out += " running, ";
  appendNumber(out, counts.runnable);
  out += " runnable, ";
  appendNumber(out, counts.waiting);
  out += " waiting, ";
  appendNumber(out, counts.done);
  out += " done; listed in ";
  appendNumber(out, counts.elapsed_ns / 1000);
  out += " us\n";
  if (summary) *summary = counts;
  return out;
}

}  // namespace lunatic::rt::observe
