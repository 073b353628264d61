// An HTTP server that runs a program per request (docs/architecture.md, runtime/serve/):
// what its listener, its connections and its requests share.
//
//   serve_main.cpp   the executable's entry: options, listening, SIGTERM
//   server.*         the listener (a host task), the connections it keeps, draining
//   connection.*     one connection: requests read with http_parser, answers written
//   program.*        one request's program: a fresh process with the CGI environment and
//                    stdio in memory, its limits, and what its output asks of the answer
//   cgi.*            CGI environments and header blocks
//   host_task.*      host code as processes, so that it parks instead of blocking
//   log.*            the access log and the server log
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_set>

#include "config.h"  // wasi/config.h
#include "serve/log.h"
#include "serve/options.h"

namespace lunatic::rt {
class ModuleImage;
}

namespace lunatic::rt::serve {

// What the server knows of a connection: enough to close it while it waits for a request.
struct ConnectionSlot {
  enum State : int { Busy, Idle, Closing };
  int fd = -1;
  std::atomic<int> state{Busy};
};

class Server {
 public:
  // `program` runs `entry` for each request, with `view`'s environment and directories.
  Server(const ServeOptions& options, ModuleImage* program, std::string entry, wasi::WasiConfigPtr view);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the access log and binds the listening socket; "" or why not.
  std::string open();
  // Starts taking connections (after scheduler::start); "" or why not.
  std::string start();
  // Stops taking connections, closes the idle ones and waits until the others have answered
  // the request they are on, or until `deadline_ns` passes. False if some were still open.
  bool drain(uint64_t deadline_ns);

  const ServeOptions& options() const { return options_; }
  ModuleImage* program() const { return program_; }
  const std::string& entry() const { return entry_; }
  const wasi::WasiConfig& view() const { return *view_; }
  LogWriter& accessLog() { return *access_log_; }
  LogWriter& serverLog() { return server_log_; }
  const std::string& serverAddress() const { return server_address_; }
  const std::string& serverPort() const { return server_port_; }

  // Connections register while they live; draining() says that they should close as soon
  // as they are done with the request they are on.
  void enter(ConnectionSlot* slot);
  void leave(ConnectionSlot* slot);
  bool draining() const { return draining_.load(); }

  // The cap on programs running at once: false if it is reached (then 503).
  bool startProgram();
  void programEnded() { running_programs_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  void acceptConnections();

  ServeOptions options_;
  ModuleImage* program_;
  std::string entry_;
  wasi::WasiConfigPtr view_;
  int access_log_fd_ = -1;
  std::unique_ptr<LogWriter> access_log_;
  LogWriter server_log_;
  int listener_ = -1;
  std::string server_address_, server_port_;
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> running_programs_{0};
  std::mutex connections_lock_;
  std::condition_variable connections_changed_;
  std::unordered_set<ConnectionSlot*> connections_;
  bool acceptor_running_ = false;  // guarded by connections_lock_
};

}  // namespace lunatic::rt::serve
