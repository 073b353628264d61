// Processes (process.h): spawning, the life of a process on its own stack, mailboxes,
// links and monitors, and the table of live processes.
#include "runtime/process/process.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "runtime/instance.h"
#include "runtime/log.h"
#include "runtime/stats.h"
#include "lunatic/embed.h"
#include "runtime/process/allocation.h"
#include "runtime/io/memory_stdio.h"
#include "runtime/process/module_image.h"
#include "runtime/process/registry.h"
#include "runtime/process/scheduler.h"

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

// The receive filter a recycled process keeps (uncounted) for the next one.
constexpr size_t kKeptReceiveTags = 16;

// The cap on processes alive at once (limits::maxProcesses, LUNATIC_MAX_PROCESSES): a spawn
// takes a slot, an end gives it back. A count that every core changes on every spawn and
// end would bounce between them, so with a large cap each worker keeps a few slots of its
// own and trades them with the shared count in batches; a spawn is then refused up to
// 2 * kBatch slots early per worker (a fraction of a percent of such a cap). A small cap,
// below kBatchFrom, is counted exactly.
class ProcessSlots {
 public:
  bool take() {
    if (Local* local = localCache()) {
      if (local->free == 0) local->free = takeShared(kBatch);
      if (local->free == 0) return false;
      --local->free;
      return true;
    }
    return takeShared(1) == 1;
  }
  void giveBack() {
    if (Local* local = localCache()) {
      if (++local->free > 2 * kBatch) {
        local->free -= kBatch;
        free_.fetch_add(kBatch, std::memory_order_relaxed);
      }
      return;
    }
    free_.fetch_add(1, std::memory_order_relaxed);
  }
  uint64_t cap() const { return cap_; }

 private:
  static constexpr int64_t kBatch = 32;
  static constexpr uint64_t kBatchFrom = 65536;
  static constexpr size_t kLocals = 64;
  struct alignas(64) Local {
    int64_t free = 0;  // touched by its worker's thread only
  };
  // The calling worker's cache, if the cap is large enough to batch.
  Local* localCache() {
    if (cap_ < kBatchFrom) return nullptr;
    int worker = scheduler::currentWorkerIndex();
    return worker >= 0 && size_t(worker) < kLocals ? &locals_[worker] : nullptr;
  }
  // Takes up to `wanted` slots from the shared count; returns how many.
  int64_t takeShared(int64_t wanted) {
    int64_t free = free_.load(std::memory_order_relaxed);
    int64_t taken;
    do {
      if (free <= 0) return 0;
      taken = std::min(free, wanted);
    } while (!free_.compare_exchange_weak(free, free - taken, std::memory_order_relaxed));
    return taken;
  }
  const uint64_t cap_ = std::min<uint64_t>(limits::maxProcesses(), INT64_MAX);
  std::atomic<int64_t> free_{int64_t(cap_)};
  Local locals_[kLocals];
};
ProcessSlots process_slots;

// The process running on the calling worker, 0 elsewhere: who spawned, killed or sent.
ProcessId currentProcessId() {
  Process* p = scheduler::currentProcess();
  return p ? p->id : 0;
}

stats::EndCause endCause(const Death& death) {
  if (!death.failed) return stats::EndCause::Normal;
  switch (death.trap) {
    case 0: return stats::EndCause::ExitNonZero;
    case kKilledKind: return stats::EndCause::Killed;
    case kOutOfFuelKind: return stats::EndCause::OutOfFuel;
    case kOverHostBudgetKind:
    case kHostOutOfMemoryKind: return stats::EndCause::HostMemory;
  }
  return stats::EndCause::Trap;
}

bool typesMatch(const char* signature, const std::string& types) {
  const char* colon = std::strchr(signature, ':');
  return std::string_view(signature, size_t(colon - signature)) == types;
}

}  // namespace

void Capabilities::narrowTo(const Capabilities& limit) {
  max_memory = std::min(max_memory, limit.max_memory);
  max_host_memory = std::min(max_host_memory, limit.max_host_memory);
  narrowFuelTo(limit.max_fuel);
  can_spawn_processes = can_spawn_processes && limit.can_spawn_processes;
  can_create_configs = can_create_configs && limit.can_create_configs;
  can_compile_modules = can_compile_modules && limit.can_compile_modules;
  can_listen = can_listen && limit.can_listen;
  can_connect = can_connect && limit.can_connect;
  can_spawn_on_nodes = can_spawn_on_nodes && limit.can_spawn_on_nodes;
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
  resize(0);
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
  resize(size() + 1);
}

MessagePtr Mailbox::take(const int64_t* tags, size_t count, const Message* after) {
  // `after` is still queued: only its own process removes messages, and it is the caller.
  Message* previous = const_cast<Message*>(after);
  for (Message* m = after ? after->next : head_; m; previous = m, m = m->next) {
    if (count && std::find(tags, tags + count, m->tag) == tags + count) continue;
    (previous ? previous->next : head_) = m->next;
    if (tail_ == m) tail_ = previous;
    m->next = nullptr;
    resize(size() - 1);
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
  signaled = dead = named = false;
  killed = 0;
  die_when_link_dies = true;
  mailbox.clear();
  links.clear();
  monitored_by.clear();
  if (!pending_timers.empty()) pending_timers.clear();  // clear() zeroes the buckets even when empty
  resources.reset();
  capabilities = {};  // lets go of the WASI view, which may be the last hold on it
  messages.current.reset();
  messages.read_cursor = 0;
  // A filter a guest made long is not kept for the next process, which would not pay for it.
  if (messages.receive_tags.capacity() > kKeptReceiveTags) std::vector<int64_t>().swap(messages.receive_tags);
  host_room.store(0, std::memory_order_relaxed);
  fuel_left = 0;
  reductions.store(0, std::memory_order_relaxed);
  messages_sent.store(0, std::memory_order_relaxed);
  message_bytes_sent.store(0, std::memory_order_relaxed);
  wait_reason = WaitReason::Other;
  death = {};
  host_failure.clear();
  report_traps = true;
  watched = false;
  host_task = false;
  context = back = nullptr;
  switch_reason = Switch::Yield;
  fresh = true;
  has_parked = false;
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
  if (used > 0) reductions.store(reductions.load(std::memory_order_relaxed) + uint64_t(used), std::memory_order_relaxed);
  if (capabilities.max_fuel != 0 && used > 0) {
    fuel_left -= used;
    if (fuel_left <= 0 && !unkillable_calls) die(kOutOfFuelKind);
  }
  startSlice();
}

int64_t Process::sliceBudget() const {
  if (capabilities.max_fuel == 0) return scheduler::kSliceReductions;
  return std::min(scheduler::kSliceReductions, std::max<int64_t>(fuel_left, 1));
}

void Process::checkKilled() {
  // Read without the lock: a kill that lands just after is seen at the next check.
  if (uint32_t kind = __atomic_load_n(&killed, __ATOMIC_RELAXED); kind && !unkillable_calls) die(kind);
}

void Process::die(uint32_t kind) { unwindWithTrap(kind); }

void Process::suspend(Switch reason, bool killable) {
  if (reason != Switch::Exit) chargeSlice();
  switch_reason = reason;
  ctx::transfer_t from = ctx::jump_fcontext(back, nullptr);
  back = from.fctx;  // the worker that resumed us, perhaps another one
  wait_reason = WaitReason::Other;
  if (killable) checkKilled();
}

bool Process::parkUntil(uint64_t deadline_ns, bool killable) {
  bool woken;
  {
    std::lock_guard guard(lock);
    woken = std::exchange(signaled, false);
  }
  if (!woken) return parkAfterLook(deadline_ns, killable);
  if (killable) checkKilled();  // a kill that arrived while running left only `signaled` behind
  return true;
}

bool Process::parkAfterLook(uint64_t deadline_ns, bool killable) {
  if (killable) checkKilled();
  uint64_t timer = deadline_ns ? scheduler::addWakeTimer(deadline_ns, id) : 0;
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

// The receiver pays for what is queued for it, as in Erlang, where a message is copied
// into the receiver's heap and counts against its max_heap_size: a message that would take
// it past its budget is dropped and the receiver fails, not the sender.
void Process::deliver(MessagePtr message) {
  uint64_t bytes = message->hostBytes();
  std::unique_lock guard(lock);
  if (dead) return;
  if (!admit(bytes)) {
    markKilled(kOverHostBudgetKind);
    wakeLocked(guard);
    return;
  }
  mailbox.push(std::move(message));
  wakeLocked(guard);
}

void Process::deliverCounted(MessagePtr message, uint64_t timer_id, uint64_t bookkeeping_bytes) {
  std::unique_lock guard(lock);
  if (dead) return;
  pending_timers.erase(timer_id);
  release(bookkeeping_bytes);
  mailbox.push(std::move(message));
  wakeLocked(guard);
}

void Process::holdOwn(uint64_t bytes) {
  std::lock_guard guard(lock);
  host_room.store(host_room.load(std::memory_order_relaxed) - int64_t(bytes), std::memory_order_relaxed);
}

void Process::releaseOwn(uint64_t bytes) {
  std::lock_guard guard(lock);
  release(bytes);
}

void Process::countOwn(uint64_t bytes) {
  bool over = !mayHold(bytes);
  holdOwn(bytes);
  if (over) failSoon(kOverHostBudgetKind);
}

void Process::failSoon(uint32_t kind) {
  markKilled(kind);
  instance_.reductions_left = 0;
}

void Process::killWith(uint32_t kind) {
  if (log::debugEnabled()) {
    log::write(log::Level::Debug, "kill", id,
               "process " + std::to_string(id) + " is to end: " + lunatic_trap_message(kind),
               {{"by", int64_t(currentProcessId())}});
  }
  std::unique_lock guard(lock);
  if (dead) return;
  markKilled(kind);
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
  if (result.kind == kOverHostBudgetKind && host_failure.empty()) {
    // Failed by what others sent it (a message, a timer), or by what it made where it could
    // not fail at once (Process::countOwn): say how full it was.
    host_failure = "over its host memory budget: it holds " + std::to_string(hostBytes()) +
                   " bytes (mailbox, timers, names, resources) of max_host_memory " +
                   std::to_string(capabilities.max_host_memory);
  }
  if (!report_traps) {
    death.backtrace = formatTrapBacktrace(false);
    death.host_failure = std::move(host_failure);
    return;
  }
  if (!log::enabled(log::Level::Warn)) return;
  std::string backtrace = formatTrapBacktrace(true);
  // A host function that refused the process's input says which and why instead.
  const char* what = host_failure.empty() ? lunatic_trap_message(result.kind) : host_failure.c_str();
  std::string line = log::format(log::Level::Warn, "process_failed", id,
                                 "process " + std::to_string(id) + " failed: " + what +
                                     (backtrace.empty() ? "" : " at ") + backtrace);
  // A process whose stderr an embedder holds in memory (a test's, a request's) logs there.
  if (const std::shared_ptr<wasi::MemoryStdio>& stdio = capabilities.wasi->memory_stdio) {
    iovec text{line.data(), line.size()};
    stdio->stream(2).write({&text, 1});
  } else {
    std::fputs(line.c_str(), stderr);
  }
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

std::vector<ProcessRef> liveProcesses() {
  std::vector<ProcessRef> list;
  for (Shard& shard : shards) {
    std::lock_guard lock(shard.mutex);
    list.reserve(list.size() + shard.processes.size());
    for (const auto& [id, p] : shard.processes) {
      p->retain();
      list.emplace_back(p);
    }
  }
  return list;
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
  const lunatic_module* m = image->module;
  if (m->has_memory && request.capabilities.max_memory / LUNATIC_WASM_PAGE_SIZE < m->memory_min_pages) {
    *error = "the config's max_memory is below the module's initial memory";
    return {};
  }
  if (!process_slots.take()) {
    *error = "too many processes alive: LUNATIC_MAX_PROCESSES allows " + std::to_string(process_slots.cap());
    return {};
  }
  auto refuse = [&](const char* why) {
    process_slots.giveBack();
    *error = why;
    return ProcessRef();
  };
  ProcessId id = next_process_id.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<Process> made = image->takeProcess();
  Process* p = made.get();
  p->id = id;
  p->capabilities = std::move(request.capabilities);
  p->fuel_left = int64_t(std::min<uint64_t>(p->capabilities.max_fuel, INT64_MAX / kFuelUnit)) * kFuelUnit;
  p->report_traps = request.report_traps;
  p->host_task = request.host_task;
  p->host_room.store(int64_t(std::min<uint64_t>(p->capabilities.max_host_memory, INT64_MAX)),
                     std::memory_order_relaxed);
  if (!image->build(*p, p->capabilities.max_memory)) return refuse("no memory left for a new process");
  p->stack = acquireStack();
  if (!p->stack.low) {
    image->dismantle(*p);
    return refuse("no address space left for a process stack");
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
  stats::count(&stats::ThreadCounters::spawned);
  if (log::debugEnabled()) {
    ProcessId parent = currentProcessId();
    log::write(log::Level::Debug, "spawn", id,
               "process " + std::to_string(id) + " spawned by " + (parent ? std::to_string(parent) : "the host") +
                   " on " + std::string(request.function, request.function_length),
               {{"parent", int64_t(parent)}});
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
  // Linking to a process that is gone behaves as if it had just failed.
  if (!b_alive) linkFailed(*a, b_id, a_tag);
}

void linkFailed(Process& p, ProcessId other, int64_t tag) {
  if (p.die_when_link_dies) {
    p.kill();
    return;
  }
  auto m = std::make_unique<Message>();
  m->kind = Message::Kind::LinkDied;
  m->tag = tag;
  m->process = other;
  p.deliver(std::move(m));
}

void tellProcessDied(Process& watcher, ProcessId ended) {
  auto m = std::make_unique<Message>();
  m->kind = Message::Kind::ProcessDied;
  m->process = ended;
  watcher.deliver(std::move(m));
}

void unlinkProcesses(Process* a, ProcessId b_id) {
  auto drop = [](Process* p, ProcessId other) {
    std::lock_guard lock(p->lock);
    std::erase_if(p->links, [&](auto& l) { return l.first == other; });
  };
  drop(a, b_id);
  if (ProcessRef b = findProcess(b_id)) drop(b.get(), a->id);
}

namespace {

void logEnd(const Process& p) {
  const Death& death = p.death;
  std::string how = !death.failed       ? "normally"
                    : death.trap == 0 ? "with exit status " + std::to_string(death.exit_code)
                                      : std::string("by ") + lunatic_trap_message(death.trap);
  log::write(log::Level::Debug, "exit", p.id, "process " + std::to_string(p.id) + " ended " + how,
             {{"status", death.exit_code}, {"trap", int64_t(death.trap)}});
}

RemoteEndHook remote_end_hook = nullptr;

}  // namespace

void setRemoteEndHook(RemoteEndHook hook) { remote_end_hook = hook; }

void processEnded(Process* p) {
  std::vector<std::pair<ProcessId, int64_t>> links;
  std::vector<ProcessId> monitors;
  bool named;
  {
    std::lock_guard lock(p->lock);
    p->dead = true;
    p->state = ProcessState::Done;
    links.swap(p->links);
    monitors.swap(p->monitored_by);
    named = p->named;
  }
  {
    Shard& shard = shardOf(p->id);
    std::lock_guard lock(shard.mutex);
    shard.processes.erase(p->id);
  }
  process_slots.giveBack();
  stats::countEnd(endCause(p->death), p->reductions.load(std::memory_order_relaxed),
                  p->messages_sent.load(std::memory_order_relaxed), p->message_bytes_sent.load(std::memory_order_relaxed));
  if (log::debugEnabled()) logEnd(*p);
  // What others made for it goes with it: the messages its timers would deliver (as in
  // Erlang, whose timers to a process are cancelled when it exits) and its names. Now that
  // it is dead no one else touches pending_timers (Process::deliverCounted, cancelTimer).
  if (!p->pending_timers.empty()) scheduler::dropTimers(p->pending_timers);
  if (named) registry::forget(p->id);
  p->image->dismantle(*p);
  for (auto [other_id, unused_tag] : links) {
    if (other_id & kRemoteEndBit) {
      remote_end_hook(*p, other_id, true);
      continue;
    }
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
    if (log::debugEnabled()) {
      log::write(log::Level::Debug, "link_signal", other_id,
                 "process " + std::to_string(other_id) + (other->die_when_link_dies ? " ends with" : " is told of") +
                     " its link " + std::to_string(p->id) + ", which failed",
                 {{"link", int64_t(p->id)}, {"tag", tag}});
    }
    linkFailed(*other.get(), p->id, tag);
  }
  for (ProcessId watcher : monitors) {
    if (watcher & kRemoteEndBit) {
      remote_end_hook(*p, watcher, false);
      continue;
    }
    if (ProcessRef other = findProcess(watcher)) {
      if (log::debugEnabled()) {
        log::write(log::Level::Debug, "monitor_signal", watcher,
                   "process " + std::to_string(watcher) + " is told that process " + std::to_string(p->id) + " ended",
                   {{"monitored", int64_t(p->id)}});
      }
      tellProcessDied(*other.get(), p->id);
    }
  }
  // Only a watched end takes the scheduler's lock, which every worker would otherwise share.
  if (p->watched) scheduler::ended(p->id, p->death);
  p->release();  // the reference the process held while alive
  allocation::refillReserve();  // what the process held may be free now
}

// --- What io/waiter.h asks of a process ---------------------------------------------

namespace io {

bool park(Waiter& self, uint64_t deadline_ns) {
  static_cast<Process&>(self).wait_reason = WaitReason::Io;
  return static_cast<Process&>(self).parkUntil(deadline_ns, /*killable=*/false);
}
void wake(Waiter& waiter) { static_cast<Process&>(waiter).wake(); }
bool killRequested(const Waiter& waiter) {
  const Process& p = static_cast<const Process&>(waiter);
  return __atomic_load_n(&p.killed, __ATOMIC_RELAXED) != 0 && !p.unkillable_calls;
}
void endIfKilled(Waiter& self) { static_cast<Process&>(self).checkKilled(); }
void retain(Waiter& waiter) { static_cast<Process&>(waiter).retain(); }
void release(Waiter& waiter) { static_cast<Process&>(waiter).release(); }

}  // namespace io

}  // namespace lunatic::rt
