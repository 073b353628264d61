// The server's two logs: the access log (a line per request) and the server log (its own
// messages and programs' stderr). Workers must not wait on a terminal or a slow disk, and a
// write(2) per line would cost more than serving the request: lines gather in memory and a
// thread of the log's own writes them out every few milliseconds, and at exit.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace lunatic::rt::serve {

class LogWriter {
 public:
  // Writes to `fd` (not closed here); a negative fd drops every line.
  explicit LogWriter(int fd);
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;
  ~LogWriter();  // writes out what is left

  bool enabled() const { return fd_ >= 0; }
  // Appends `line` and a newline.
  void write(std::string_view line);
  // Writes out everything so far before returning.
  void flush();

 private:
  void run();
  void writeOut(std::string& pending);
  int fd_;
  std::mutex write_lock_;  // held while writing out, so lines keep their order
  std::mutex lock_;        // guards pending_ and stopping_
  std::condition_variable wake_;
  std::string pending_;
  bool stopping_ = false;
  std::thread thread_;
};

// "[25/Nov/2026:12:03:17 +0000]", the access log's timestamp (Common Log Format), for now.
std::string logTimestamp();

}  // namespace lunatic::rt::serve
