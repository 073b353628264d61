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
#include <string_view>
#include <thread>

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
constexpr size_t kMaxRequestBytes = 8192;
constexpr uint64_t kLingerNs = 1'000'000'000;  // reading what is left of a refused request

// Writes all of `data` to `fd`, waiting (until `deadline_ns`) where it is non-blocking.
bool writeAll(int fd, std::string_view data, uint64_t deadline_ns) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return false;
    uint64_t now = nowNanoseconds();
    if (now >= deadline_ns) return false;
    pollfd wait{fd, POLLOUT, 0};
    ::poll(&wait, 1, int((deadline_ns - now) / 1'000'000) + 1);
  }
  return true;
}

void writeToStderr(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(size_t(n));
  }
}

// What http_parser tells of a request: its target, and whether its head is complete.
struct Request {
  std::string target;
  bool complete = false;
};

http_parser_settings requestSettings() {
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_url = [](http_parser* parser, const char* at, size_t length) {
    static_cast<Request*>(parser->data)->target.append(at, length);
    return 0;
  };
  // The head is all an endpoint of GETs needs: a body, if any, is not read.
  settings.on_headers_complete = [](http_parser* parser) {
    static_cast<Request*>(parser->data)->complete = true;
    return 1;  // tells http_parser there is no body to read
  };
  return settings;
}

std::string answer(int status, const char* reason, const char* content_type, const std::string& body, bool head) {
  std::string text = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
                     "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  if (!head) text += body;
  return text;
}

// Reads one request from `fd` and answers it.
void serveConnection(int fd) {
  static const http_parser_settings kSettings = requestSettings();
  uint64_t deadline = nowNanoseconds() + kRequestDeadlineNs;
  http_parser parser;
  http_parser_init(&parser, HTTP_REQUEST);
  Request request;
  parser.data = &request;
  size_t received = 0;
  char buffer[2048];
  while (!request.complete) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      uint64_t now = nowNanoseconds();
      if (now >= deadline) return;
      pollfd wait{fd, POLLIN, 0};
      ::poll(&wait, 1, int((deadline - now) / 1'000'000) + 1);
      continue;
    }
    if (n <= 0) return;
    received += size_t(n);
    size_t parsed = http_parser_execute(&parser, &kSettings, buffer, size_t(n));
    if (request.complete) break;
    if (HTTP_PARSER_ERRNO(&parser) != HPE_OK || parsed != size_t(n) || received > kMaxRequestBytes) {
      writeAll(fd, answer(400, "Bad Request", "text/plain", "bad request\n", false), deadline);
      // Closing with unread input would reset the connection, and the client could lose the
      // answer: say that nothing more comes, and read what is left for a moment first.
      ::shutdown(fd, SHUT_WR);
      uint64_t linger_until = std::min(deadline, nowNanoseconds() + kLingerNs);
      for (uint64_t now; (now = nowNanoseconds()) < linger_until;) {
        pollfd wait{fd, POLLIN, 0};
        if (::poll(&wait, 1, int((linger_until - now) / 1'000'000) + 1) <= 0) break;
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
      }
      return;
    }
  }
  bool head = parser.method == HTTP_HEAD;
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  std::string reply;
  if (parser.method != HTTP_GET && !head) {
    reply = answer(405, "Method Not Allowed", "text/plain", "only GET and HEAD\n", false);
  } else if (path == "/metrics") {
    reply = answer(200, "OK", kMetricsContentType, renderMetrics(), head);
  } else if (path == "/processes") {
    ProcessTableSummary summary;
    std::string table = renderProcessTable(&summary);
    log::write(log::Level::Debug, "process_table", 0,
               "listed " + std::to_string(summary.processes) + " processes for /processes in " +
                   std::to_string(summary.elapsed_ns / 1000) + " us",
               {{"processes", int64_t(summary.processes)}, {"microseconds", int64_t(summary.elapsed_ns / 1000)}});
    reply = answer(200, "OK", "text/plain; charset=utf-8", table, head);
  } else {
    reply = answer(404, "Not Found", "text/plain", "try /metrics or /processes\n", head);
  }
  writeAll(fd, reply, nowNanoseconds() + kRequestDeadlineNs);
}

void dumpProcessTable() {
  ProcessTableSummary summary;
  std::string table = renderProcessTable(&summary);
  writeToStderr("lunatic: process table (SIGUSR1)\n" + table);
}

[[noreturn]] void run(int signal_fd, int listener) {
  pollfd fds[2] = {{signal_fd, POLLIN, 0}, {listener, POLLIN, 0}};
  nfds_t count = listener >= 0 ? 2 : 1;
  for (;;) {
    if (::poll(fds, count, -1) < 0) continue;  // EINTR
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(signal_fd, &info, sizeof info) == sizeof info) dumpProcessTable();
    }
    if (count == 2 && (fds[1].revents & POLLIN)) {
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        serveConnection(fd);
        ::close(fd);
      }
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
  if (signal_fd < 0) return std::string("cannot take SIGUSR1: ") + std::strerror(errno);
  std::thread([signal_fd, listener] { run(signal_fd, listener); }).detach();
  return "";
}

}  // namespace lunatic::rt::observe
