// Processes (process.h): spawning, the life of a process on its own stack, mailboxes,
// links and monitors, and the table of live processes.
#include "process/process.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "instance.h"
#include "lunatic/embed.h"
#include "process/module_image.h"
#include "process/scheduler.h"

namespace lunatic::rt {
namespace ctx = boost::context::detail;
namespace {

// The live processes, sharded so that spawns and lookups on different cores rarely meet.
constexpr size_t kShards = 64;
struct Shard {
  std::mutex mutex;
  std::unordered_map<ProcessId, Process*> processes;
};
Shard shards[kShards];
std::atomic<ProcessId> next_process_id{1};

Shard& shardOf(ProcessId id) { return shards[id % kShards]; }

bool typesMatch(const char* signature, const std::string& types) {
  const char* colon = std::strchr(signature, ':');
  return std::string_view(signature, size_t(colon - signature)) == types;
}

}  // namespace

uint64_t nowNanoseconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}

void Capabilities::narrowTo(const Capabilities& limit) {
  max_memory = std::min(max_memory, limit.max_memory);
  narrowFuelTo(limit.max_fuel);
  can_spawn_processes = can_spawn_processes && limit.can_spawn_processes;
  can_create_configs = can_create_configs && limit.can_create_configs;
  can_compile_modules = can_compile_modules && limit.can_compile_modules;
  can_listen = can_listen && limit.can_listen;
  can_connect = can_connect && limit.can_connect;
}

void Capabilities::narrowFuelTo(uint64_t limit) {
  if (limit != 0) max_fuel = max_fuel == 0 ? limit : std::min(max_fuel, limit);
}

const wasi::WasiConfigPtr& noWasiGrants() {
  static const wasi::WasiConfigPtr none = std::make_shared<wasi::WasiConfig>();
  return none;
}

// --- Mailbox -----------------------------------------------------------------------

Mailbox::~Mailbox() { clear(); }

void Mailbox::clear() {
  while (head_) {
    MessagePtr m(head_);
    head_ = m->next;
  }
  tail_ = nullptr;
}

void Mailbox::push(MessagePtr message) {
  Message* m = message.release();
  m->next = nullptr;
  if (tail_) {
    tail_->next = m;
  } else {
    head_ = m;
  }
  tail_ = m;
}

MessagePtr Mailbox::take(const int64_t* tags, size_t count, const Message* after) {
  // `after` is still queued: only its own process removes messages, and it is the caller.
  Message* previous = const_cast<Message*>(after);
  for (Message* m = after ? after->next : head_; m; previous = m, m = m->next) {
    if (count && std::find(tags, tags + count, m->tag) == tags + count) continue;
    (previous ? previous->next : head_) = m->next;
    if (tail_ == m) tail_ = previous;
    m->next = nullptr;
    return MessagePtr(m);
  }
  return nullptr;
}

// --- Process -----------------------------------------------------------------------

Process::Process(ProcessId process_id, ModuleImage* module_image) : id(process_id), image(module_image) {}

Process::~Process() = default;

void Process::release() {
  // No one can take a new reference now: the process has left the table.
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) image->recycle(this);
}

void Process::reset() {
  refs_.store(1, std::memory_order_relaxed);
  state = ProcessState::Runnable;
  signaled = killed = dead = false;
  die_when_link_dies = true;
  mailbox.clear();
  links.clear();
  monitored_by.clear();
  resources.reset();
  capabilities = {};  // lets go of the WASI view, which may be the last hold on it
  messages.current.reset();
  messages.read_cursor = 0;
  fuel_left = 0;
  death = {};
  host_failure.clear();
  report_traps = true;
  watched = false;
  context = back = nullptr;
  switch_reason = Switch::Yield;
  fresh = true;
  guest_stack = {};
  entry_ = nullptr;
  entry_values_.clear();
}

ProcessResources& Process::ownResources() {
  if (!resources) resources = std::make_unique<ProcessResources>();
  return *resources;
}

void Process::chargeSlice() {
  int64_t used = sliceBudget() - instance_.reductions_left;
  if (capabilities.max_fuel != 0 && used > 0) {
    fuel_left -= used;
    if (fuel_left <= 0) die(kOutOfFuelKind);
  }
  startSlice();
}

int64_t Process::sliceBudget() const {
  if (capabilities.max_fuel == 0) return scheduler::kSliceReductions;
  return std::min(scheduler::kSliceReductions, std::max<int64_t>(fuel_left, 1));
}

void Process::checkKilled() {
  // Read without the lock: a kill that lands just after is seen at the next check.
  if (__atomic_load_n(&killed, __ATOMIC_RELAXED)) die(kKilledKind);
}

void Process::die(uint32_t kind) { unwindWithTrap(kind); }

void Process::suspend(Switch reason, bool killable) {
  if (reason != Switch::Exit) chargeSlice();
  switch_reason = reason;
  ctx::transfer_t from = ctx::jump_fcontext(back, nullptr);
  back = from.fctx;  // the worker that resumed us, perhaps another one
  if (killable) checkKilled();
}

bool Process::parkUntil(uint64_t deadline_ns, bool killable) {
  if (killable) checkKilled();  // a kill that arrived while running left only `signaled` behind
  uint64_t timer = deadline_ns ? scheduler::addWakeTimer(deadline_ns, id) : 0;
  {
    std::lock_guard guard(lock);
    if (signaled) {
      signaled = false;
      if (timer) scheduler::cancelTimer(timer);
      return true;
    }
  }
  suspend(Switch::Park, killable);
  if (timer && !scheduler::cancelTimer(timer)) return nowNanoseconds() < deadline_ns;
  return true;
}

void Process::wake() {
  std::unique_lock guard(lock);
  wakeLocked(guard);
}

// A process woken here usually runs next, after the waker has parked itself. Resuming it
// reads the registers saved at `context` and returns through the frames above them, lines
// long out of cache when many processes take turns (a ring of 1,000): fetch them now, while
// the waker goes on. Called under `lock` while the process is Waiting, a state its worker
// sets under the same lock after storing `context`, so `context` is current.
void Process::prefetchStackTop() const {
  constexpr size_t kResumeBytes = 512;
  const auto* top = static_cast<const char*>(context);
  for (size_t offset = 0; offset < kResumeBytes; offset += 64) __builtin_prefetch(top + offset);
}

void Process::wakeLocked(std::unique_lock<std::mutex>& guard) {
  if (state == ProcessState::Waiting) {
    state = ProcessState::Runnable;
    prefetchStackTop();
    guard.unlock();
    scheduler::enqueue(this);
  } else {
    signaled = true;
  }
}

void Process::deliver(MessagePtr message) {
  std::unique_lock guard(lock);
  if (dead) return;
  mailbox.push(std::move(message));
  wakeLocked(guard);
}

void Process::kill() {
  std::unique_lock guard(lock);
  if (dead) return;
  __atomic_store_n(&killed, true, __ATOMIC_RELAXED);
  wakeLocked(guard);
}

void Process::main(ctx::transfer_t from) {
  auto* p = static_cast<Process*>(from.data);
  p->back = from.fctx;
  p->run();
  p->suspend(Switch::Exit);
  __builtin_unreachable();
}

void Process::run() {
  GuardResult result = runGuarded(
      [](void* self) {
        auto* p = static_cast<Process*>(self);
        p->checkKilled();  // killed before it ever ran
        const lunatic_module* m = p->image->module;
        m->initialize(&p->instance_);
        if (m->start_function >= 0) {
          const lunatic_func* start = p->instance_.funcs[m->start_function];
          reinterpret_cast<void (*)(lunatic_instance*)>(const_cast<void*>(start->code))(&p->instance_);
        }
        p->entry_->array_entry(&p->instance_, p->entry_values_.data());
      },
      this);
  if (result.kind == 0) return;
  if (result.kind == kExitKind) {
    death = Death{result.exit_code != 0, result.exit_code, 0, std::string(), std::string()};
    return;
  }
  death = Death{true, 0, result.kind, std::string(), std::string()};
  if (result.kind == kKilledKind) return;
  if (!report_traps) {
    death.backtrace = formatTrapBacktrace(false);
    death.host_failure = std::move(host_failure);
    return;
  }
  std::string backtrace = formatTrapBacktrace(true);
  // A host function that refused the process's input says which and why instead.
  const char* what = host_failure.empty() ? lunatic_trap_message(result.kind) : host_failure.c_str();
  std::fprintf(stderr, "lunatic: process %llu failed: %s%s%s\n", static_cast<unsigned long long>(id), what,
               backtrace.empty() ? "" : " at ", backtrace.c_str());
}

// --- The process table, spawning, links --------------------------------------------

ProcessRef findProcess(ProcessId id) {
  Shard& shard = shardOf(id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.processes.find(id);
  if (it == shard.processes.end()) return {};
  it->second->retain();
  return ProcessRef(it->second);
}

ProcessRef spawnProcess(SpawnRequest&& request, std::string* error) {
  ModuleImage* image = request.image;
  const lunatic_func* entry = image->exportedFunction(std::string_view(request.function, request.function_length));
  if (!entry) {
    *error = "no exported function " + std::string(request.function, request.function_length);
    return {};
  }
  const char* signature = image->module->types[image->module->functions[entry->func_index].type_index];
  if (request.params.size() != request.param_types.size() || !typesMatch(signature, request.param_types)) {
    *error = "parameters do not match " + std::string(request.function, request.function_length);
    return {};
  }
  ProcessId id = next_process_id.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<Process> made = image->takeProcess();
  Process* p = made.get();
  p->id = id;
  p->capabilities = std::move(request.capabilities);
  p->fuel_left = int64_t(std::min<uint64_t>(p->capabilities.max_fuel, INT64_MAX / kFuelUnit)) * kFuelUnit;
  p->report_traps = request.report_traps;
  const lunatic_module* m = image->module;
  if (m->has_memory && p->capabilities.max_memory / LUNATIC_WASM_PAGE_SIZE < m->memory_min_pages) {
    *error = "the config's max_memory is below the module's initial memory";
    return {};
  }
  if (!image->build(*p, p->capabilities.max_memory)) {
    *error = "no memory left for a new process";
    return {};
  }
  p->stack = acquireStack();
  if (!p->stack.low) {
    image->dismantle(*p);
    *error = "no address space left for a process stack";
    return {};
  }
  p->guest_stack.limit = p->instance_.stack_limit = p->stack.guestLimit();
  p->startSlice();
  p->context = ctx::make_fcontext(p->stack.high(), kStackSize, &Process::main);
  p->entry_ = entry;
  const char* colon = std::strchr(signature, ':');
  size_t results = std::strlen(colon + 1);
  p->entry_values_.assign(request.params.begin(), request.params.end());
  p->entry_values_.resize(std::max(p->entry_values_.size(), std::max<size_t>(results, 1)));
  {
    Shard& shard = shardOf(id);
    std::lock_guard lock(shard.mutex);
    shard.processes.emplace(id, made.release());
  }
  // The parent's side carries the tag, the child's none, as upstream.
  if (request.link_to) linkProcesses(request.link_to, id, request.link_tag, 0);
  if (request.watched) {
    p->watched = true;
    scheduler::watch(id);
  }
  p->retain();  // for the caller
  scheduler::enqueue(p);  // the scheduler holds the reference made with the process
  return ProcessRef(p);
}

void linkProcesses(Process* a, ProcessId b_id, int64_t a_tag, int64_t b_tag) {
  if (b_id == a->id) return;
  ProcessRef b = findProcess(b_id);
  bool b_alive = false;
  if (b) {
    // Lock in id order, so two processes linking each other cannot deadlock.
    Process* first = a->id < b->id ? a : b.get();
    Process* second = first == a ? b.get() : a;
    std::scoped_lock both(first->lock, second->lock);
    b_alive = !b->dead;
    if (b_alive && !a->dead) {
      auto has = [](Process* p, ProcessId other) {
        return std::any_of(p->links.begin(), p->links.end(), [&](auto& l) { return l.first == other; });
      };
      if (!has(a, b->id)) a->links.emplace_back(b->id, a_tag);
      if (!has(b.get(), a->id)) b->links.emplace_back(a->id, b_tag);
    }
  }
  if (!b_alive) {
    // Linking to a process that is gone behaves as if it had just failed.
    if (a->die_when_link_dies) {
      a->kill();
    } else {
      auto m = std::make_unique<Message>();
      m->kind = Message::Kind::LinkDied;
      m->tag = a_tag;
      m->process = b_id;
      a->deliver(std::move(m));
    }
  }
}

void unlinkProcesses(Process* a, ProcessId b_id) {
  auto drop = [](Process* p, ProcessId other) {
    std::lock_guard lock(p->lock);
    std::erase_if(p->links, [&](auto& l) { return l.first == other; });
  };
  drop(a, b_id);
  if (ProcessRef b = findProcess(b_id)) drop(b.get(), a->id);
}

void processEnded(Process* p) {
  std::vector<std::pair<ProcessId, int64_t>> links;
  std::vector<ProcessId> monitors;
  {
    std::lock_guard lock(p->lock);
    p->dead = true;
    p->state = ProcessState::Done;
    links.swap(p->links);
    monitors.swap(p->monitored_by);
  }
  {
    Shard& shard = shardOf(p->id);
    std::lock_guard lock(shard.mutex);
    shard.processes.erase(p->id);
  }
  p->image->dismantle(*p);
  for (auto [other_id, unused_tag] : links) {
    ProcessRef other = findProcess(other_id);
    if (!other) continue;
    // The other side is told with the tag its own side of the link carries.
    int64_t tag = 0;
    {
      std::lock_guard lock(other->lock);
      auto it = std::find_if(other->links.begin(), other->links.end(), [&](auto& l) { return l.first == p->id; });
      if (it == other->links.end()) continue;  // unlinked meanwhile
      tag = it->second;
      other->links.erase(it);
    }
    // As in Lunatic, only a failure travels along links; a normal end does not.
    if (!p->death.failed) continue;
    if (other->die_when_link_dies) {
      other->kill();
    } else {
      auto m = std::make_unique<Message>();
      m->kind = Message::Kind::LinkDied;
      m->tag = tag;
      m->process = p->id;
      other->deliver(std::move(m));
    }
  }
  for (ProcessId watcher : monitors) {
    if (ProcessRef other = findProcess(watcher)) {
      auto m = std::make_unique<Message>();
      m->kind = Message::Kind::ProcessDied;
      m->process = p->id;
      other->deliver(std::move(m));
    }
  }
  // Only a watched end takes the scheduler's lock, which every worker would otherwise share.
  if (p->watched) scheduler::ended(p->id, p->death);
  p->release();  // the reference the process held while alive
}

}  // namespace lunatic::rt
