// The listener, the connections it keeps and draining (server.h).
#include "runtime/serve/server.h"

#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <vector>

#include <http_parser.h>

#include "runtime/io/io.h"
#include "runtime/process/scheduler.h"
#include "runtime/serve/connection.h"
#include "runtime/main/executable.h"
#include "runtime/main/listener.h"
#include "runtime/process/host_task.h"
#include "runtime/serve/program.h"

namespace lunatic::rt::serve {
namespace {

// The listen backlog asked for, unless the kernel allows more (net.core.somaxconn). Below
// kFewestPending, clients arriving together overflow it: the kernel then drops their
// handshakes, and they try again only after a second.
constexpr uint64_t kBacklog = 4096, kFewestPending = 1024;
constexpr uint64_t kMillisecond = 1'000'000;
// Out of descriptors, the listener waits before it tries again (unless a connection closes
// first): from the first time to the most.
constexpr uint64_t kFirstRetryNs = 10 * kMillisecond, kLastRetryNs = 1'000 * kMillisecond;
// At the cap with every connection busy, it looks again this often for one gone idle.
constexpr uint64_t kFullRecheckNs = 100 * kMillisecond;

// The kernel's cap on a listen backlog; 0 if unknown (no /proc, as in an empty root: the
// listener then asks for kBacklog, which the kernel trims to its cap).
uint64_t backlogCap() {
  unsigned long long cap = 0;
  if (FILE* f = std::fopen("/proc/sys/net/core/somaxconn", "r")) {
    if (std::fscanf(f, "%llu", &cap) != 1) cap = 0;
    std::fclose(f);
  }
  return cap;
}

}  // namespace

Server::Server(const ServeOptions& options, ModuleImage* program, std::string entry, wasi::WasiConfigPtr view)
    : options_(options), program_(program), entry_(std::move(entry)), view_(std::move(view)), server_log_(2) {}

Server::~Server() {
  if (listener_ >= 0) close(listener_);
  access_log_.reset();
  if (access_log_fd_ > 2) close(access_log_fd_);
}

std::string Server::open() {
  if (options_.access_log == "-") {
    access_log_fd_ = 1;
  } else if (options_.access_log != "off") {
    access_log_fd_ = ::open(options_.access_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (access_log_fd_ < 0) return "cannot open the access log " + options_.access_log + ": " + std::strerror(errno);
  }
  access_log_ = std::make_unique<LogWriter>(access_log_fd_);
  const uint64_t descriptors = descriptorLimit();
  if (options_.max_connections == 0) {
    // The other half of the descriptors is for the programs' files and the server's own.
    options_.max_connections = std::max<uint64_t>(1, std::min(kDefaultMaxConnections, descriptors / 2));
  } else if (options_.max_connections >= descriptors) {
    server_log_.write("lunatic: warning: --max-connections " + std::to_string(options_.max_connections) +
                      " is more than the descriptor limit (" + std::to_string(descriptors) +
                      ") allows: past that, connections wait");
  }
  if (uint64_t cap = backlogCap(); cap && cap < kFewestPending) {
    server_log_.write("lunatic: warning: net.core.somaxconn is " + std::to_string(cap) +
                      ": more clients than that arriving at once lose their handshake and retry a second later"
                      " (sysctl net.core.somaxconn=4096)");
  }
  // A request line and headers longer than this stop the parser with HPE_HEADER_OVERFLOW: 431.
  http_parser_set_max_header_size(options_.max_header_bytes);
  std::string error;
  const int backlog = int(std::min<uint64_t>(std::max(kBacklog, backlogCap()), INT_MAX));
  listener_ = bindListener({options_.listen_host, options_.listen_port}, backlog, &error);
  if (listener_ < 0) return error;
  // The port the system chose for port 0, and the address as the CGI's SERVER_* give it.
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &length);
  char host[INET6_ADDRSTRLEN];
  const bool v6 = bound.ss_family == AF_INET6;
  const auto& v4_address = reinterpret_cast<const sockaddr_in&>(bound);
  const auto& v6_address = reinterpret_cast<const sockaddr_in6&>(bound);
  if (inet_ntop(bound.ss_family, v6 ? static_cast<const void*>(&v6_address.sin6_addr) : &v4_address.sin_addr, host,
                sizeof host)) {
    server_address_ = host;
    server_port_ = std::to_string(ntohs(v6 ? v6_address.sin6_port : v4_address.sin_port));
  }
  return {};
}

std::string Server::start() {
  {
    std::lock_guard guard(connections_lock_);
    acceptor_running_ = true;
  }
  std::string error;
  listener_task_ = spawnHostTask([this] { acceptConnections(); }, &error);
  if (!listener_task_) return "cannot start the listener: " + error;
  std::string where = server_address_.find(':') != std::string::npos ? "[" + server_address_ + "]" : server_address_;
  server_log_.write("lunatic: serving on http://" + where + ":" + server_port_ + "/");
  return {};
}

void Server::acceptConnections() {
  uint64_t retry_ns = 0;  // after failing for want of descriptors or memory; 0: it did not
  while (!draining()) {
    if (!roomForAnother()) continue;
    uint64_t closed_before = connections_closed_.load();
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int fd = io::accept(listener_, reinterpret_cast<sockaddr*>(&peer), &length);
    if (fd < 0) {
      if (draining()) break;
      if (fd == -EMFILE || fd == -ENFILE || fd == -ENOBUFS || fd == -ENOMEM) {
        // The connection stays in the backlog, and the listener readable: trying again at
        // once would spin. Idle connections give their descriptors back, and the listener
        // waits for one to close, or longer each time it tries in vain.
        accept_failed_line_.write(server_log_, std::string("lunatic: cannot accept a connection: ") + std::strerror(-fd));
        closeWaitingConnections(std::max<uint64_t>(1, open_connections_.load() / 64));
        retry_ns = std::clamp(retry_ns * 2, kFirstRetryNs, kLastRetryNs);
        awaitClosedConnection(closed_before, nowNanoseconds() + retry_ns);
      }
      continue;  // a connection that was reset before it was taken, and the like
    }
    retry_ns = 0;
    open_connections_.fetch_add(1);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // answers go out whole, at once
    std::string error;
    if (!spawnHostTask([this, fd, peer] { serveConnection(*this, fd, peer); }, &error)) {
      server_log_.write("lunatic: cannot serve a connection: " + error);
      ::close(fd);
      connectionClosed();
    }
  }
  std::lock_guard guard(connections_lock_);
  acceptor_running_ = false;
  connections_changed_.notify_all();
}

bool Server::roomForAnother() {
  const uint64_t cap = options_.max_connections;
  uint64_t closed_before = connections_closed_.load();
  if (open_connections_.load() < cap) return true;
  uint64_t deadline = nowNanoseconds() + kFullRecheckNs;
  if (open_connections_.load() - closing_for_room_.load() >= cap) {  // none on its way out yet
    // A batch, so that a flood of new connections costs a look at every connection only
    // now and then, not at each accept.
    size_t closed = closeWaitingConnections(std::max<uint64_t>(1, cap / 64));
    connections_full_line_.write(server_log_, "lunatic: --max-connections " + std::to_string(cap) + " reached: " +
                                                  (closed ? "closing the connections that waited longest for a request"
                                                          : "every connection is busy; new ones wait"));
  }
  awaitClosedConnection(closed_before, deadline);
  return false;
}

size_t Server::closeWaitingConnections(size_t most) {
  auto waiting = [](int state) { return state == ConnectionSlot::Idle || state == ConnectionSlot::Reading; };
  std::lock_guard guard(connections_lock_);
  std::vector<std::pair<uint64_t, ConnectionSlot*>> candidates;
  for (ConnectionSlot* slot : connections_) {
    if (waiting(slot->state.load())) candidates.emplace_back(slot->waiting_since_ns.load(), slot);
  }
  if (candidates.size() > most) {
    std::nth_element(candidates.begin(), candidates.begin() + ptrdiff_t(most), candidates.end());
    candidates.resize(most);
  }
  size_t closed = 0;
  for (auto& [since, slot] : candidates) {
    int state = slot->state.load();
    if (waiting(state) && slot->state.compare_exchange_strong(state, ConnectionSlot::Closing)) {
      slot->closed_for_room = true;
      shutdown(slot->fd, SHUT_RD);  // its receive ends; it answers 503 if a request was under way
      ++closed;
    }
  }
  closing_for_room_.fetch_add(closed);
  return closed;
}

void Server::awaitClosedConnection(uint64_t closed_before, uint64_t deadline_ns) {
  listener_awaits_close_.store(true);
  // A connection that closed before the flag was up did not wake the listener: no wait then.
  if (connections_closed_.load() == closed_before) scheduler::currentProcess()->parkUntil(deadline_ns);
  listener_awaits_close_.store(false);
}

void Server::connectionClosed() {
  open_connections_.fetch_sub(1);
  connections_closed_.fetch_add(1);
  if (listener_awaits_close_.exchange(false)) listener_task_->wake();
}

void Server::enter(ConnectionSlot* slot) {
  std::lock_guard guard(connections_lock_);
  connections_.insert(slot);
}

void Server::leave(ConnectionSlot* slot) {
  {
    std::lock_guard guard(connections_lock_);
    connections_.erase(slot);
    if (slot->closed_for_room) closing_for_room_.fetch_sub(1);
    if (connections_.empty()) connections_changed_.notify_all();
  }
  ::close(slot->fd);  // only now: until it left the set, the server may shut it down
  connectionClosed();
}

bool Server::startProgram(const RequestLabel& label) {
  if (running_programs_.fetch_add(1, std::memory_order_relaxed) < options_.max_concurrent) return true;
  running_programs_.fetch_sub(1, std::memory_order_relaxed);
  programs_full_line_.write(server_log_, label.text() + " refused: --max-concurrent " +
                                             std::to_string(options_.max_concurrent) + " programs are running");
  return false;
}

bool Server::drain(uint64_t deadline_ns) {
  draining_.store(true);
  shutdown(listener_, SHUT_RDWR);  // wakes the listener, which then ends
  if (listener_task_) listener_task_->wake();  // should it wait for a connection to close
  std::unique_lock guard(connections_lock_);
  for (;;) {
    // Connections waiting for a request are closed; busy ones close once they have answered.
    for (ConnectionSlot* slot : connections_) {
      int idle = ConnectionSlot::Idle;
      if (slot->state.compare_exchange_strong(idle, ConnectionSlot::Closing)) shutdown(slot->fd, SHUT_RD);
    }
    if (connections_.empty() && !acceptor_running_) return true;
    uint64_t now = nowNanoseconds();
    if (now >= deadline_ns) return false;
    // Woken when the last connection leaves; looks again now and then for ones gone idle.
    connections_changed_.wait_for(guard, std::chrono::milliseconds(std::min<uint64_t>((deadline_ns - now) / 1'000'000 + 1, 50)));
  }
}

}  // namespace lunatic::rt::serve
