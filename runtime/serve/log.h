// The server's two logs: the access log (a line per request) and the server log (its own
// messages and programs' stderr). Workers must not wait on a terminal or a slow disk, and a
// write(2) per line would cost more than serving the request: lines gather in memory and a
// thread of the log's own writes them out every few milliseconds, and at exit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
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

// A line that a flood could make due thousands of times a second (a connection refused, a
// descriptor missing): written at most once per interval, with how often it was held back
// since, so that an attack costs the log a line now and then, not a line per attempt.
class OccasionalLine {
 public:
  explicit OccasionalLine(uint64_t interval_ns = 10'000'000'000) : interval_ns_(interval_ns) {}
  void write(LogWriter& log, std::string_view line);

 private:
  const uint64_t interval_ns_;
  std::atomic<uint64_t> next_ns_{0};  // steady-clock time before which lines are held back
  std::atomic<uint64_t> held_back_{0};
};

// "[25/Nov/2026:12:03:17 +0000]", the access log's timestamp (Common Log Format), for now.
std::string logTimestamp();

}  // namespace lunatic::rt::serve
