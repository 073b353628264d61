// An HTTP server that runs a program per request (docs/architecture.md, runtime/serve/):
// what its listener, its connections and its requests share.
//
//   serve_main.cpp   the executable's entry: options, listening, SIGTERM
//   server.*         the listener (a host task), the connections it keeps, draining
//   connection.*     one connection: requests read with http_parser, answers written
//   program.*        one request's program: a fresh process with the CGI environment and
//                    stdio in memory, its limits, and what its output asks of the answer
//   cgi.*            CGI environments and header blocks
//   log.*            the access log and the server log
// Host code runs as processes (process/host_task.h), so that it parks instead of blocking.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "runtime/process/wasi_config.h"
#include "runtime/process/process.h"
#include "runtime/serve/log.h"
#include "runtime/serve/options.h"

namespace lunatic::rt {
class ModuleImage;
}

namespace lunatic::rt::serve {

struct RequestLabel;  // program.h

// What the server knows of a connection: enough to close it while it waits for a request,
// or for the rest of one.
struct ConnectionSlot {
  // Busy: on a request (reading what has come, running its program, answering). Idle:
  // waiting for a request; Reading: for the rest of one. Closing: the server closes it (it
  // stops, or needs room for another connection), and has shut its reading side.
  enum State : int { Busy, Idle, Reading, Closing };
  int fd = -1;
  std::atomic<int> state{Busy};
  std::atomic<uint64_t> waiting_since_ns{0};  // when it went Idle, or its request began (Reading)
  bool closed_for_room = false;               // guarded by Server::connections_lock_
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

  // A connection registers while it lives, and leaves by closing its socket here (the server
  // may shut it down until then). draining() says that connections should close as soon
  // as they are done with the request they are on.
  void enter(ConnectionSlot* slot);
  void leave(ConnectionSlot* slot);
  bool draining() const { return draining_.load(); }

  // The cap on programs running at once: false if it is reached (then 503, and a line in
  // the log now and then).
  bool startProgram(const RequestLabel& label);
  void programEnded() { running_programs_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  void acceptConnections();
  // Whether the listener may take another connection now. At --max-connections it closes
  // the connections that have waited longest for a request (or the rest of one), a batch
  // of them, and waits until they are gone, or until one is if none can be closed.
  bool roomForAnother();
  // Closes up to `most` of the connections that wait, those that began waiting first.
  size_t closeWaitingConnections(size_t most);
  // Parks the listener until a connection closes or `deadline_ns` passes; at once if one
  // has closed since connections_closed_ was `closed_before`.
  void awaitClosedConnection(uint64_t closed_before, uint64_t deadline_ns);
  void connectionClosed();

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
  ProcessRef listener_task_;                   // kept, so that waking it is always safe
  std::atomic<uint64_t> open_connections_{0};  // accepted and not closed yet
  std::atomic<uint64_t> closing_for_room_{0};  // of those, closed to make room and not gone yet
  std::atomic<uint64_t> connections_closed_{0};  // ever
  std::atomic<bool> listener_awaits_close_{false};
  OccasionalLine connections_full_line_, accept_failed_line_, programs_full_line_;
  std::mutex connections_lock_;
  std::condition_variable connections_changed_;
  std::unordered_set<ConnectionSlot*> connections_;
  bool acceptor_running_ = false;  // guarded by connections_lock_
};

}  // namespace lunatic::rt::serve
