// The registry (registry.h): names, and for each named process the list of its names, so
// that a name removed or replaced comes off its process's count, and a process's end takes
// all its names away, each in constant time.
#include "runtime/process/registry.h"

#include <mutex>
#include <unordered_map>
#include <vector>

namespace lunatic::rt::registry {
namespace {

// A name within its environment's registry. Lookups use NameView, so that they copy no name.
struct Name {
  uint64_t environment;
  std::string text;
};
struct NameView {
  uint64_t environment;
  std::string_view text;
};
struct NameHash {
  using is_transparent = void;
  size_t operator()(NameView name) const {
    return std::hash<std::string_view>{}(name.text) ^ (std::hash<uint64_t>{}(name.environment) * 0x9E3779B97F4A7C15ull);
  }
  size_t operator()(const Name& name) const { return (*this)(NameView{name.environment, name.text}); }
};
struct NameEqual {
  using is_transparent = void;
  static NameView view(const Name& name) { return {name.environment, name.text}; }
  static NameView view(NameView name) { return name; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    NameView x = view(a), y = view(b);
    return x.environment == y.environment && x.text == y.text;
  }
};

struct Entry {
  ProcessId process;
  size_t index;       // in its process's Holder::names
  bool from_others;   // given by another process: counted in Holder::bytes_from_others
};
using Names = std::unordered_map<Name, Entry, NameHash, NameEqual>;

// The names of one process, and what those others gave it cost it.
struct Holder {
  std::vector<Names::value_type*> names;
  uint64_t bytes_from_others = 0;
};

std::mutex mutex;  // guards all below; taken before any process's lock
Names names;
std::unordered_map<ProcessId, Holder> holders;

// Takes entry `it` off its process's list and count (before it is erased or replaced).
void detach(Names::iterator it) {
  auto holder = holders.find(it->second.process);
  std::vector<Names::value_type*>& list = holder->second.names;
  size_t index = it->second.index;
  list[index] = list.back();
  list[index]->second.index = index;
  list.pop_back();
  uint64_t bytes = nameBytes(it->first.text);
  if (it->second.from_others) holder->second.bytes_from_others -= bytes;
  if (list.empty()) holders.erase(holder);
  if (ProcessRef p = findProcess(it->second.process)) {
    std::lock_guard lock(p->lock);
    if (!p->dead) p->release(bytes);
  }
}

// Names `process` `name` in place of `existing` (names.end(): none), as registry::put.
bool attach(Names::iterator existing, NameView name, ProcessId process, ProcessId caller,
            std::string* refusal) {
  if (existing != names.end() && existing->second.process == process) return true;
  uint64_t bytes = nameBytes(name.text);
  bool from_others = caller != process;
  ProcessRef p = findProcess(process);
  bool alive = false;
  if (p) {
    std::lock_guard lock(p->lock);
    alive = !p->dead;
    if (alive) {
      auto holder = holders.find(process);
      uint64_t held = holder == holders.end() ? 0 : holder->second.bytes_from_others;
      uint64_t allowance = p->capabilities.max_host_memory / 4;
      if (from_others && held + bytes > allowance) {
        *refusal = "process " + std::to_string(process) + " would have " + std::to_string(held + bytes) +
                   " bytes of names from others, more than a quarter of its host memory budget (max_host_memory " +
                   std::to_string(p->capabilities.max_host_memory) + ")";
        return false;
      }
      if (!p->admit(bytes)) {
        *refusal = "process " + std::to_string(process) + " has no room for the name in its host memory budget (" +
                   std::to_string(p->hostBytes()) + " bytes held, max_host_memory " +
                   std::to_string(p->capabilities.max_host_memory) + ")";
        return false;
      }
      p->named = true;
    }
  }
  if (existing != names.end()) {
    detach(existing);
    names.erase(existing);
  }
  if (!alive) return true;
  auto entry = names.emplace(Name{name.environment, std::string(name.text)}, Entry{process, 0, from_others}).first;
  Holder& holder = holders[process];
  entry->second.index = holder.names.size();
  holder.names.push_back(&*entry);
  if (from_others) holder.bytes_from_others += bytes;
  return true;
}

}  // namespace

uint64_t nameBytes(std::string_view name) {
  return sizeof(Names::value_type) + kHashNodeOverhead + stringHeapBytes(name.size()) + sizeof(Names::value_type*);
}

ProcessId lookup(uint64_t environment, std::string_view name) {
  ProcessId process;
  {
    std::lock_guard lock(mutex);
    auto it = names.find(NameView{environment, name});
    if (it == names.end()) return 0;
    process = it->second.process;
  }
  return findProcess(process) ? process : 0;
}

bool put(uint64_t environment, std::string_view name, ProcessId process, ProcessId caller, std::string* refusal) {
  std::lock_guard lock(mutex);
  NameView key{environment, name};
  return attach(names.find(key), key, process, caller, refusal);
}

void remove(uint64_t environment, std::string_view name) {
  std::lock_guard lock(mutex);
  auto it = names.find(NameView{environment, name});
  if (it == names.end()) return;
  detach(it);
  names.erase(it);
}

ProcessId getOrSpawn(uint64_t environment, std::string_view name, ProcessId caller, bool* found, void* context,
                     ProcessId (*spawn)(void*)) {
  std::lock_guard lock(mutex);
  NameView key{environment, name};
  auto it = names.find(key);
  if (it != names.end() && findProcess(it->second.process)) {
    *found = true;
    return it->second.process;
  }
  *found = false;
  ProcessId child = spawn(context);
  std::string refusal;  // the caller made sure the name fits a new process's budget
  if (child) attach(it, key, child, caller, &refusal);
  return child;
}

void forget(ProcessId process) {
  std::lock_guard lock(mutex);
  auto holder = holders.find(process);
  if (holder == holders.end()) return;
  for (Names::value_type* entry : holder->second.names) names.erase(names.find(entry->first));
  holders.erase(holder);
}

std::vector<std::string> namesOf(ProcessId process) {
  std::vector<std::string> list;
  std::lock_guard lock(mutex);
  auto holder = holders.find(process);
  if (holder == holders.end()) return list;
  for (const Names::value_type* entry : holder->second.names) list.push_back(entry->first.text);
  return list;
}

void forgetEnvironment(uint64_t environment) {
  std::lock_guard lock(mutex);
  for (auto it = names.begin(); it != names.end();) {
    if (it->first.environment != environment) {
      ++it;
      continue;
    }
    detach(it);
    it = names.erase(it);
  }
}

}  // namespace lunatic::rt::registry
