// The listener, the connections it keeps and draining (server.h).
#include "serve/server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <http_parser.h>

#include "io/io.h"
#include "process/scheduler.h"
#include "serve/connection.h"
#include "serve/host_task.h"

namespace lunatic::rt::serve {
namespace {

constexpr int kBacklog = 4096;
constexpr uint64_t kRetryAfterNs = 10'000'000;  // after running out of descriptors

// Binds a listening socket to host:port; the socket, or -1 with `error` set.
int bindListener(const std::string& host, const std::string& port, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int e = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found); e != 0) {
    *error = "cannot resolve " + host + ": " + gai_strerror(e);
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);
  int last_errno = 0;
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, kBacklog) == 0) return fd;
    last_errno = errno;
    close(fd);
  }
  *error = "cannot listen on " + host + ":" + port + ": " + std::strerror(last_errno);
  return -1;
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
  // A request line and headers longer than this stop the parser with HPE_HEADER_OVERFLOW: 431.
  http_parser_set_max_header_size(options_.max_header_bytes);
  std::string error;
  listener_ = bindListener(options_.listen_host, options_.listen_port, &error);
  if (listener_ < 0) return error;
  // The port the system chose for port 0, and the address as the CGI's SERVER_* give it.
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &length);
  char host[NI_MAXHOST], port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&bound), length, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    server_address_ = host;
    server_port_ = port;
  }
  return {};
}

std::string Server::start() {
  {
    std::lock_guard guard(connections_lock_);
    acceptor_running_ = true;
  }
  std::string error;
  if (!spawnHostTask([this] { acceptConnections(); }, &error)) return "cannot start the listener: " + error;
  std::string where = server_address_.find(':') != std::string::npos ? "[" + server_address_ + "]" : server_address_;
  server_log_.write("lunatic: serving on http://" + where + ":" + server_port_ + "/");
  return {};
}

void Server::acceptConnections() {
  while (!draining()) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int fd = io::accept(listener_, reinterpret_cast<sockaddr*>(&peer), &length);
    if (fd < 0) {
      if (draining()) break;
      if (fd == -EMFILE || fd == -ENFILE || fd == -ENOBUFS || fd == -ENOMEM) {
        server_log_.write(std::string("lunatic: cannot accept a connection: ") + std::strerror(-fd));
        scheduler::currentProcess()->parkUntil(nowNanoseconds() + kRetryAfterNs);
      }
      continue;  // a connection that was reset before it was taken, and the like
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // answers go out whole, at once
    std::string error;
    if (!spawnHostTask([this, fd, peer] { serveConnection(*this, fd, peer); }, &error)) {
      server_log_.write("lunatic: cannot serve a connection: " + error);
      close(fd);
    }
  }
  std::lock_guard guard(connections_lock_);
  acceptor_running_ = false;
  connections_changed_.notify_all();
}

void Server::enter(ConnectionSlot* slot) {
  std::lock_guard guard(connections_lock_);
  connections_.insert(slot);
}

void Server::leave(ConnectionSlot* slot) {
  std::lock_guard guard(connections_lock_);
  connections_.erase(slot);
  if (connections_.empty()) connections_changed_.notify_all();
}

bool Server::startProgram() {
  if (running_programs_.fetch_add(1, std::memory_order_relaxed) < options_.max_concurrent) return true;
  running_programs_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

bool Server::drain(uint64_t deadline_ns) {
  draining_.store(true);
  shutdown(listener_, SHUT_RDWR);  // wakes the listener, which then ends
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
