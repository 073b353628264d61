// The observer thread (observer.h): the SIGUSR1 dump and the metrics endpoint.
#include "runtime/observe/observer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include <http_parser.h>

#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/main/listener.h"
#include "runtime/observe/process_table.h"
#include "runtime/observe/prometheus.h"
#include "runtime/stats.h"

namespace lunatic::rt::observe {
namespace {

constexpr uint64_t kRequestDeadlineNs = 5'000'000'000;  // to send a request head, or take an answer
constexpr uint64_t kLingerNs = 1'000'000'000;  // reading what is left of a refused request
constexpr size_t kMaxRequestBytes = 8192;
constexpr size_t kMaxConnections = 16;  // served at once; more wait in the listen backlog

void writeToStderr(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(size_t(n));
  }
}

std::string answer(int status, const char* reason, const char* content_type, const std::string& body, bool head) {
  std::string text = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
                     "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  if (!head) text += body;
  return text;
}

// The answer to a request whose head http_parser read.
std::string answerRequest(const http_parser& parser, std::string_view target) {
  bool head = parser.method == HTTP_HEAD;
  std::string_view path = target.substr(0, target.find('?'));
  if (parser.method != HTTP_GET && !head) return answer(405, "Method Not Allowed", "text/plain", "only GET and HEAD\n", false);
  if (path == "/metrics") return answer(200, "OK", kMetricsContentType, renderMetrics(), head);
  if (path == "/processes") {
    ProcessTableSummary summary;
    std::string table = renderProcessTable(&summary);
    if (log::debugEnabled()) {
      log::write(log::Level::Debug, "process_table", 0,
                 "listed " + std::to_string(summary.processes) + " processes for /processes in " +
                     std::to_string(summary.elapsed_ns / 1000) + " us",
                 {{"processes", int64_t(summary.processes)}, {"microseconds", int64_t(summary.elapsed_ns / 1000)}});
    }
    return answer(200, "OK", "text/plain; charset=utf-8", table, head);
  }
  return answer(404, "Not Found", "text/plain", "try /metrics or /processes\n", head);
}

// One client: its request read until the head is whole (or found bad), then its answer
// written; every step without blocking, so that a slow or silent client holds up no other.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd), deadline_(nowNanoseconds() + kRequestDeadlineNs) {
    http_parser_init(&parser_, HTTP_REQUEST);
    parser_.data = this;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { ::close(fd_); }

  int fd() const { return fd_; }
  short events() const { return writing() ? POLLOUT : POLLIN; }
  uint64_t deadline() const { return deadline_; }
  // Does what the socket is ready for; false once the connection is done with.
  bool advance() { return writing() ? write() : read(); }

 private:
  bool writing() const { return sent_ < reply_.size(); }

  bool read() {
    char buffer[2048];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (refused_) return n > 0;  // lingering: what is left of a refused request is dropped
    if (n == 0) return false;
    received_ += size_t(n);
    static const http_parser_settings kSettings = settings();
    size_t parsed = http_parser_execute(&parser_, &kSettings, buffer, size_t(n));
    if (head_complete_) {
      reply_ = answerRequest(parser_, target_);
    } else if (HTTP_PARSER_ERRNO(&parser_) != HPE_OK || parsed != size_t(n) || received_ > kMaxRequestBytes) {
      reply_ = answer(400, "Bad Request", "text/plain", "bad request\n", false);
      refused_ = true;
    } else {
      return true;
    }
    deadline_ = nowNanoseconds() + kRequestDeadlineNs;
    return write();
  }

  bool write() {
    ssize_t n = ::send(fd_, reply_.data() + sent_, reply_.size() - sent_, MSG_NOSIGNAL);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    sent_ += size_t(n);
    if (writing()) return true;
    if (!refused_) return false;
    // Closing with unread input would reset the connection, and the client could lose the
    // answer: say that nothing more comes, and read what is left for a moment first.
    ::shutdown(fd_, SHUT_WR);
    deadline_ = std::min(deadline_, nowNanoseconds() + kLingerNs);
    return true;
  }

  static http_parser_settings settings() {
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_url = [](http_parser* parser, const char* at, size_t length) {
      static_cast<Connection*>(parser->data)->target_.append(at, length);
      return 0;
    };
    // The head is all an endpoint of GETs needs: a body, if any, is not read.
    s.on_headers_complete = [](http_parser* parser) {
      static_cast<Connection*>(parser->data)->head_complete_ = true;
      http_parser_pause(parser, 1);
      return 0;
    };
    return s;
  }

  const int fd_;
  uint64_t deadline_;
  http_parser parser_;
  std::string target_;
  size_t received_ = 0;
  bool head_complete_ = false;
  bool refused_ = false;  // answered 400: reads only to drain, until the deadline
  std::string reply_;
  size_t sent_ = 0;
};

void dumpProcessTable() {
  ProcessTableSummary summary;
  std::string table = renderProcessTable(&summary);
  writeToStderr("lunatic: process table (SIGUSR1)\n" + table);
}

// The observer's loop: the signalfd, the listener (-1: none) and up to kMaxConnections
// clients in one poll.
[[noreturn]] void run(int signal_fd, int listener) {
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<pollfd> fds;
  for (;;) {
    fds.assign({{signal_fd, POLLIN, 0}, {listener, short(connections.size() < kMaxConnections ? POLLIN : 0), 0}});
    uint64_t now = nowNanoseconds(), next_deadline = UINT64_MAX;
    for (const auto& c : connections) {
      fds.push_back({c->fd(), c->events(), 0});
      next_deadline = std::min(next_deadline, c->deadline());
    }
    int timeout = next_deadline == UINT64_MAX ? -1 : int(next_deadline > now ? (next_deadline - now) / 1'000'000 + 1 : 0);
    if (::poll(fds.data(), fds.size(), timeout) < 0) continue;  // EINTR
    if (fds[0].revents & POLLIN) {  // never, for a signal_fd of -1: poll skips it
      signalfd_siginfo info;
      while (::read(signal_fd, &info, sizeof info) == sizeof info) dumpProcessTable();
    }
    now = nowNanoseconds();
    std::vector<std::unique_ptr<Connection>> kept;
    for (size_t i = 0; i < connections.size(); ++i) {
      bool ready = fds[i + 2].revents != 0;
      if ((!ready || connections[i]->advance()) && now < connections[i]->deadline()) kept.push_back(std::move(connections[i]));
    }
    connections = std::move(kept);
    if (fds[1].revents & POLLIN) {
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) connections.push_back(std::make_unique<Connection>(fd));
    }
  }
}

}  // namespace

std::string startObserver(std::string metrics_listen) {
  if (metrics_listen.empty()) {
    if (const char* value = std::getenv("LUNATIC_METRICS_LISTEN")) metrics_listen = value;
  }
  int listener = -1;
  if (!metrics_listen.empty()) {
    ListenAddress address;
    if (!parseListenAddress(metrics_listen.c_str(), &address)) {
      return "bad metrics address '" + metrics_listen + "' (want HOST:PORT, [V6]:PORT or :PORT)";
    }
    std::string error;
    listener = bindListener(address, 64, &error);
    if (listener < 0) return "metrics endpoint: " + error;
    stats::setEnabled();
    // Says where, the port too when the system chose it (":0").
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &length);
    char host[INET6_ADDRSTRLEN] = "";
    uint16_t port = 0;
    if (bound.ss_family == AF_INET6) {
      const auto& v6 = reinterpret_cast<const sockaddr_in6&>(bound);
      inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
      port = ntohs(v6.sin6_port);
    } else {
      const auto& v4 = reinterpret_cast<const sockaddr_in&>(bound);
      inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
      port = ntohs(v4.sin_port);
    }
    std::string where = bound.ss_family == AF_INET6 ? "[" + std::string(host) + "]" : std::string(host);
    log::write(log::Level::Info, "metrics_listen", 0,
               "metrics on http://" + where + ":" + std::to_string(port) + "/metrics and /processes",
               {{"port", port}});
  }
  sigset_t dump_signal;
  sigemptyset(&dump_signal);
  sigaddset(&dump_signal, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &dump_signal, nullptr);
  int signal_fd = signalfd(-1, &dump_signal, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd < 0) {
    // A sandbox that refuses signalfd costs the dump, not the program: SIGUSR1 acts as it
    // would without the runtime.
    log::warn(std::string("SIGUSR1 will not list the processes: signalfd: ") + std::strerror(errno));
    pthread_sigmask(SIG_UNBLOCK, &dump_signal, nullptr);
    if (listener < 0) return "";
  }
  std::thread([signal_fd, listener] { run(signal_fd, listener); }).detach();
  return "";
}

}  // namespace lunatic::rt::observe
