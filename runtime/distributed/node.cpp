// The Erlang distribution node (node.h): the cluster as lunatic::distributed sees it, the
// distribution thread, and the control protocol our nodes speak among themselves.
//
// Threads. One distribution thread owns the listening socket, epmd's registration, the
// handshakes (ei's blocking calls stall only it), the ticks and the control protocol. Each
// connection is read by a host task of its own (process/host_task.h), which parks on its
// worker's I/O engine like any process waiting for a socket: it cuts what arrived into frames
// and delivers the messages right there, on the worker that will run their receivers, and
// passes the rest (our control messages) to the thread. Workers send themselves, without
// waiting (Wire); a process that needs an answer (a remote spawn, exists) parks until the
// thread wakes it. So no worker ever waits on the network (docs/architecture.md,
// "Distribution").
//
// Between our nodes, requests go as messages to the name "$lunatic" on the other node, which
// its distribution thread answers (docs/abi.md, "Erlang distribution"); an Erlang node has
// no such name and drops them, as Erlang drops messages to unregistered names.
#include "runtime/distributed/node.h"

#include <ei.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "runtime/api/api.h"
#include "runtime/api/cluster.h"
#include "runtime/clock.h"
#include "runtime/distributed/wire.h"
#include "runtime/log.h"
#include "runtime/io/io.h"
#include "runtime/process/host_task.h"
#include "runtime/process/module_image.h"
#include "runtime/process/registry.h"
#include "runtime/process/scheduler.h"

extern "C" __attribute__((weak)) const lunatic_module_table lunatic_main_module_table;

namespace lunatic::rt::distributed {
namespace {

using cluster::Outcome;

constexpr const char* kControlName = "$lunatic";
constexpr int64_t kProtocolVersion = 1;
constexpr unsigned kConnectTimeoutMs = 5000;
constexpr uint64_t kRequestTimeoutNs = 30'000'000'000;
constexpr uint64_t kJoinRetryNs = 1'000'000'000;
// A frame longer than this ends the connection: a peer holds the cookie, but a runaway one
// must not take the node's memory.
constexpr uint32_t kMaxFrameBytes = 256u << 20;
// What a reader asks of the socket at once: many frames, delivered before it reads again.
constexpr size_t kReadBytes = 64 << 10;
// What a connection's backlog gathers from processes before it is written without waiting
// for them to switch.
constexpr size_t kCorkBytes = 64 << 10;
// Written bytes a backlog keeps at its front before it moves the rest down: moving it after
// every partial write would copy a long backlog over and over while the peer is slow.
constexpr size_t kBacklogSlack = 1 << 20;
// The byte in front of every term in the external term format.
constexpr char kVersionMagic = char(131);
// The control messages SEND_SENDER, UNLINK_ID and UNLINK_ID_ACK, which ei.h does not name.
constexpr long kSendSender = 22, kUnlinkId = 35, kUnlinkIdAck = 36;
// spawn's results, as lunatic::distributed's (distributed_api.cpp).
constexpr int64_t kNoModule = 2, kSpawnFailed = 9027;
// Config flags in a remote spawn.
constexpr uint64_t kSpawnProcesses = 1, kCreateConfigs = 2, kCompileModules = 4, kListen = 8, kConnect = 16,
                   kSpawnOnNodes = 32;

uint64_t moduleIdOfHash(const uint8_t* sha256) {
  uint64_t id = 0;
  std::memcpy(&id, sha256, 8);
  return id;
}

// What of a connection workers, its reader and the distribution thread share: the sending
// side, and when the peer was last heard from. Whoever sends appends whole frames to the
// backlog under the lock and, if nothing was waiting to be written, writes what the socket
// takes at once without waiting (MSG_DONTWAIT); the thread writes the rest when the socket
// has room. So frames from one sender keep their order, and nobody blocks.
struct Wire {
  explicit Wire(int fd) : fd(fd) {}
  std::mutex lock;
  int fd;  // -1 once the connection is gone: what is sent then is dropped
  std::string backlog;  // bytes from `written` on are still to be written
  size_t written = 0;
  std::atomic<uint64_t> sent_ns{0};
  std::atomic<uint64_t> heard_ns{0};  // by the reader
  // Written to when the process that corked it switches (queueBytes), not by the thread.
  bool corked = false;

  // Under `lock`.
  bool waiting() const { return written < backlog.size(); }
  void drop() {
    backlog.clear();
    written = 0;
  }
  // Under `lock`: writes what the socket takes now.
  void flush() {
    while (waiting() && fd >= 0) {
      ssize_t n = ::send(fd, backlog.data() + written, backlog.size() - written, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) return drop();  // the connection failed: its reader will find it closed
      written += size_t(n);
      sent_ns.store(nowNanoseconds(), std::memory_order_relaxed);
    }
    if (!waiting()) {
      drop();
    } else if (written >= kBacklogSlack && written * 2 >= backlog.size()) {
      backlog.erase(0, written);
      written = 0;
    }
  }
};

class ErlangNode;
ErlangNode* the_node = nullptr;

// The wires the process running on this worker has corked (ErlangNode::queueBytes), written
// when it switches (writeCorked). Reached through this function only, as the scheduler's
// thread-locals are: a process may resume on another thread.
__attribute__((noinline)) std::vector<std::shared_ptr<Wire>>& corkedWires() {
  static thread_local std::vector<std::shared_ptr<Wire>> wires;
  asm volatile("");
  return wires;
}
void writeCorked();

// A process of ours that other nodes may reach: not a host task (a connection's reader),
// which nobody may link to, watch or fill with messages.
ProcessRef reachableProcess(ProcessId id) {
  ProcessRef p = findProcess(id);
  return p && !p->host_task ? std::move(p) : ProcessRef();
}

// A frame's control message, as far as routing it needs: ERL_PASS_THROUGH, then the control
// message and (for a send) the message, each term with its version byte: what ei_send writes
// and what Erlang sends an ei node.
// Made for every frame: its pids and name (3 KiB of node names) are filled in only as far
// as the frame has them, not cleared first.
struct FrameHeader {
  long type = 0;
  int arity = 0;    // of the control message
  int control = 0;  // where the control message's elements after the type start
  erlang_pid from, to;  // from.node is empty if the frame names no sender
  char name[MAXATOMLEN_UTF8];  // a REG_SEND's
  int message = 0;  // where a send's message term starts in the frame
  FrameHeader() {
    from.node[0] = 0;
    to.node[0] = 0;
    name[0] = 0;
  }
};

// False if the frame is not one we can read, or a send whose parts are not there.
bool readHeader(std::string_view frame, FrameHeader* h) {
  const char* buffer = frame.data();
  int index = 1, version = 0, arity = 0;
  if (frame[0] != ERL_PASS_THROUGH || ei_decode_version(buffer, &index, &version) != 0 ||
      ei_decode_tuple_header(buffer, &index, &arity) != 0 || ei_decode_long(buffer, &index, &h->type) != 0) {
    return false;
  }
  h->arity = arity;
  h->control = index;
  bool ok;
  switch (h->type) {
    case ERL_SEND:  // {2, Unused, To}
      ok = arity == 3 && ei_skip_term(buffer, &index) == 0 && ei_decode_pid(buffer, &index, &h->to) == 0;
      break;
    case kSendSender:  // {22, From, To}
      ok = arity == 3 && ei_decode_pid(buffer, &index, &h->from) == 0 && ei_decode_pid(buffer, &index, &h->to) == 0;
      break;
    case ERL_REG_SEND:  // {6, From, Unused, ToName}
      ok = arity == 4 && ei_decode_pid(buffer, &index, &h->from) == 0 && ei_skip_term(buffer, &index) == 0 &&
           ei_decode_atom(buffer, &index, h->name) == 0;
      break;
    default:
      return true;  // not a send: the caller looks no further
  }
  if (!ok || ei_decode_version(buffer, &index, &version) != 0) return false;
  h->message = index;
  return true;
}

// A node's view of a peer, as workers read it.
struct PeerView {
  std::shared_ptr<Wire> wire;
  std::string name;
  std::string name_atom;  // encodedAtom(name)
  bool ours = false;       // a lunatic node (it said hello), not an Erlang one
  unsigned creation = 0;   // of its pids, learned from the first one seen
  std::vector<uint64_t> modules;
};


// An answer a parked process waits for.
struct Pending {
  Pending(Process* waiter, NodeId node) : waiter(waiter), node(node) {}
  Process* waiter;
  NodeId node;
  bool done = false;
  int64_t code = 0;
  uint64_t value = 0;
  std::string error;
};

// A link or monitor between a process of ours and one on another node.
enum class EndKind : uint8_t { Link, Watched /* ours watches theirs */, Watcher /* theirs watches ours */ };
struct RemoteEnd {
  ProcessId local;
  NodeId node;
  ProcessId remote;
  EndKind kind;
  int64_t tag;
  // Made by an Erlang process (its link to ours): Erlang's EXIT ends it, not ours.
  bool erlang = false;
};

class ErlangNode final : public cluster::Cluster {
 public:
  explicit ErlangNode(const NodeOptions& options) : options_(options), id_(nodeIdOf(options.name)) {}

  bool start(std::string* error);

  // --- cluster::Cluster ----------------------------------------------------------
  NodeId localNode() const override { return id_; }
  std::vector<NodeId> nodes() const override {
    std::lock_guard lock(mutex_);
    std::vector<NodeId> ids{id_};
    for (const auto& [id, peer] : peers_) {
      if (peer.ours) ids.push_back(id);
    }
    return ids;
  }
  bool hasNode(NodeId node) const override {
    std::lock_guard lock(mutex_);
    auto it = peers_.find(node);
    return it != peers_.end() && it->second.ours;
  }
  std::optional<uint64_t> lookupNodes(std::string_view query, uint32_t* matched, std::string*) override {
    // Our nodes carry no tags: the empty query matches every node, any other none.
    std::vector<NodeId> found = query.empty() ? nodes() : std::vector<NodeId>();
    *matched = uint32_t(found.size());
    return queries_.keep(std::move(found));
  }
  std::optional<std::vector<NodeId>> takeQueryResult(uint64_t query_id) override { return queries_.take(query_id); }
  uint64_t moduleId(const ModuleImage* image) const override;
  Outcome spawn(Process& caller, NodeId node, const cluster::RemoteSpawn& request, ProcessId* id,
                std::string* error) override;
  Outcome send(Process& caller, NodeId node, ProcessId process, MessagePtr message) override;
  Outcome sendToName(Process& caller, NodeId node, std::string_view name, MessagePtr message) override;
  Outcome exists(Process& caller, NodeId node, ProcessId process, bool* exists) override;
  void link(Process& caller, NodeId node, ProcessId process, int64_t tag) override;
  void unlink(Process& caller, NodeId node, ProcessId process) override;
  void monitor(Process& caller, NodeId node, ProcessId process) override;
  void stopMonitoring(Process& caller, NodeId node, ProcessId process) override;

  // A process of ours that held a remote end has ended (process.h: RemoteEndHook).
  void remoteEndOf(const Process& ended, ProcessId ref);
  // Writes what the socket takes of the wire's backlog now, corked or not; the thread
  // writes the rest when there is room.
  void write(Wire& wire);

 private:
  // A connection, owned by the distribution thread.
  struct Connection {
    std::string name;
    NodeId id;
    int fd;  // closed only once its reader has stopped
    bool we_connected;
    uint64_t serial;  // unique for the program's lifetime: fds are reused, serials not
    std::shared_ptr<Wire> wire;
    std::string ended_because;  // set when the thread ends it (a silent node)
  };
  // What a connection's reader knows of it. `ours` is set by the reader itself when the
  // peer's hello passes, so that the messages behind the hello are read as from our node
  // even before the thread has handled it.
  struct Inbound {
    NodeId id;
    std::string name;
    uint64_t serial;
    int fd;
    std::shared_ptr<Wire> wire;
    bool ours = false;
  };
  // What a reader hands the thread: a frame for it, or (closed) the connection's end.
  struct Posted {
    uint64_t serial;
    int fd;
    bool closed;
    std::string frame;  // or why it closed
  };

  // --- Any thread ----------------------------------------------------------------
  erlang_pid ourPid(ProcessId process) const { return pidOf(options_.name, creation_, process); }
  // The pid of `process` on `node`, if the node is connected.
  bool peerPid(NodeId node, ProcessId process, erlang_pid* pid) const;
  bool isPeer(NodeId node) const {
    std::lock_guard lock(mutex_);
    return peers_.count(node) != 0;
  }
  // Sends `message` (an encoded term) to the process `process` on `node`, or to the one
  // registered there as `name` if that is not empty; false if the node is not connected.
  bool sendFrame(NodeId node, std::string_view name, ProcessId process, std::string_view message);
  // Sends an Erlang signal (link, exit, monitor: a control message without a message) to
  // an Erlang node; false if the node is not connected.
  bool signal(NodeId node, const Term& control);
  void queueFrame(const std::shared_ptr<Wire>& wire, std::string_view control, std::string_view message);
  // Appends the pieces to the wire and writes what it can, at once or, from a process, when
  // it switches; wakes the thread if some is left.
  void queueBytes(const std::shared_ptr<Wire>& wire, std::initializer_list<std::string_view> pieces);
  void control(NodeId node, const Term& term) { sendFrame(node, kControlName, 0, term.bytes()); }
  // {Tag, Data, From}, encoded.
  std::string dataTerm(const Process& caller, const Message& message) const;
  // Sends `message` from `caller` to process `process` on `node` as a SEND frame with
  // {Tag, Data, From} (what sendFrame and dataTerm make), written without ei and with one
  // copy of the data, the way of every message; false if the node is not connected.
  bool sendData(NodeId node, ProcessId process, const Process& caller, const Message& message);
  // Sends `request` (a control message naming `pending`'s id) and parks the caller until the
  // answer, the node's end or the timeout.
  void await(Process& caller, const std::shared_ptr<Pending>& pending, uint64_t request_id, const Term& request);
  void answer(uint64_t request_id, int64_t code, uint64_t value, std::string error);
  ProcessId addEnd(const RemoteEnd& end);
  std::optional<RemoteEnd> takeEnd(ProcessId local, NodeId node, ProcessId remote, EndKind kind, ProcessId* ref);

  // --- A connection's reader (a host task, on a worker) ---------------------------
  void read(Inbound& in);
  void onFrame(Inbound& in, std::string_view frame);
  void onData(const Inbound& in, ProcessId target, TermReader message);
  // An Erlang process's link, unlink or exit signal to a process of ours. (Erlang sends an
  // erl_interface node no monitor signals: its monitors of our processes fire only when the
  // connection goes, docs/abi.md.)
  void onSignal(const Inbound& in, std::string_view frame, const FrameHeader& h);
  void post(Posted posted);

  // --- The distribution thread ---------------------------------------------------
  void run();
  void tick(uint64_t now);
  void connectTo(const std::string& name, bool quiet);
  void accept();
  void adopt(const std::string& name, int fd, bool we_connected);
  // Starts a reader for `c`; false (and the connection closed) if none could start.
  bool startReader(const Connection& c);
  void sayHello(Connection& c);
  void onPosted(Posted& posted);
  void lost(const Posted& closed);
  Connection* connectionBySerial(uint64_t serial);
  Connection* connectionByName(std::string_view name);
  void onControl(Connection& c, TermReader& in);
  void onHello(Connection& c, TermReader& in);
  void onSpawn(Connection& c, TermReader& in);
  void learnCreation(const erlang_pid& pid);
  void nodeDown(NodeId node);

  const NodeOptions options_;
  const NodeId id_;
  unsigned creation_ = 0;
  std::string name_atom_;  // encodedAtom(options_.name)
  ei_cnode ec_{};
  int listen_fd_ = -1, epmd_fd_ = -1, wake_fd_ = -1;
  std::vector<Connection> connections_;  // distribution thread only
  uint64_t next_serial_ = 1;             // distribution thread only
  std::vector<std::string> joins_left_;  // --join nodes not reached yet
  uint64_t next_join_try_ = 0;

  std::mutex inbox_mutex_;  // guards inbox_, which readers fill and the thread empties
  std::vector<Posted> inbox_;

  mutable std::mutex mutex_;  // guards what follows
  std::map<NodeId, PeerView> peers_;
  uint64_t next_request_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<Pending>> pending_;
  ProcessId next_end_ = 1;
  std::unordered_map<ProcessId, RemoteEnd> ends_;
  std::map<std::tuple<ProcessId, NodeId, ProcessId, EndKind>, ProcessId> end_index_;

  cluster::QueryResults queries_;
};

// --- Modules --------------------------------------------------------------------

std::span<const lunatic_compiled_module> compiledModules() {
  if (!&lunatic_main_module_table) return {};
  return {lunatic_main_module_table.modules, lunatic_main_module_table.count};
}

std::vector<uint64_t> ourModules() {
  std::vector<uint64_t> ids;
  for (const lunatic_compiled_module& m : compiledModules()) ids.push_back(moduleIdOfHash(m.sha256));
  return ids;
}

uint64_t ErlangNode::moduleId(const ModuleImage* image) const {
  for (const lunatic_compiled_module& m : compiledModules()) {
    if (m.module == image->module) return moduleIdOfHash(m.sha256);
  }
  return 0;
}

const lunatic_module* moduleById(uint64_t id) {
  for (const lunatic_compiled_module& m : compiledModules()) {
    if (moduleIdOfHash(m.sha256) == id) return m.module;
  }
  return nullptr;
}

// --- Start ----------------------------------------------------------------------

bool ErlangNode::start(std::string* error) {
  ei_init();
  std::string alive = options_.name.substr(0, options_.name.find('@'));
  std::string host = options_.name.substr(options_.name.find('@') + 1);
  in_addr address{};
  address.s_addr = htonl(INADDR_LOOPBACK);
  if (ei_connect_xinit(&ec_, host.c_str(), alive.c_str(), options_.name.c_str(), &address, options_.cookie.c_str(),
                       0) < 0) {
    *error = "--node " + options_.name + ": erl_interface refused the node name";
    return false;
  }
  int port = 0;
  listen_fd_ = ei_listen(&ec_, &port, 128);
  if (listen_fd_ < 0) {
    *error = "--node " + options_.name + ": cannot listen for other nodes: " + std::strerror(errno);
    return false;
  }
  epmd_fd_ = ei_publish_tmo(&ec_, port, kConnectTimeoutMs);
  if (epmd_fd_ < 0) {
    *error = "--node " + options_.name + ": cannot register with epmd (is it running? start it with `epmd -daemon`): " +
             std::strerror(erl_errno);
    return false;
  }
  creation_ = ei_self(&ec_)->creation;
  name_atom_ = encodedAtom(options_.name);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  joins_left_ = options_.joins;
  log::write(log::Level::Info, "node_up", 0, "node " + options_.name + " listening on port " + std::to_string(port),
             {{"port", int64_t(port)}});
  std::thread([this] { run(); }).detach();
  return true;
}

// --- Any thread -----------------------------------------------------------------

bool ErlangNode::peerPid(NodeId node, ProcessId process, erlang_pid* pid) const {
  std::lock_guard lock(mutex_);
  auto it = peers_.find(node);
  if (it == peers_.end()) return false;
  *pid = pidOf(it->second.name, it->second.creation, process);
  return true;
}

bool ErlangNode::sendFrame(NodeId node, std::string_view name, ProcessId process, std::string_view message) {
  std::shared_ptr<Wire> wire;
  Term control;
  {
    std::lock_guard lock(mutex_);
    auto peer = peers_.find(node);
    if (peer == peers_.end() || !peer->second.wire) return false;
    wire = peer->second.wire;
    // The control message as ei_send and ei_reg_send write it: SEND {2, '', To} or
    // REG_SEND {6, From, '', Name}.
    if (!name.empty()) {
      control.tuple(4).integer(ERL_REG_SEND).pid(ourPid(0)).atom("").atom(std::string(name).c_str());
    } else {
      control.tuple(3).integer(ERL_SEND).atom("").pid(pidOf(peer->second.name, peer->second.creation, process));
    }
  }
  queueFrame(wire, control.bytes(), message);
  return true;
}

bool ErlangNode::signal(NodeId node, const Term& control) {
  std::shared_ptr<Wire> wire;
  {
    std::lock_guard lock(mutex_);
    auto peer = peers_.find(node);
    if (peer == peers_.end() || !peer->second.wire) return false;
    wire = peer->second.wire;
  }
  queueFrame(wire, control.bytes(), {});
  return true;
}

void ErlangNode::queueFrame(const std::shared_ptr<Wire>& wire, std::string_view control, std::string_view message) {
  // A frame: its length, ERL_PASS_THROUGH, the control message, the message if any (each
  // term with its version byte).
  uint32_t length = uint32_t(1 + control.size() + message.size());
  const char prefix[5] = {char(length >> 24), char(length >> 16), char(length >> 8), char(length), ERL_PASS_THROUGH};
  queueBytes(wire, {std::string_view(prefix, sizeof prefix), control, message});
}

void ErlangNode::queueBytes(const std::shared_ptr<Wire>& wire, std::initializer_list<std::string_view> pieces) {
  {
    std::lock_guard lock(wire->lock);
    if (wire->fd < 0) return;
    bool idle = !wire->waiting() || wire->corked;
    for (std::string_view piece : pieces) wire->backlog += piece;
    if (!idle) return;  // the thread is waiting for room, and writes this too
    // A process's frames wait until it switches (parks, yields or ends) or a cork's worth has
    // gathered, and go in one write: a process streaming messages pays a system call per
    // kCorkBytes, not per message, and one answering a message sends it as it parks.
    if (scheduler::currentProcess() && wire->backlog.size() - wire->written < kCorkBytes) {
      if (!wire->corked) {
        wire->corked = true;
        if (corkedWires().empty()) scheduler::flushAtSwitch(&writeCorked);
        corkedWires().push_back(wire);
      }
      return;
    }
  }
  write(*wire);
}

void ErlangNode::write(Wire& wire) {
  bool left;
  {
    std::lock_guard lock(wire.lock);
    wire.corked = false;
    wire.flush();
    left = wire.waiting();
  }
  if (left) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(wake_fd_, &one, sizeof one);
  }
}

void writeCorked() {
  for (const std::shared_ptr<Wire>& wire : corkedWires()) the_node->write(*wire);
  corkedWires().clear();
}

bool ErlangNode::sendData(NodeId node, ProcessId process, const Process& caller, const Message& message) {
  std::shared_ptr<Wire> wire;
  // The control message {2, '', To}, then the message's head: {Tag, <<Data>>, From} up to
  // the data, each term after its version byte.
  std::string head;
  head.reserve(256);  // two pids of usual node names, and a few bytes
  head += {kVersionMagic, char(ERL_SMALL_TUPLE_EXT), 3, char(ERL_SMALL_INTEGER_EXT), char(ERL_SEND),
           char(ERL_SMALL_ATOM_UTF8_EXT), 0};
  {
    std::lock_guard lock(mutex_);
    auto peer = peers_.find(node);
    if (peer == peers_.end() || !peer->second.wire) return false;
    wire = peer->second.wire;
    appendPid(&head, peer->second.name_atom, peer->second.creation, process);
  }
  head += {kVersionMagic, char(ERL_SMALL_TUPLE_EXT), 3};
  char tag[16];
  int tag_bytes = 0;
  ei_encode_longlong(tag, &tag_bytes, message.tag);
  head.append(tag, size_t(tag_bytes));
  uint32_t size = uint32_t(message.data.size());
  head += {char(ERL_BINARY_EXT), char(size >> 24), char(size >> 16), char(size >> 8), char(size)};
  size_t data_at = head.size();
  appendPid(&head, name_atom_, creation_, caller.id);  // From, which goes after the data
  uint32_t length = uint32_t(1 + head.size() + size);
  const char prefix[5] = {char(length >> 24), char(length >> 16), char(length >> 8), char(length), ERL_PASS_THROUGH};
  std::string_view parts(head);
  queueBytes(wire, {std::string_view(prefix, sizeof prefix), parts.substr(0, data_at),
                    std::string_view(reinterpret_cast<const char*>(message.data.data()), size), parts.substr(data_at)});
  return true;
}

std::string ErlangNode::dataTerm(const Process& caller, const Message& message) const {
  Term term;
  term.tuple(3).integer(message.tag);
  term.binary({reinterpret_cast<const char*>(message.data.data()), message.data.size()});
  term.pid(ourPid(caller.id));
  return term.bytes();
}

Outcome ErlangNode::send(Process& caller, NodeId node, ProcessId process, MessagePtr message) {
  if (!sendData(node, process, caller, *message)) return Outcome::NoSuchNode;
  caller.countSent(message->data.size());
  return Outcome::Done;
}

Outcome ErlangNode::sendToName(Process& caller, NodeId node, std::string_view name, MessagePtr message) {
  if (!isPeer(node)) return Outcome::NoSuchNode;
  if (name.empty() || name.size() >= MAXATOMLEN || name == kControlName) return Outcome::NoSuchProcess;
  caller.countSent(message->data.size());
  return sendFrame(node, name, 0, dataTerm(caller, *message)) ? Outcome::Done : Outcome::NoSuchNode;
}

void ErlangNode::await(Process& caller, const std::shared_ptr<Pending>& pending, uint64_t request_id,
                       const Term& request) {
  {
    std::lock_guard lock(mutex_);
    pending_.emplace(request_id, pending);
  }
  control(pending->node, request);
  uint64_t deadline = nowNanoseconds() + kRequestTimeoutNs;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (pending->done) break;
      if (nowNanoseconds() >= deadline) {
        pending->done = true;
        pending->code = kSpawnFailed;
        pending->error = "the node did not answer in time";
        break;
      }
    }
    // Not killable while parked: the thread may wake it any time until it leaves pending_.
    caller.wait_reason = WaitReason::Io;
    caller.parkUntil(deadline, false);
  }
  std::lock_guard lock(mutex_);
  pending_.erase(request_id);
}

void ErlangNode::answer(uint64_t request_id, int64_t code, uint64_t value, std::string error) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(request_id);
  if (it == pending_.end() || it->second->done) return;
  Pending& p = *it->second;
  p.done = true;
  p.code = code;
  p.value = value;
  p.error = std::move(error);
  p.waiter->wake();
}

Outcome ErlangNode::spawn(Process& caller, NodeId node, const cluster::RemoteSpawn& request, ProcessId* id,
                          std::string* error) {
  uint64_t request_id;
  {
    std::lock_guard lock(mutex_);
    auto it = peers_.find(node);
    if (it == peers_.end() || !it->second.ours) return Outcome::NoSuchNode;
    const std::vector<uint64_t>& modules = it->second.modules;
    if (std::find(modules.begin(), modules.end(), request.module_id) == modules.end()) {
      *error = "Module does not exist. Node " + it->second.name + " has no module " +
               std::to_string(request.module_id) + ": it runs a different build of the program.";
      return Outcome::NoSuchModule;
    }
    request_id = next_request_++;
  }
  const Capabilities& config = *request.config;
  uint64_t flags = (config.can_spawn_processes ? kSpawnProcesses : 0) | (config.can_create_configs ? kCreateConfigs : 0) |
                   (config.can_compile_modules ? kCompileModules : 0) | (config.can_listen ? kListen : 0) |
                   (config.can_connect ? kConnect : 0) | (config.can_spawn_on_nodes ? kSpawnOnNodes : 0);
  Term term;
  term.tuple(7).atom("spawn").unsignedInteger(request_id).unsignedInteger(request.module_id);
  term.binary(request.function).binary(request.params);
  term.tuple(4).unsignedInteger(config.max_memory).unsignedInteger(config.max_fuel);
  term.unsignedInteger(config.max_host_memory).unsignedInteger(flags);
  term.pid(ourPid(caller.id));
  auto pending = std::make_shared<Pending>(&caller, node);
  await(caller, pending, request_id, term);
  if (pending->code == 0) {
    *id = pending->value;
    return Outcome::Done;
  }
  *error = pending->error;
  return pending->code == kNoModule ? Outcome::NoSuchModule : Outcome::Unreachable;
}

Outcome ErlangNode::exists(Process& caller, NodeId node, ProcessId process, bool* exists) {
  uint64_t request_id;
  erlang_pid target;
  if (!peerPid(node, process, &target)) return Outcome::NoSuchNode;
  {
    std::lock_guard lock(mutex_);
    request_id = next_request_++;
  }
  Term term;
  term.tuple(4).atom("exists").unsignedInteger(request_id).pid(target).pid(ourPid(caller.id));
  auto pending = std::make_shared<Pending>(&caller, node);
  await(caller, pending, request_id, term);
  if (pending->code != 0) return Outcome::Unreachable;
  *exists = pending->value != 0;
  return Outcome::Done;
}

ProcessId ErlangNode::addEnd(const RemoteEnd& end) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(end.local, end.node, end.remote, end.kind);
  if (auto it = end_index_.find(key); it != end_index_.end()) return 0;  // there already
  ProcessId ref = kRemoteEndBit | next_end_++;
  ends_.emplace(ref, end);
  end_index_.emplace(key, ref);
  return ref;
}

std::optional<RemoteEnd> ErlangNode::takeEnd(ProcessId local, NodeId node, ProcessId remote, EndKind kind,
                                             ProcessId* ref) {
  std::lock_guard lock(mutex_);
  auto it = end_index_.find(std::make_tuple(local, node, remote, kind));
  if (it == end_index_.end()) return std::nullopt;
  *ref = it->second;
  end_index_.erase(it);
  auto end = ends_.extract(*ref);
  return end.mapped();
}

void ErlangNode::link(Process& caller, NodeId node, ProcessId process, int64_t tag) {
  erlang_pid remote;
  if (!peerPid(node, process, &remote)) return linkFailed(caller, process, tag);
  ProcessId ref = addEnd({caller.id, node, process, EndKind::Link, tag});
  if (ref == 0) return;
  {
    std::lock_guard lock(caller.lock);
    caller.links.emplace_back(ref, tag);
  }
  Term term;
  term.tuple(4).atom("link").pid(ourPid(caller.id)).pid(remote).integer(tag);
  control(node, term);
}

// The connection is gone: what is sent to it from now on is dropped.
void closeWire(Wire& wire) {
  std::lock_guard lock(wire.lock);
  wire.fd = -1;
  wire.drop();
}

// Takes `ref` out of p's links or monitored_by; false if it was not there.
bool dropEnd(Process& p, ProcessId ref, bool as_link) {
  std::lock_guard lock(p.lock);
  if (as_link) return std::erase_if(p.links, [&](auto& l) { return l.first == ref; }) != 0;
  return std::erase(p.monitored_by, ref) != 0;
}

void ErlangNode::unlink(Process& caller, NodeId node, ProcessId process) {
  ProcessId ref;
  if (!takeEnd(caller.id, node, process, EndKind::Link, &ref)) return;
  dropEnd(caller, ref, true);
  erlang_pid remote;
  if (!peerPid(node, process, &remote)) return;
  Term term;
  term.tuple(3).atom("unlink").pid(ourPid(caller.id)).pid(remote);
  control(node, term);
}

void ErlangNode::monitor(Process& caller, NodeId node, ProcessId process) {
  erlang_pid remote;
  if (!peerPid(node, process, &remote)) return tellProcessDied(caller, process);
  if (addEnd({caller.id, node, process, EndKind::Watched, 0}) == 0) return;
  Term term;
  term.tuple(3).atom("monitor").pid(ourPid(caller.id)).pid(remote);
  control(node, term);
}

void ErlangNode::stopMonitoring(Process& caller, NodeId node, ProcessId process) {
  ProcessId ref;
  if (!takeEnd(caller.id, node, process, EndKind::Watched, &ref)) return;
  erlang_pid remote;
  if (!peerPid(node, process, &remote)) return;
  Term term;
  term.tuple(3).atom("demonitor").pid(ourPid(caller.id)).pid(remote);
  control(node, term);
}

void ErlangNode::remoteEndOf(const Process& ended, ProcessId ref) {
  RemoteEnd end;
  {
    std::lock_guard lock(mutex_);
    auto it = ends_.find(ref);
    if (it == ends_.end()) return;
    end = it->second;
    end_index_.erase(std::make_tuple(end.local, end.node, end.remote, end.kind));
    ends_.erase(it);
  }
  erlang_pid remote;
  if (!peerPid(end.node, end.remote, &remote)) return;
  if (end.erlang) {
    // Erlang's exit signal, with the reason an Erlang process sees (docs/abi.md).
    const char* reason = !ended.death.failed ? "normal" : ended.death.trap == kKilledKind ? "killed" : "failed";
    Term term;
    term.tuple(4).integer(ERL_EXIT).pid(ourPid(ended.id)).pid(remote).atom(reason);
    signal(end.node, term);
    return;
  }
  Term term;
  if (end.kind == EndKind::Link) {
    term.tuple(4).atom("exit").pid(ourPid(ended.id)).pid(remote).integer(ended.death.failed ? 1 : 0);
  } else {
    term.tuple(3).atom("down").pid(ourPid(ended.id)).pid(remote);
  }
  control(end.node, term);
}

void remoteEndHook(const Process& ended, ProcessId ref, bool) { the_node->remoteEndOf(ended, ref); }

// --- The distribution thread ----------------------------------------------------

void ErlangNode::run() {
  std::vector<pollfd> fds;
  std::vector<uint64_t> writing;  // the serial of each connection in fds after the first two
  std::vector<Posted> posted;
  for (;;) {
    uint64_t now = nowNanoseconds();
    tick(now);
    if (!joins_left_.empty() && now >= next_join_try_) {
      std::vector<std::string> joins = std::move(joins_left_);
      joins_left_.clear();
      for (const std::string& name : joins) {
        if (!connectionByName(name)) connectTo(name, next_join_try_ != 0);
        if (!connectionByName(name)) joins_left_.push_back(name);
      }
      next_join_try_ = nowNanoseconds() + kJoinRetryNs;
    }
    fds.clear();
    writing.clear();
    fds.push_back({listen_fd_, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    for (const Connection& c : connections_) {
      std::lock_guard lock(c.wire->lock);
      if (!c.wire->waiting() || c.wire->corked) continue;
      fds.push_back({c.fd, POLLOUT, 0});
      writing.push_back(c.serial);
    }
    // Ticks are checked at least eight times a tick time, so a silent node is seen within
    // an eighth of it past the tick time.
    int timeout_ms = int(std::max(50u, options_.tick_seconds * 1000 / 8));
    if (!joins_left_.empty()) timeout_ms = std::min(timeout_ms, 1000);
    if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
      log::error(std::string("distribution: poll failed: ") + std::strerror(errno));
      return;
    }
    if (fds[1].revents) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
      {
        std::lock_guard lock(inbox_mutex_);
        posted.swap(inbox_);
      }
      for (Posted& p : posted) onPosted(p);
      posted.clear();
    }
    if (fds[0].revents & POLLIN) accept();
    for (size_t i = 2; i < fds.size(); ++i) {
      // A connection in error is also flushed: the write fails, and its reader sees the end.
      if (!fds[i].revents) continue;
      if (Connection* c = connectionBySerial(writing[i - 2])) {
        std::lock_guard lock(c->wire->lock);
        c->wire->flush();
      }
    }
  }
}

ErlangNode::Connection* ErlangNode::connectionBySerial(uint64_t serial) {
  auto it = std::find_if(connections_.begin(), connections_.end(),
                         [&](const Connection& c) { return c.serial == serial; });
  return it == connections_.end() ? nullptr : &*it;
}

ErlangNode::Connection* ErlangNode::connectionByName(std::string_view name) {
  auto it =
      std::find_if(connections_.begin(), connections_.end(), [&](const Connection& c) { return c.name == name; });
  return it == connections_.end() ? nullptr : &*it;
}

void ErlangNode::tick(uint64_t now) {
  uint64_t tick_ns = uint64_t(options_.tick_seconds) * 1'000'000'000;
  for (Connection& c : connections_) {
    if (!c.ended_because.empty()) continue;  // its reader is stopping
    if (now - c.wire->heard_ns.load(std::memory_order_relaxed) > tick_ns) {
      // Its reader sees the end at once and reports it (lost), which says why.
      c.ended_because = "not heard from for the tick time";
      ::shutdown(c.fd, SHUT_RDWR);
    } else if (now - c.wire->sent_ns.load(std::memory_order_relaxed) > tick_ns / 4) {
      // A tick is an empty frame: four zero bytes of length.
      c.wire->sent_ns.store(now, std::memory_order_relaxed);
      queueBytes(c.wire, {std::string_view("\0\0\0\0", 4)});
    }
  }
}

void ErlangNode::connectTo(const std::string& name, bool quiet) {
  int fd = ei_connect_tmo(&ec_, const_cast<char*>(name.c_str()), kConnectTimeoutMs);
  if (fd < 0) {
    if (!quiet) {
      log::warn("distribution: cannot connect to node " + name +
                (erl_errno == EIO ? ": the handshake failed (a wrong cookie?)" : std::string(": ") + std::strerror(erl_errno)));
    }
    return;
  }
  adopt(name, fd, true);
}

void ErlangNode::accept() {
  ErlConnect peer;
  int fd = ei_accept_tmo(&ec_, listen_fd_, &peer, kConnectTimeoutMs);
  if (fd < 0) {
    log::warn(std::string("distribution: refused a connection: the handshake failed (a wrong cookie, or not a node): ") +
              std::strerror(erl_errno));
    return;
  }
  adopt(peer.nodename, fd, false);
}

void ErlangNode::adopt(const std::string& name, int fd, bool we_connected) {
  if (Connection* existing = connectionByName(name)) {
    // Both nodes connected at once. Both keep the connection the node with the smaller name
    // made, so they agree without a word.
    bool keep_new = we_connected == (options_.name < name);
    if (!keep_new) {
      ei_close_connection(fd);
      return;
    }
    // The old one's reader stops and reports it (lost), which then only closes it.
    closeWire(*existing->wire);
    ::shutdown(existing->fd, SHUT_RDWR);
    existing->fd = fd;
    existing->we_connected = we_connected;
    existing->serial = next_serial_++;
    existing->wire = std::make_shared<Wire>(fd);
    existing->wire->sent_ns = existing->wire->heard_ns = nowNanoseconds();
    {
      std::lock_guard lock(mutex_);
      peers_[existing->id].wire = existing->wire;
    }
    if (startReader(*existing)) sayHello(*existing);
    return;
  }
  auto wire = std::make_shared<Wire>(fd);
  wire->sent_ns = wire->heard_ns = nowNanoseconds();
  connections_.push_back({name, nodeIdOf(name), fd, we_connected, next_serial_++, wire, {}});
  {
    std::lock_guard lock(mutex_);
    PeerView& peer = peers_[nodeIdOf(name)];
    peer.name = name;
    peer.name_atom = encodedAtom(name);
    peer.wire = wire;
  }
  log::write(log::Level::Info, "node_connected", 0, "connected to node " + name);
  if (startReader(connections_.back())) sayHello(connections_.back());
}

bool ErlangNode::startReader(const Connection& c) {
  auto in = std::make_shared<Inbound>(Inbound{c.id, c.name, c.serial, c.fd, c.wire});
  std::string error;
  if (spawnHostTask([this, in] { read(*in); }, &error)) return true;
  log::error("distribution: cannot read the connection to node " + c.name + ": " + error);
  closeWire(*c.wire);
  lost({c.serial, c.fd, true, "no reader could start"});
  return false;
}

void ErlangNode::sayHello(Connection& c) {
  Term term;
  std::vector<uint64_t> modules = ourModules();
  term.tuple(5).atom("hello").integer(kProtocolVersion).pid(ourPid(0));
  std::vector<std::string> known;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, peer] : peers_) {
      if (peer.ours) known.push_back(peer.name);
    }
  }
  if (!known.empty()) term.list(long(known.size()));
  for (const std::string& name : known) term.atom(name.c_str());
  term.endList();
  if (!modules.empty()) term.list(long(modules.size()));
  for (uint64_t id : modules) term.unsignedInteger(id);
  term.endList();
  control(c.id, term);
}

void ErlangNode::read(Inbound& in) {
  // One read takes what has arrived, however many frames, and delivers them all: each
  // receiver is woken once, on this worker, however many messages it got.
  std::string input;
  size_t have = 0;  // bytes of input read and not yet a whole frame
  std::string why;
  for (;;) {
    if (input.size() < have + kReadBytes) input.resize(have + kReadBytes);
    iovec into{input.data() + have, kReadBytes};
    int64_t n = io::recv(in.fd, {&into, 1}, 0);
    if (n <= 0) {
      why = n == 0 ? "the connection closed" : std::string("reading failed: ") + std::strerror(int(-n));
      break;
    }
    in.wire->heard_ns.store(nowNanoseconds(), std::memory_order_relaxed);
    have += size_t(n);
    size_t at = 0;
    while (have - at >= 4) {
      const auto* bytes = reinterpret_cast<const uint8_t*>(input.data() + at);
      uint32_t length = uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | bytes[3];
      if (length > kMaxFrameBytes) {
        why = "it sent a frame of " + std::to_string(length) + " bytes";
        break;
      }
      if (have - at - 4 < length) break;
      if (length > 0) onFrame(in, std::string_view(input.data() + at + 4, length));  // a tick is empty
      at += 4 + length;
    }
    if (!why.empty()) break;
    std::memmove(input.data(), input.data() + at, have - at);
    have -= at;
    if (have == 0 && input.size() > 4 * kReadBytes) input = std::string();  // after a huge frame
    // The receivers it woke run first: a peer that keeps sending must not keep them waiting
    // while their mailboxes grow.
    if (scheduler::othersWaiting()) scheduler::currentProcess()->suspend(Switch::Yield, false);
  }
  closeWire(*in.wire);
  post({in.serial, in.fd, true, std::move(why)});
}

void ErlangNode::onFrame(Inbound& in, std::string_view frame) {
  FrameHeader h;
  if (!readHeader(frame, &h)) {
    return log::write(log::Level::Debug, "distribution", 0, "dropped a frame from " + in.name + " it cannot read");
  }
  if (h.type != ERL_SEND && h.type != kSendSender && h.type != ERL_REG_SEND) {
    // Handled here, not by the thread, so that they keep their order with the messages.
    return onSignal(in, frame, h);
  }
  if (h.from.node[0]) learnCreation(h.from);
  TermReader message(frame.data(), h.message);
  if (h.type != ERL_REG_SEND) {
    if (options_.name == h.to.node) onData(in, processIdOf(h.to), message);
  } else if (std::strcmp(h.name, kControlName) == 0) {
    // Our protocol, which the thread speaks. A hello makes the messages behind it ours.
    int arity = 0;
    int64_t version = 0;
    std::string what;
    if (message.tuple(&arity) && arity == 5 && message.atom(&what) && what == "hello" && message.integer(&version) &&
        version == kProtocolVersion) {
      in.ours = true;
    }
    post({in.serial, in.fd, false, std::string(frame)});
  } else if (ProcessId target = registry::lookup(0, h.name)) {
    onData(in, target, message);
  } else {
    log::write(log::Level::Debug, "distribution", 0,
               std::string("dropped a message from ") + in.name + " to unknown name " + h.name);
  }
}

void ErlangNode::onSignal(const Inbound& in, std::string_view frame, const FrameHeader& h) {
  TermReader fields(frame.data(), h.control);
  erlang_pid from{}, to{};
  int64_t unlink_id = 0;
  bool ok;
  switch (h.type) {
    case ERL_LINK:    // {1, From, To}
    case ERL_UNLINK:  // {4, From, To}
      ok = h.arity == 3 && fields.pid(&from) && fields.pid(&to);
      break;
    case kUnlinkId:  // {35, Id, From, To}
      ok = h.arity == 4 && fields.integer(&unlink_id) && fields.pid(&from) && fields.pid(&to);
      break;
    case ERL_EXIT:  // {3, From, To, Reason}
      ok = h.arity == 4 && fields.pid(&from) && fields.pid(&to);
      break;
    default:
      ok = false;
  }
  if (!ok || options_.name != to.node) {
    return log::write(log::Level::Debug, "distribution", 0,
                      "ignored control message " + std::to_string(h.type) + " from " + in.name);
  }
  learnCreation(from);
  ProcessId remote = processIdOf(from), local = processIdOf(to);
  ProcessId ref = 0;
  if (h.type == ERL_LINK) {
    ProcessRef target = reachableProcess(local);
    bool linked = false;
    if (target) {
      ref = addEnd({local, in.id, remote, EndKind::Link, 0, true});
      std::lock_guard lock(target->lock);
      linked = ref == 0 || !target->dead;  // 0: linked already
      if (ref && linked) target->links.emplace_back(ref, 0);
    }
    if (!linked && ref) takeEnd(local, in.id, remote, EndKind::Link, &ref);
    if (!linked) {
      // Erlang's answer for a process that does not exist.
      Term exit;
      exit.tuple(4).integer(ERL_EXIT).pid(to).pid(from).atom("noproc");
      signal(in.id, exit);
    }
  } else if (h.type == ERL_EXIT) {
    // The linked Erlang process ended: ours fails with it unless it ended normally.
    std::string reason;
    bool normal = fields.atom(&reason) && reason == "normal";
    std::optional<RemoteEnd> end = takeEnd(local, in.id, remote, EndKind::Link, &ref);
    if (!end) return;
    ProcessRef target = findProcess(local);
    if (target && dropEnd(*target.get(), ref, true) && !normal) linkFailed(*target.get(), remote, end->tag);
  } else {
    if (takeEnd(local, in.id, remote, EndKind::Link, &ref)) {
      if (ProcessRef target = findProcess(local)) dropEnd(*target.get(), ref, true);
    }
    if (h.type == kUnlinkId) {
      Term ack;
      ack.tuple(4).integer(kUnlinkIdAck).integer(unlink_id).pid(to).pid(from);
      signal(in.id, ack);
    }
  }
}

void ErlangNode::post(Posted posted) {
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back(std::move(posted));
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

void ErlangNode::onPosted(Posted& posted) {
  if (posted.closed) return lost(posted);
  Connection* c = connectionBySerial(posted.serial);
  FrameHeader h;
  if (!c || !readHeader(posted.frame, &h)) return;  // a connection replaced since
  TermReader in(posted.frame.data(), h.message);
  onControl(*c, in);
}

void ErlangNode::learnCreation(const erlang_pid& pid) {
  std::lock_guard lock(mutex_);
  auto it = peers_.find(nodeIdOf(pid.node));
  if (it != peers_.end() && it->second.creation == 0) it->second.creation = pid.creation;
}

void ErlangNode::onData(const Inbound& from_node, ProcessId target, TermReader in) {
  int arity = 0;
  auto m = std::make_unique<Message>();
  erlang_pid from;  // filled in by in.pid if there is one
  bool has_from = false;
  if (!in.tuple(&arity) || (arity != 2 && arity != 3) || !in.integer(&m->tag) || !in.binary(&m->data) ||
      (arity == 3 && !(has_from = in.pid(&from)))) {
    log::write(log::Level::Warn, "distribution", target,
               "dropped a message from node " + from_node.name + ": not {Tag, Binary} or {Tag, Binary, Pid}");
    return;
  }
  if (has_from && !from_node.ours) {
    learnCreation(from);
    // An Erlang process's reply-to goes in front of the data: 8 bytes of node id, 8 of
    // process id, as lunatic-rs puts a Process in a message (docs/abi.md).
    uint64_t header[2] = {nodeIdOf(from.node), processIdOf(from)};
    m->data.insert(m->data.begin(), reinterpret_cast<uint8_t*>(header), reinterpret_cast<uint8_t*>(header) + 16);
  }
  if (ProcessRef process = reachableProcess(target)) process->deliver(std::move(m));
}

void ErlangNode::onControl(Connection& c, TermReader& in) {
  int arity = 0;
  std::string what;
  if (!in.tuple(&arity) || !in.atom(&what)) return;
  erlang_pid a, b;
  if (what == "hello" && arity == 5) return onHello(c, in);
  if (what == "spawn" && arity == 7) return onSpawn(c, in);
  if (what == "reply" && arity == 5) {
    uint64_t request_id, value = 0;
    int64_t code;
    std::string error;
    if (in.unsignedInteger(&request_id) && in.integer(&code) && in.unsignedInteger(&value) && in.binary(&error)) {
      answer(request_id, code, value, std::move(error));
    }
    return;
  }
  if (what == "exists" && arity == 4) {
    uint64_t request_id;
    if (!in.unsignedInteger(&request_id) || !in.pid(&a) || !in.pid(&b)) return;
    Term reply;
    reply.tuple(5).atom("reply").unsignedInteger(request_id).integer(0);
    reply.unsignedInteger(reachableProcess(processIdOf(a)) ? 1 : 0).binary("");
    control(c.id, reply);
    return;
  }
  if (arity < 3 || !in.pid(&a) || !in.pid(&b)) return;
  ProcessId remote = processIdOf(a), local = processIdOf(b);
  ProcessId ref;
  if (what == "link" && arity == 4) {
    int64_t tag;
    if (!in.integer(&tag)) return;
    ProcessRef target = reachableProcess(local);
    bool linked = false;
    if (target && (ref = addEnd({local, c.id, remote, EndKind::Link, tag})) != 0) {
      std::lock_guard lock(target->lock);
      if (!target->dead) {
        target->links.emplace_back(ref, tag);
        linked = true;
      }
    }
    if (!linked && target && ref) takeEnd(local, c.id, remote, EndKind::Link, &ref);
    if (!linked) {
      // A link to a process that is gone fails at once, as locally.
      Term reply;
      reply.tuple(4).atom("exit").pid(b).pid(a).integer(1);
      control(c.id, reply);
    }
  } else if (what == "unlink") {
    if (!takeEnd(local, c.id, remote, EndKind::Link, &ref)) return;
    if (ProcessRef target = findProcess(local)) dropEnd(*target.get(), ref, true);
  } else if (what == "exit" && arity == 4) {
    int64_t failed;
    if (!in.integer(&failed)) return;
    std::optional<RemoteEnd> end = takeEnd(local, c.id, remote, EndKind::Link, &ref);
    if (!end) return;
    ProcessRef target = findProcess(local);
    if (target && dropEnd(*target.get(), ref, true) && failed) linkFailed(*target.get(), remote, end->tag);
  } else if (what == "monitor") {
    ProcessRef target = reachableProcess(local);
    bool watching = false;
    if (target && (ref = addEnd({local, c.id, remote, EndKind::Watcher, 0})) != 0) {
      std::lock_guard lock(target->lock);
      if (!target->dead) {
        target->monitored_by.push_back(ref);
        watching = true;
      }
    }
    if (!watching && target && ref) takeEnd(local, c.id, remote, EndKind::Watcher, &ref);
    if (!watching) {
      Term reply;
      reply.tuple(3).atom("down").pid(b).pid(a);
      control(c.id, reply);
    }
  } else if (what == "demonitor") {
    if (!takeEnd(local, c.id, remote, EndKind::Watcher, &ref)) return;
    if (ProcessRef target = findProcess(local)) dropEnd(*target.get(), ref, false);
  } else if (what == "down") {
    if (!takeEnd(local, c.id, remote, EndKind::Watched, &ref)) return;
    if (ProcessRef watcher = findProcess(local)) tellProcessDied(*watcher.get(), remote);
  }
}

void ErlangNode::onHello(Connection& c, TermReader& in) {
  int64_t version;
  erlang_pid self;
  int count = 0;
  if (!in.integer(&version) || !in.pid(&self) || !in.list(&count)) return;
  if (version != kProtocolVersion) {
    log::warn("distribution: node " + c.name + " speaks protocol " + std::to_string(version) + ", not " +
              std::to_string(kProtocolVersion) + ": it is not one of ours");
    return;
  }
  std::vector<std::string> known;
  for (int i = 0; i < count; ++i) {
    std::string name;
    if (!in.atom(&name)) return;
    known.push_back(std::move(name));
  }
  if (count > 0 && !in.list(&count)) return;  // the tail
  if (!in.list(&count)) return;
  std::vector<uint64_t> modules;
  for (int i = 0; i < count; ++i) {
    uint64_t id;
    if (!in.unsignedInteger(&id)) return;
    modules.push_back(id);
  }
  bool first;
  {
    std::lock_guard lock(mutex_);
    PeerView& peer = peers_[c.id];
    first = !peer.ours;
    peer.ours = true;
    peer.creation = self.creation;
    peer.modules = std::move(modules);
  }
  learnCreation(self);
  if (first) {
    std::vector<uint64_t> ours = ourModules();
    bool shared = false;
    for (uint64_t id : ours) {
      std::lock_guard lock(mutex_);
      const std::vector<uint64_t>& theirs = peers_[c.id].modules;
      shared = shared || std::find(theirs.begin(), theirs.end(), id) != theirs.end();
    }
    if (!shared) {
      log::warn("distribution: node " + c.name +
                " runs a different build of the program: spawning on it (or from it here) is refused");
    }
    // Tell the others of it, so that they connect as a full mesh does.
    for (Connection& other : connections_) {
      if (other.serial != c.serial) sayHello(other);
    }
  }
  // Of two nodes that learn of each other, the one with the smaller name connects.
  for (const std::string& name : known) {
    if (name != options_.name && !connectionByName(name) && options_.name < name) connectTo(name, false);
  }
}

void ErlangNode::onSpawn(Connection& c, TermReader& in) {
  uint64_t request_id, module, max_memory, max_fuel, max_host_memory, flags;
  std::string function, params;
  int arity;
  erlang_pid spawner;
  if (!in.unsignedInteger(&request_id) || !in.unsignedInteger(&module) || !in.binary(&function) ||
      !in.binary(&params) || !in.tuple(&arity) || arity != 4 || !in.unsignedInteger(&max_memory) ||
      !in.unsignedInteger(&max_fuel) || !in.unsignedInteger(&max_host_memory) || !in.unsignedInteger(&flags) ||
      !in.pid(&spawner)) {
    return;
  }
  auto reply = [&](int64_t code, uint64_t value, std::string_view error) {
    Term term;
    term.tuple(5).atom("reply").unsignedInteger(request_id).integer(code).unsignedInteger(value).binary(error);
    control(c.id, term);
  };
  const lunatic_module* descriptor = moduleById(module);
  if (!descriptor) return reply(kNoModule, 0, "Module does not exist.");
  std::string error;
  SpawnRequest request;
  request.image = ModuleImage::of(descriptor, &error);
  if (!request.image) return reply(kSpawnFailed, 0, error);
  request.function = function.data();
  request.function_length = function.size();
  if (!api::decodeParams(params, request)) return reply(kSpawnFailed, 0, "malformed parameters");
  // What the spawner asked for, within what this node gives any process.
  Capabilities& caps = request.capabilities;
  caps.max_memory = max_memory;
  caps.max_fuel = max_fuel;
  caps.max_host_memory = max_host_memory;
  caps.can_spawn_processes = flags & kSpawnProcesses;
  caps.can_create_configs = flags & kCreateConfigs;
  caps.can_compile_modules = flags & kCompileModules;
  caps.can_listen = flags & kListen;
  caps.can_connect = flags & kConnect;
  caps.can_spawn_on_nodes = flags & kSpawnOnNodes;
  Capabilities limit;
  limit.can_spawn_on_nodes = true;
  caps.narrowTo(limit);
  ProcessRef child = spawnProcess(std::move(request), &error);
  if (!child) return reply(kSpawnFailed, 0, error);
  log::write(log::Level::Debug, "remote_spawn", child->id,
             "node " + c.name + " spawned process " + std::to_string(child->id) + " (" + function + ")");
  reply(0, child->id, "");
}

void ErlangNode::lost(const Posted& closed) {
  ei_close_connection(closed.fd);
  auto it = std::find_if(connections_.begin(), connections_.end(),
                         [&](const Connection& c) { return c.serial == closed.serial; });
  if (it == connections_.end()) return;  // one replaced by a newer connection to its node
  std::string name = it->name;
  NodeId node = it->id;
  std::string why = it->ended_because.empty() ? closed.frame : it->ended_because;
  closeWire(*it->wire);
  connections_.erase(it);
  log::write(log::Level::Warn, "node_down", 0, "node " + name + " is down: " + why);
  nodeDown(node);
}

void ErlangNode::nodeDown(NodeId node) {
  std::vector<std::pair<ProcessId, RemoteEnd>> ends;
  {
    std::lock_guard lock(mutex_);
    peers_.erase(node);
    for (auto it = ends_.begin(); it != ends_.end();) {
      if (it->second.node != node) {
        ++it;
        continue;
      }
      ends.emplace_back(it->first, it->second);
      end_index_.erase(std::make_tuple(it->second.local, node, it->second.remote, it->second.kind));
      it = ends_.erase(it);
    }
    for (auto& [id, pending] : pending_) {
      if (pending->node != node || pending->done) continue;
      pending->done = true;
      pending->code = kSpawnFailed;
      pending->error = "the node went down";
      pending->waiter->wake();
    }
  }
  // Every link to its processes fails and every monitor of them fires, as in Erlang
  // (noconnection).
  for (auto& [ref, end] : ends) {
    ProcessRef local = findProcess(end.local);
    if (!local) continue;
    switch (end.kind) {
      case EndKind::Link:
        if (dropEnd(*local.get(), ref, true)) linkFailed(*local.get(), end.remote, end.tag);
        break;
      case EndKind::Watched: tellProcessDied(*local.get(), end.remote); break;
      case EndKind::Watcher: dropEnd(*local.get(), ref, false); break;
    }
  }
}

}  // namespace

bool startNode(const NodeOptions& options, std::string* error) {
  static std::unique_ptr<ErlangNode> node;  // lives as long as the program
  node = std::make_unique<ErlangNode>(options);
  if (!node->start(error)) return false;
  the_node = node.get();
  cluster::setLocalNodeId(node->localNode());
  setRemoteEndHook(remoteEndHook);
  return true;
}

}  // namespace lunatic::rt::distributed

namespace lunatic::rt::cluster {

Cluster& current() { return distributed::the_node ? *distributed::the_node : none(); }

}  // namespace lunatic::rt::cluster
