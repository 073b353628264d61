// Processes: isolated instances of a module, each with its own linear memory, globals,
// tables and native stack, that share nothing and talk only by messages. This header is
// the process model the host APIs (lunatic::process, ::message, ::timer, ::registry) and
// the scheduler work on.
#pragma once

#include <boost/context/detail/fcontext.hpp>
#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/process/wasi_config.h"
#include "lunatic/abi.h"
#include "runtime/clock.h"
#include "runtime/io/waiter.h"
#include "runtime/memory.h"
#include "runtime/process/limits.h"
#include "runtime/process/reply_bytes.h"
#include "runtime/process/stack.h"
#include "runtime/table.h"
#include "runtime/trap.h"

namespace lunatic::rt {

using ProcessId = uint64_t;
class ModuleImage;
class ProcessRef;
struct SpawnRequest;
namespace wasi {
class Context;  // wasi/context.h
struct ContextDeleter {
  void operator()(Context* context) const;
};
}  // namespace wasi
namespace net {
struct HostSocket;  // api/networking.h
}  // namespace net

// A host API's tables of a process's resources (net::Resources in api/networking.h,
// sqlite::Resources in api/sqlite.h). Freed through a virtual destructor, so that ending a
// process names no API's code: an executable whose module imports none of an API's
// functions carries nothing of it.
struct HostResourceTables {
  virtual ~HostResourceTables() = default;
};

// The WASI view that grants nothing: no arguments, no environment, no directories.
const wasi::WasiConfigPtr& noWasiGrants();

// What a process may use and do. A process hands a child at most what it has itself: a
// config starts with every permission denied, within its creator's limits, and every
// setter clamps to what the creator has.
struct Capabilities {
  uint64_t max_memory = uint64_t(LUNATIC_MAX_PAGES) * LUNATIC_WASM_PAGE_SIZE;  // bytes
  uint64_t max_fuel = 0;  // in units of kFuelUnit reductions; 0 means unlimited
  bool can_spawn_processes = true;
  bool can_create_configs = true;
  bool can_compile_modules = true;
  // This runtime's extension: binding sockets that take connections or datagrams (tcp_bind,
  // udp_bind), and opening connections or sending to addresses (tcp_connect, udp_connect,
  // udp_send_to). Upstream lets every process do both.
  bool can_listen = true;
  bool can_connect = true;
  // And this: spawning processes on other nodes (lunatic::distributed::spawn), which hands
  // them work and memory there. Denied unless granted: a config made by create_config starts
  // without it, and only the root process of a node (--node) has it from the start.
  bool can_spawn_on_nodes = false;
  // This runtime's extension too: the bytes of host memory the runtime may hold for the
  // process (messages queued for it, its resources, pending timers and registry names)
  // before it fails. See "Host memory" in Process.
  uint64_t max_host_memory = limits::defaultMaxHostMemory();
  // Arguments, environment and directories, as WASI shows them; never null. A config made by
  // create_config starts with none, as upstream; lunatic::wasi adds to it, and a directory
  // only from inside the creator's own (wasi/grants.h).
  wasi::WasiConfigPtr wasi = noWasiGrants();
  // The environment the process belongs to, which the processes it spawns join: its registry
  // is theirs (api/registry_api.cpp). Test mode runs each test in a new one; 0 otherwise.
  uint64_t environment = 0;

  // Narrows these to what `limit` allows too, in place (a spawn then copies no WASI view,
  // whose shared count every core would otherwise update). The WASI view stays as it is:
  // it was narrowed as it was made, its directories inside its creator's.
  void narrowTo(const Capabilities& limit);
  void narrowFuelTo(uint64_t limit);  // at most `limit` units; a limit of 0 is none
};

// One unit of fuel (Lunatic's config_set_max_fuel) is this many reductions (about as many
// Wasm instructions), as in upstream Lunatic.
inline constexpr int64_t kFuelUnit = 100'000;

// What the allocator adds to each block it hands out (glibc: a size word, and rounding up),
// counted with every object a process's budget pays for.
inline constexpr uint64_t kAllocationOverhead = 16;
// A node of a hash table entry beyond its value: the link, the cached hash, the bucket
// pointer that comes with it, and the allocation's overhead.
inline constexpr uint64_t kHashNodeOverhead = 8 + 8 + 8 + kAllocationOverhead;
// What a std::string whose capacity is `capacity` allocates beyond itself: it keeps up to 15
// characters inline.
inline constexpr uint64_t stringHeapBytes(size_t capacity) {
  return capacity > 15 ? capacity + 1 + kAllocationOverhead : 0;
}

struct Message {
  enum class Kind : uint8_t { Data, LinkDied, ProcessDied };
  Kind kind = Kind::Data;
  int64_t tag = 0;
  ProcessId process = 0;  // LinkDied, ProcessDied: the process that died
  std::vector<uint8_t> data;
  // Sockets moving to the receiver (lunatic::message::push_tcp_stream, push_udp_socket), by
  // index; null once taken. A message dropped unread lets go of them: the last holder of a
  // socket closes it. Module handles (push_module) share the index space, as upstream's
  // resources of a message do: such an entry has no socket but `module`, null once taken
  // (a module lives as long as the program, so a handle owns nothing).
  struct CarriedSocket {
    enum class Kind : uint8_t { TcpStream, UdpSocket, TlsStream, Module };
    Kind kind;
    std::shared_ptr<net::HostSocket> socket;
    ModuleImage* module = nullptr;
  };
  // Null until a socket is pushed: most messages carry none, and a message a pointer
  // smaller (64 bytes) takes a smaller heap block; a million queued messages then fault in
  // 16 MB less.
  std::unique_ptr<std::vector<CarriedSocket>> sockets;
  Message* next = nullptr;  // the mailbox is an intrusive list

  // What the message holds on the host, as budgets count it: itself, its buffer's capacity
  // and its list of sockets.
  uint64_t hostBytes() const {
    uint64_t bytes = sizeof(Message) + kAllocationOverhead + data.capacity();
    if (sockets) bytes += sizeof(*sockets) + kAllocationOverhead + sockets->capacity() * sizeof(CarriedSocket);
    return bytes;
  }
};
using MessagePtr = std::unique_ptr<Message>;

// Messages in arrival order; receive takes the oldest that matches a tag filter.
class Mailbox {
 public:
  Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;
  ~Mailbox();
  void push(MessagePtr message);
  // The oldest message whose tag is in `tags` (any message if `tags` is empty), removed.
  // As take, but only among messages that arrived after `after` (null: all of them).
  MessagePtr take(const int64_t* tags, size_t count, const Message* after = nullptr);
  const Message* newest() const { return tail_; }
  // Changed under the process's lock, as everything here; read by anyone (the process
  // table, the metrics endpoint), hence atomic, with plain loads and stores.
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  void clear();

 private:
  void resize(size_t size) { size_.store(size, std::memory_order_relaxed); }
  Message* head_ = nullptr;
  Message* tail_ = nullptr;
  std::atomic<size_t> size_{0};
};

enum class ProcessState : uint8_t {
  Runnable,  // in a run queue, or on a worker (scheduler::runningProcesses tells which)
  Waiting,   // parked until wake()
  Done,
};

// Why a process hands its worker back.
enum class Switch : uint8_t { Yield, Park, Exit };

// What a parked process waits for, as the process table shows it (runtime/observe/): set
// by the code that parks, before it parks; Other once it runs again.
enum class WaitReason : uint8_t { Other, Message, Timer, Io };

// How a process ended, for its links, its monitors and its parent's exit status.
struct Death {
  bool failed = false;  // a trap, a kill, spent fuel, a failed link or a non-zero exit
  int32_t exit_code = 0;
  uint32_t trap = 0;    // what ended it, if it failed other than by exit: a trap kind
  std::string backtrace;  // of a trap, as lines "  at f", if the process does not log it
  std::string host_failure;  // with backtrace: "function: why", if a host function ended it
};

// Guest-visible resources a process owns, by the ids it was given (Lunatic's per-process
// resource tables). Made on first use: most processes never need one.
struct ProcessResources {
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, Capabilities> configs;
  std::unordered_map<uint64_t, std::string> errors;
  // WASI's descriptor table, made by the first WASI call that needs it; closed when the
  // process ends (ModuleImage::dismantle).
  std::unique_ptr<wasi::Context, wasi::ContextDeleter> wasi_context;
  // lunatic::networking's listeners, streams, UDP sockets and DNS iterators, made by the
  // first call that needs them (api/networking.h).
  std::unique_ptr<HostResourceTables> net;
  // lunatic::sqlite's connections and statements (api/sqlite.h), made by the first open.
  std::unique_ptr<HostResourceTables> sqlite;
  // What a host function is handing to the guest through its lunatic_alloc (api/guest_reply.h),
  // how many replies were begun (one begun inside lunatic_alloc is seen), and that function.
  ReplyBytes reply;
  uint64_t replies = 0;
  const lunatic_func* allocator = nullptr;
  // Handles of modules compiled into the executable (lunatic::process::compile_module,
  // take_module), which spawn can start processes of. Images live as long as the program.
  std::unordered_map<uint64_t, ModuleImage*> modules;
};

// A process's one message slot, as upstream: create_data puts a new message there (for
// write_data and send), receive puts the received one there (for read_data and the rest).
struct MessageSlots {
  MessagePtr current;
  size_t read_cursor = 0;
  std::vector<int64_t> receive_tags;  // receive's filter, kept here while the process waits
};

class Process final : public io::Waiter {
 public:
  ~Process();

  ProcessId id = 0;
  ModuleImage* const image;
  lunatic_instance* instance() { return &instance_; }
  static Process* of(lunatic_instance* instance) { return static_cast<Process*>(instance->host); }

  // Reference counting: the process table, the running process itself and anyone who
  // looked it up hold a reference.
  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release();

  // --- Called by the process itself, on its own stack ---------------------------------
  // Gives the worker back; returns when the scheduler runs this process again. Dies here
  // (does not return) if the process was killed meanwhile, unless `killable` is false: a
  // process waiting for I/O must first make sure the kernel is done with its buffers.
  void suspend(Switch reason, bool killable = true);
  // Parks until wake() or the deadline (steady-clock nanoseconds, 0: none) passes.
  // Returns false on timeout. `killable` as for suspend.
  bool parkUntil(uint64_t deadline_ns, bool killable = true);
  // parkUntil for a caller that has just looked, under `lock`, for what it waits for, not
  // found it, and cleared `signaled` in the same hold (takeMessage): a wake from before
  // that look is no reason to stay awake, and one after it finds the process running and
  // is seen by the scheduler as the process parks. Saves taking the lock again on the way
  // of every message.
  bool parkAfterLook(uint64_t deadline_ns, bool killable = true);
  // Unwinds to the process's entry and ends it.
  [[noreturn]] void die(uint32_t trap_kind);
  void checkKilled();
  // Whether the process must end as soon as it may: killed, or out of fuel.
  bool mustEnd() const { return __atomic_load_n(&killed, __ATOMIC_RELAXED) != 0 || outOfFuel(); }
  bool outOfFuel() const { return capabilities.max_fuel != 0 && fuel_left <= 0; }
  // Ends the time slice: the reductions it used come off the fuel (dying if none is left),
  // and a new slice starts.
  void chargeSlice();
  // Gives the instance the budget of a new time slice (sliceBudget).
  void startSlice() { instance_.reductions_left = sliceBudget(); }
  // A time slice's budget: kSliceReductions, or what is left of the fuel if that is less,
  // so that a process out of fuel stops where it runs out. Fuel changes only when a slice
  // ends, so this is also what the current slice started with.
  int64_t sliceBudget() const;

  // --- Called by anyone -------------------------------------------------------------
  // Makes a parked process runnable (or makes its next park return at once).
  void wake();
  void deliver(MessagePtr message);
  // Asks the process to die at its next yield point or park (killWith: as `kind` says, a
  // kind of trap.h, unless it is already dying).
  void kill() { killWith(kKilledKind); }
  void killWith(uint32_t kind);
  // Sets the kind of end it is to die with, unless one is set already; needs no lock.
  void markKilled(uint32_t kind) {
    uint32_t none = 0;
    __atomic_compare_exchange_n(&killed, &none, kind, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  }

  // --- State guarded by lock --------------------------------------------------------
  std::mutex lock;
  ProcessState state = ProcessState::Runnable;
  bool signaled = false;      // a wake() arrived while running: the next park returns
  uint32_t killed = 0;        // the kind of end it was asked to die with (killWith), or 0
  bool die_when_link_dies = true;
  bool dead = false;          // links and monitors may no longer be added
  bool named = false;         // the registry has names for it (process/registry.h)
  Mailbox mailbox;
  std::vector<std::pair<ProcessId, int64_t>> links;  // linked process, the tag of our side
  std::vector<ProcessId> monitored_by;
  std::unordered_set<uint64_t> pending_timers;  // send_after timers that will deliver to it

  // --- Host memory ---------------------------------------------------------------------
  // What is left of its budget, capabilities.max_host_memory, for what the runtime holds for
  // it (docs/architecture.md, "Isolation", "Host memory and the number of processes"): messages queued
  // for it, the messages of timers that will deliver to it, the registry's names for it, its
  // resources. One count, changed only under `lock`, so that a sender needs no atomic
  // read-modify-write beside the lock it takes anyway; read by anyone. Below zero only
  // after countOwn. The one message in its slot is not counted, to keep the way of a message
  // short: it is checked as it grows (write_data), and one received was counted while queued.
  std::atomic<int64_t> host_room{0};
  uint64_t hostBytes() const {
    return uint64_t(std::min<uint64_t>(capabilities.max_host_memory, INT64_MAX) -
                    host_room.load(std::memory_order_relaxed));
  }
  bool mayHold(uint64_t more) const {
    return more <= uint64_t(INT64_MAX) && int64_t(more) <= host_room.load(std::memory_order_relaxed);
  }
  // Under `lock`: counts `bytes` more if the budget allows; gives bytes back.
  bool admit(uint64_t bytes) {
    int64_t room = host_room.load(std::memory_order_relaxed);
    if (bytes > uint64_t(INT64_MAX) || int64_t(bytes) > room) return false;
    host_room.store(room - int64_t(bytes), std::memory_order_relaxed);
    return true;
  }
  void release(uint64_t bytes) {
    host_room.store(host_room.load(std::memory_order_relaxed) + int64_t(bytes), std::memory_order_relaxed);
  }
  // On its own thread, for its resources (these take the lock; the budget is checked first,
  // mayHold). countOwn counts bytes it already holds where failing at once would skip the
  // destructors of the host function's frames (a socket's, say): past its budget, it fails
  // as soon as that function returns to its code (kOverHostBudgetKind).
  void holdOwn(uint64_t bytes);
  void releaseOwn(uint64_t bytes);
  void countOwn(uint64_t bytes);
  // Marks it to die with `kind` and ends its time slice, so that it dies at its next
  // reduction check or park; on its own thread.
  void failSoon(uint32_t kind);
  // The oldest queued message whose tag is in `tags` (after `after`; see Mailbox::take),
  // taken out of the mailbox and its count; null if none, and then a wake from before is
  // dropped, for the caller to park with parkAfterLook. Inline: it is on the way of every
  // message.
  MessagePtr takeMessage(const int64_t* tags, size_t count, const Message* after = nullptr) {
    std::lock_guard guard(lock);
    MessagePtr message = mailbox.take(tags, count, after);
    if (message) {
      release(message->hostBytes());
    } else {
      signaled = false;
    }
    return message;
  }
  // Queues a message whose bytes are already counted in host_room (a timer's); it is
  // dropped if the process has ended.
  void deliverCounted(MessagePtr message, uint64_t timer_id, uint64_t bookkeeping_bytes);

  // --- Owned by the process's own thread of execution ----------------------------------
  Capabilities capabilities;
  std::unique_ptr<ProcessResources> resources;  // see ProcessResources
  ProcessResources& ownResources();
  MessageSlots messages;
  int64_t fuel_left = 0;      // reductions; meaningful if capabilities.max_fuel != 0
  // Reductions used in the time slices it has ended, and the data messages it sent and their
  // bytes, for the process table and the metrics endpoint: written by the process alone
  // (plain loads and stores: no core but its own writes them), read by anyone.
  std::atomic<uint64_t> reductions{0};
  std::atomic<uint64_t> messages_sent{0}, message_bytes_sent{0};
  void countSent(uint64_t bytes) {
    messages_sent.store(messages_sent.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    message_bytes_sent.store(message_bytes_sent.load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
  }
  WaitReason wait_reason = WaitReason::Other;  // read under `lock` while Waiting
  Death death;
  bool report_traps = true;   // log a trap in one line (the root process's is printed by main)
  bool watched = false;       // scheduler::waitFor waits for its end (SpawnRequest::watched)
  bool host_task = false;     // SpawnRequest::host_task
  std::string host_failure;   // "function: why", when a host function ended the process
  // Calls into a library under way (host_stack.h): while any is, a kill or the end of fuel
  // waits, and the process dies when the last returns.
  uint32_t unkillable_calls = 0;

  // The bytes of its linear memory now (0 if it has none); read by anyone.
  uint64_t memoryBytes() const { return __atomic_load_n(&memory_.size, __ATOMIC_RELAXED); }
  // Whether it holds a slot of its module's memory pool (a glance, as memoryBytes).
  bool holdsPoolSlot() const { return __atomic_load_n(&memory_slot_.base, __ATOMIC_RELAXED) != nullptr; }
  // The export it was spawned on.
  const lunatic_func* entryFunction() const { return entry_; }

  // --- Scheduler state ------------------------------------------------------------
  boost::context::detail::fcontext_t context = nullptr;  // where the process resumes
  boost::context::detail::fcontext_t back = nullptr;     // the worker that runs it
  Switch switch_reason = Switch::Yield;
  uint64_t queued_at = 0;  // the queue's pop count when the process joined it
  bool fresh = true;       // spawned and not run yet (see scheduler::enqueue)
  bool has_parked = false; // has waited for a message, I/O or a timer since it started
  GuestStack guest_stack;
  Stack stack;

 private:
  friend class ModuleImage;
  friend ProcessRef spawnProcess(SpawnRequest&& request, std::string* error);
  Process(ProcessId id, ModuleImage* image);
  std::atomic<uint32_t> refs_{1};
  lunatic_instance instance_{};
  lunatic_memory memory_{};
  MemorySlot memory_slot_;  // the pool's slot, even after memory.grow moved memory_
  std::unique_ptr<lunatic_value*[]> global_cells_;
  std::unique_ptr<lunatic_value[]> globals_;
  std::unique_ptr<lunatic_table*[]> table_pointers_;
  std::unique_ptr<Table[]> tables_;
  std::unique_ptr<uint8_t[]> dropped_;  // data segments, then element segments
  // The entry function (kept while the process lives) and its parameters, until it starts.
  const lunatic_func* entry_ = nullptr;
  std::vector<lunatic_value> entry_values_;
  void prefetchStackTop() const;
  static void main(boost::context::detail::transfer_t from);
  void run();
  void wakeLocked(std::unique_lock<std::mutex>& guard);
  // Makes a recycled process like a new one, keeping what it allocated (module_image.cpp).
  void reset();
};

// A counted reference to a process (null if none).
class ProcessRef {
 public:
  ProcessRef() = default;
  explicit ProcessRef(Process* p) : p_(p) {}  // adopts a reference
  ProcessRef(const ProcessRef&) = delete;
  ProcessRef(ProcessRef&& other) noexcept : p_(other.p_) { other.p_ = nullptr; }
  ProcessRef& operator=(ProcessRef&& other) noexcept {
    std::swap(p_, other.p_);
    return *this;
  }
  ~ProcessRef() {
    if (p_) p_->release();
  }
  Process* operator->() const { return p_; }
  Process* get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  Process* p_ = nullptr;
};

// The live processes by id.
ProcessRef findProcess(ProcessId id);

// A reference to every live process, in no order: the process table's shards are locked
// one at a time and only while references are taken, so spawns and ends go on meanwhile
// (a process spawned during the call may be missing, one that ended may be there, Done).
std::vector<ProcessRef> liveProcesses();

struct SpawnRequest {
  ModuleImage* image = nullptr;
  const char* function = nullptr;  // an exported function of the module
  size_t function_length = 0;
  // Inline up to 4: a spawn then allocates nothing for them (the process copies them into
  // its own array, which it keeps when recycled).
  boost::container::small_vector<lunatic_value, 4> params;
  std::string param_types;         // a LUNATIC_TYPE_* code per parameter
  Capabilities capabilities;
  Process* link_to = nullptr;      // links the new process to this one with link_tag
  int64_t link_tag = 0;
  bool watched = false;            // scheduler::waitFor may wait for its end
  bool report_traps = true;
  // A host task (process/host_task.h), whose C++ frames must never be unwound: no allocation
  // failure ends it (allocation.h). Give it an unlimited max_host_memory too.
  bool host_task = false;
};

// Creates a process and makes it runnable. Returns it, or null with `error` set.
ProcessRef spawnProcess(SpawnRequest&& request, std::string* error);

// Links a and b both ways, a's side carrying a_tag and b's b_tag (the tag each is told
// when the other fails). If b is already gone, a is told at once.
void linkProcesses(Process* a, ProcessId b, int64_t a_tag, int64_t b_tag);
void unlinkProcesses(Process* a, ProcessId b);
// Tells p that its link to `other`, whose side carries `tag`, failed: p dies, or, if it asked
// not to (die_when_link_dies), gets LinkDied.
void linkFailed(Process& p, ProcessId other, int64_t tag);
// Tells `watcher` that `ended`, which it monitors, has ended (ProcessDied).
void tellProcessDied(Process& watcher, ProcessId ended);

// Called by the scheduler after a process's last switch: tells links and monitors, leaves
// the process table.
void processEnded(Process* p);

// Links and monitors that reach a process on another node (runtime/distributed/): the
// distribution layer puts ids with this bit set in a process's `links` and `monitored_by`
// (process ids count up from 1 and never reach it), and is told, through the hook it sets
// once at start, when a process holding one ends: `as_link` says which list held it.
inline constexpr ProcessId kRemoteEndBit = ProcessId(1) << 63;
using RemoteEndHook = void (*)(const Process& ended, ProcessId remote_end, bool as_link);
void setRemoteEndHook(RemoteEndHook hook);

}  // namespace lunatic::rt
