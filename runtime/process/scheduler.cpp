// The scheduler (scheduler.h): worker loops, run queues, stealing, idle sleep and timers.
//
// A process hands control back to its worker with Process::suspend; the worker then acts
// on the reason *after* the switch, on its own stack: only then is the process's context
// saved, so a parked process is never resumed by another worker before it has stopped.
#include "runtime/process/scheduler.h"

#include "runtime/instance.h"
#include "runtime/io/engine.h"
#include "runtime/process/allocation.h"
#include "runtime/process/run_queue.h"
#include "runtime/log.h"
#include "runtime/stats.h"

#include <pthread.h>
#include <time.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lunatic::rt::scheduler {
namespace ctx = boost::context::detail;
namespace {

// Runs in a row from `next` before the queue gets a turn: two processes messaging each
// other would otherwise keep the rest waiting.
constexpr int kMaxNextStreak = 32;
// When a busy worker looks at its I/O engine. Each look may cost a system call (the
// submissions, the completions), and each completion it reaps wakes a process, so a worker
// lets its processes' submissions gather and reaps their completions in batches: once per
// pass over its run queue, as Go's scheduler looks at its network poller when it has run
// what was runnable. The woken processes then answer in bursts, and a peer reading many
// sockets finds many ready at once: against an echo server at 1,000 connections, the load
// generator's epoll_wait found 5 to 10 ready connections a call when the server looked
// every 16 runs, 30 to 120 when it looked once a pass (Go's server: 20 to 45), and the
// server went from 0.94 of Go's throughput to 1.05 (bench/net/run.py, 2026-12-06). A queue
// of long-running processes still has its worker look every kMinRunsPerEnginePoll runs
// once kMaxEngineWait has passed, so that it holds no completion back for long.
constexpr unsigned kMinRunsPerEnginePoll = 16;
constexpr uint64_t kMaxEngineWait = 1'000'000;  // ns

struct Worker {
  unsigned index = 0;
  // A process the one running here just woke or spawned runs next, on this worker: the
  // usual reply to a message then costs no trip through a queue another worker can steal
  // from. Only this worker's thread touches these two.
  Process* next = nullptr;
  int next_streak = 0;
  RunQueue<Process> queue;  // process/run_queue.h
  std::thread thread;
  Process* running = nullptr;
  std::atomic<ProcessId> running_id{0};  // running's, for runningProcesses on other threads
  // Where the worker's processes wait for I/O, and where the worker itself sleeps when it
  // has nothing to run: a sleeping worker is woken by its engine, by I/O or by wake().
  std::unique_ptr<io::Engine> engine;
  std::atomic<bool> sleeping{false};
  unsigned runs_since_engine_poll = 0;
  uint64_t engine_wait_since = 0;  // ns; see enginePollDue
  // Set while the engine delivers completions: the processes they wake join the back of
  // `ready`, behind those already waiting, rather than taking `next`. Otherwise a
  // connection whose data keeps arriving would run again and again while others starve.
  bool waking_from_io = false;
  std::vector<void (*)()> flushes;  // flushAtSwitch's, run after the running process switches
  // For workerFigures: written by this worker, read by a scrape.
  std::atomic<uint64_t> started_ns{0}, idle_ns{0}, asleep_since_ns{0};
  stats::Counter yields;

  // The clock is read only while the queue is longer than the runs since the last look,
  // every kMinRunsPerEnginePoll runs: the wait is timed from the first such reading.
  bool enginePollDue() {
    if (runs_since_engine_poll < kMinRunsPerEnginePoll) return false;
    if (runs_since_engine_poll >= queue.size()) return true;
    if (runs_since_engine_poll % kMinRunsPerEnginePoll != 0) return false;
    uint64_t now = nowNanoseconds();
    if (!engine_wait_since) engine_wait_since = now;
    return now - engine_wait_since >= kMaxEngineWait;
  }
  void pollEngine() {
    runs_since_engine_poll = 0;
    engine_wait_since = 0;
    waking_from_io = true;
    engine->poll();
    waking_from_io = false;
  }
  // The worker sleeps only here, and a sleep costs a system call anyway: timing it costs a
  // clock read more (`now` is the caller's), where timing the runs would cost two a switch.
  void waitForEngine(uint64_t timeout_ns, uint64_t asleep) {
    asleep_since_ns.store(asleep, std::memory_order_relaxed);
    waking_from_io = true;
    engine->wait(timeout_ns);
    waking_from_io = false;
    asleep_since_ns.store(0, std::memory_order_relaxed);
    idle_ns.store(idle_ns.load(std::memory_order_relaxed) + (nowNanoseconds() - asleep), std::memory_order_relaxed);
  }

  void loop();
  Process* findWork();
  void run(Process* p);
};

struct Timer {
  ProcessId process;
  MessagePtr message;  // null: just wake the process
  uint64_t bytes = 0;  // what a message timer counts against its receiver's budget
};

// What a pending message timer holds besides its message, counted against its receiver:
// its node in Scheduler::timers (88 bytes), its entry in timer_index (48) and in the
// receiver's pending_timers (40).
constexpr uint64_t kTimerBookkeepingBytes = 176;

struct Scheduler {
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<unsigned> next_worker{0};

  std::atomic<int> sleepers{0};

  std::mutex timer_mutex;
  std::multimap<uint64_t, std::pair<uint64_t, Timer>> timers;  // deadline -> id, timer
  std::unordered_map<uint64_t, std::multimap<uint64_t, std::pair<uint64_t, Timer>>::iterator> timer_index;
  uint64_t next_timer_id = 1;
  std::atomic<uint64_t> next_deadline{UINT64_MAX};

  std::mutex ended_mutex;
  std::condition_variable ended_signal;
  std::unordered_map<ProcessId, std::optional<Death>> watched;  // set when they end
};

Scheduler scheduler;

// Reached only through this function: a process may resume on another thread, so the
// address of a thread-local must never be kept across a switch.
__attribute__((noinline)) Worker*& currentWorker() {
  static thread_local Worker* worker = nullptr;
  asm volatile("");
  return worker;
}

// Wakes one sleeping worker (all of them if `all`). Claiming a sleeper by clearing its flag
// keeps two wakers from spending their system calls on the same one.
void wakeSleepers(bool all) {
  if (scheduler.sleepers.load(std::memory_order_seq_cst) == 0) return;
  for (auto& w : scheduler.workers) {
    if (w->sleeping.load(std::memory_order_seq_cst) && w->sleeping.exchange(false)) {
      w->engine->wake();
      if (!all) return;
    }
  }
}

void wakeSleeper() { wakeSleepers(false); }

void fireDueTimers() {
  uint64_t next = scheduler.next_deadline.load(std::memory_order_relaxed);
  if (next == UINT64_MAX) return;
  uint64_t now = nowNanoseconds();
  if (now < next) return;
  std::vector<std::pair<uint64_t, Timer>> due;  // id, timer
  {
    std::lock_guard lock(scheduler.timer_mutex);
    auto end = scheduler.timers.upper_bound(now);
    for (auto it = scheduler.timers.begin(); it != end; ++it) {
      scheduler.timer_index.erase(it->second.first);
      due.push_back(std::move(it->second));
    }
    scheduler.timers.erase(scheduler.timers.begin(), end);
    scheduler.next_deadline.store(scheduler.timers.empty() ? UINT64_MAX : scheduler.timers.begin()->first);
  }
  for (auto& [id, t] : due) {
    ProcessRef p = findProcess(t.process);
    if (!p) continue;
    if (t.message) {
      p->deliverCounted(std::move(t.message), id, kTimerBookkeepingBytes);
    } else {
      p->wake();
    }
  }
}

// Adds a timer and returns its id; the caller then wakes a sleeper (wakeSleeper), which may
// be waiting for a later deadline than this one.
uint64_t insertTimer(uint64_t deadline_ns, Timer timer) {
  std::lock_guard lock(scheduler.timer_mutex);
  uint64_t id = scheduler.next_timer_id++;
  auto it = scheduler.timers.emplace(deadline_ns, std::make_pair(id, std::move(timer)));
  scheduler.timer_index.emplace(id, it);
  scheduler.next_deadline.store(scheduler.timers.begin()->first);
  return id;
}

// Takes timer `id` out of the timers, if it is still pending.
std::optional<Timer> extractTimer(uint64_t id) {
  auto it = scheduler.timer_index.find(id);
  if (it == scheduler.timer_index.end()) return std::nullopt;
  Timer timer = std::move(it->second->second.second);
  scheduler.timers.erase(it->second);
  scheduler.timer_index.erase(it);
  return timer;
}

void Worker::loop() {
  currentWorker() = this;
  started_ns.store(nowNanoseconds(), std::memory_order_relaxed);
  engine = io::makeEngine();
  if (!engine) {
    log::error("no I/O engine: neither io_uring nor epoll works here");
    std::_Exit(1);
  }
  for (;;) run(findWork());
}

Process* Worker::findWork() {
  for (;;) {
    fireDueTimers();
    if (enginePollDue() || (!next && queue.size() == 0)) {
      pollEngine();
    }
    if (Process* p = next) {
      next = nullptr;
      if (++next_streak <= kMaxNextStreak) return p;
      queue.push(p);
    }
    next_streak = 0;
    if (Process* p = queue.pop()) return p;
    size_t n = scheduler.workers.size();
    for (size_t i = 1; i < n; ++i) {
      if (Process* p = scheduler.workers[(index + i) % n]->queue.stealInto(queue)) return p;
    }
    // Sleep until work or I/O arrives or the next timer is due, at once: a worker that spun
    // first (200 rounds of PAUSE, about 10 us on the Xeon VM) held a core that others had
    // work for, a load generator beside a server for one; an echo server at 100
    // connections did 156,000 messages a second spinning and 172,000 not (6 alternating
    // runs, 2026-12-06), and the process benchmarks did not change.
    // Counting ourselves as a sleeper before the last look at the queues means an enqueue
    // after that look wakes us.
    sleeping.store(true, std::memory_order_seq_cst);
    scheduler.sleepers.fetch_add(1, std::memory_order_seq_cst);
    bool found = false;
    for (auto& w : scheduler.workers) {
      size_t waiting = w->queue.size(std::memory_order_seq_cst);
      found = found || (w.get() == this ? waiting > 0 : waiting >= kMinSteal);
    }
    uint64_t deadline = scheduler.next_deadline.load();
    uint64_t now = nowNanoseconds();
    if (!found && !next && deadline > now) waitForEngine(deadline == UINT64_MAX ? UINT64_MAX : deadline - now, now);
    sleeping.store(false, std::memory_order_seq_cst);
    scheduler.sleepers.fetch_sub(1, std::memory_order_seq_cst);
  }
}

void Worker::run(Process* p) {
  ++runs_since_engine_poll;
  p->fresh = false;
  running = p;
  running_id.store(p->id, std::memory_order_relaxed);
  setCurrentGuestStack(&p->guest_stack);
  ctx::transfer_t back = ctx::jump_fcontext(p->context, p);
  p->context = back.fctx;
  setCurrentGuestStack(nullptr);
  if (!flushes.empty()) {
    for (void (*flush)() : flushes) flush();
    flushes.clear();
  }
  running = nullptr;
  running_id.store(0, std::memory_order_relaxed);
  switch (p->switch_reason) {
    case Switch::Yield:
      yields.add();  // a slice given up: rare beside parks, and a plain add
      queue.push(p);
      break;
    case Switch::Park: {
      p->has_parked = true;
      std::unique_lock lock(p->lock);
      if (p->signaled) {
        p->signaled = false;
        p->state = ProcessState::Runnable;
        lock.unlock();
        queue.push(p);
      } else {
        p->state = ProcessState::Waiting;
      }
      break;
    }
    case Switch::Exit:
      // The process's stack is no longer in use: its last switch has completed.
      releaseStack(p->stack);
      p->stack = {};
      processEnded(p);
      break;
  }
}

}  // namespace

void start(unsigned workers) {
  allocation::start();
  workers = std::max(1u, workers);
  for (unsigned i = 0; i < workers; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    scheduler.workers.push_back(std::move(w));
  }
  for (auto& w : scheduler.workers) {
    Worker* worker = w.get();
    w->thread = std::thread([worker] { worker->loop(); });
    w->thread.detach();
  }
}

void enqueue(Process* p) {
  Worker* w = currentWorker();
  if (w) {
    // What a process spawns before it first waits for anything is part of a tree it is
    // unfolding (skynet; a supervisor starting its children): the queue runs such fresh
    // processes newest first, so that few of a tree's processes are alive at once. What it
    // spawns once it has waited answers an event (an acceptor's connection, a server's
    // request), and is served first come, first served: taken newest first, a steady stream
    // of such spawns kept the oldest waiting until the queue drained (`--serve` echo at 256
    // connections: request processes waited 5,000 to 55,000 pops, p99 150 to 640 ms in half
    // the runs).
    if (p->fresh && w->running && w->running->has_parked) p->fresh = false;
    Process* displaced = p;  // woken by I/O: to the queue (Worker::waking_from_io)
    if (!w->waking_from_io) std::swap(displaced, w->next);
    if (!displaced) return;
    w->queue.push(displaced);
    // A sleeping worker could not steal from a short queue anyway: waking it would cost a
    // system call on both sides for nothing.
    if (w->queue.size() >= kMinSteal) wakeSleeper();
    return;
  }
  // From outside the workers (the root process, at start-up): the queue's own worker may be
  // the one asleep, and no other may steal from so short a queue, so wake them all.
  w = scheduler.workers[scheduler.next_worker.fetch_add(1) % scheduler.workers.size()].get();
  w->queue.push(p);
  wakeSleepers(true);
}

std::vector<WorkerFigures> workerFigures() {
  std::vector<WorkerFigures> figures;
  uint64_t now = nowNanoseconds();
  for (const auto& w : scheduler.workers) {
    uint64_t started = w->started_ns.load(std::memory_order_relaxed);
    uint64_t asleep = w->asleep_since_ns.load(std::memory_order_relaxed);
    uint64_t idle = w->idle_ns.load(std::memory_order_relaxed) + (asleep && asleep < now ? now - asleep : 0);
    uint64_t alive = started && started < now ? now - started : 0;
    figures.push_back({w->index, w->queue.size(), alive > idle ? alive - idle : 0, w->yields.read()});
  }
  return figures;
}

std::vector<ProcessId> runningProcesses() {
  std::vector<ProcessId> ids;
  for (const auto& w : scheduler.workers) {
    if (ProcessId id = w->running_id.load(std::memory_order_relaxed)) ids.push_back(id);
  }
  return ids;
}

int currentWorkerIndex() {
  Worker* w = currentWorker();
  return w ? int(w->index) : -1;
}

Process* currentProcess() {
  Worker* w = currentWorker();
  return w ? w->running : nullptr;
}

}  // namespace lunatic::rt::scheduler

// What io/waiter.h asks of the scheduler.
namespace lunatic::rt::io {

Waiter* currentWaiter() { return scheduler::currentProcess(); }

Engine* currentEngine() {
  scheduler::Worker* w = scheduler::currentWorker();
  return w ? w->engine.get() : nullptr;
}

}  // namespace lunatic::rt::io

namespace lunatic::rt::scheduler {

void flushAtSwitch(void (*flush)()) { currentWorker()->flushes.push_back(flush); }

bool othersWaiting() {
  fireDueTimers();  // a process running without a break must not hold up the timers
  Worker* w = currentWorker();
  return w && (w->next || w->queue.size() > 0);
}

uint64_t addWakeTimer(uint64_t deadline_ns, ProcessId process) {
  uint64_t id = insertTimer(deadline_ns, {process, nullptr});
  wakeSleeper();
  return id;
}

uint64_t addMessageTimer(uint64_t deadline_ns, ProcessId process, MessagePtr message) {
  uint64_t bytes = message->hostBytes() + kTimerBookkeepingBytes;
  ProcessRef receiver = findProcess(process);
  uint64_t id = 0;
  bool over_budget = false;
  if (receiver) {
    // Held while the timer is added, so that the receiver cannot end in between and leave
    // it behind: its end takes pending_timers under the same lock.
    std::lock_guard lock(receiver->lock);
    if (!receiver->dead) {
      over_budget = !receiver->admit(bytes);
      if (!over_budget) {
        id = insertTimer(deadline_ns, {process, std::move(message), bytes});
        receiver->pending_timers.insert(id);
      }
    }
  }
  if (over_budget) receiver->killWith(kOverHostBudgetKind);
  if (id) {
    wakeSleeper();
    return id;
  }
  // The message is dropped: an id of a timer that has already gone.
  std::lock_guard lock(scheduler.timer_mutex);
  return scheduler.next_timer_id++;
}

bool cancelTimer(uint64_t id) {
  std::optional<Timer> timer;
  {
    std::lock_guard lock(scheduler.timer_mutex);
    timer = extractTimer(id);
    if (!timer) return false;
    scheduler.next_deadline.store(scheduler.timers.empty() ? UINT64_MAX : scheduler.timers.begin()->first);
  }
  if (timer->message) {
    if (ProcessRef receiver = findProcess(timer->process)) {
      std::lock_guard lock(receiver->lock);
      if (!receiver->dead) {
        receiver->pending_timers.erase(id);
        receiver->release(timer->bytes);
      }
    }
  }
  return true;
}

void dropTimers(const std::unordered_set<uint64_t>& ids) {
  std::vector<Timer> dropped;  // their messages are freed after the lock
  std::lock_guard lock(scheduler.timer_mutex);
  for (uint64_t id : ids) {
    if (std::optional<Timer> timer = extractTimer(id)) dropped.push_back(std::move(*timer));
  }
  scheduler.next_deadline.store(scheduler.timers.empty() ? UINT64_MAX : scheduler.timers.begin()->first);
}

void watch(ProcessId id) {
  std::lock_guard lock(scheduler.ended_mutex);
  scheduler.watched[id];
}

void ended(ProcessId id, const Death& death) {
  std::lock_guard lock(scheduler.ended_mutex);
  auto it = scheduler.watched.find(id);
  if (it == scheduler.watched.end()) return;
  it->second = death;
  scheduler.ended_signal.notify_all();
}

Death waitFor(ProcessId id) {
  std::unique_lock lock(scheduler.ended_mutex);
  scheduler.ended_signal.wait(lock, [&] { return scheduler.watched[id].has_value(); });
  return *scheduler.watched[id];
}

std::pair<ProcessId, Death> waitForAny(std::span<const ProcessId> ids, uint64_t deadline_ns) {
  std::unique_lock lock(scheduler.ended_mutex);
  auto ended_one = [&]() -> ProcessId {
    for (ProcessId id : ids) {
      if (scheduler.watched[id].has_value()) return id;
    }
    return 0;
  };
  ProcessId id = 0;
  auto deadline = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline_ns));
  if (deadline_ns == 0) {
    scheduler.ended_signal.wait(lock, [&] { return (id = ended_one()) != 0; });
  } else if (!scheduler.ended_signal.wait_until(lock, deadline, [&] { return (id = ended_one()) != 0; })) {
    return {0, Death{}};
  }
  auto it = scheduler.watched.find(id);
  std::pair<ProcessId, Death> result{id, std::move(*it->second)};
  scheduler.watched.erase(it);
  return result;
}

}  // namespace lunatic::rt::scheduler

using namespace lunatic::rt;

extern "C" void lunatic_yield(lunatic_instance* instance) {
  Process* p = Process::of(instance);
  if (!p) {
    instance->reductions_left = kUnpreemptedBudget;  // an instance outside the scheduler
    return;
  }
  p->chargeSlice();
  p->checkKilled();
  if (scheduler::othersWaiting()) p->suspend(Switch::Yield);
}
