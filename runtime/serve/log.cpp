// Buffered log writers (log.h).
#include "runtime/serve/log.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

#include "runtime/process/process.h"

namespace lunatic::rt::serve {
namespace {
constexpr auto kFlushInterval = std::chrono::milliseconds(20);
constexpr size_t kEagerFlushBytes = 256 * 1024;  // past this a writer wakes the thread early
}  // namespace

LogWriter::LogWriter(int fd) : fd_(fd) {
  if (fd_ >= 0) thread_ = std::thread([this] { run(); });
}

LogWriter::~LogWriter() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard guard(lock_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void LogWriter::write(std::string_view line) {
  if (fd_ < 0) return;
  bool eager;
  {
    std::lock_guard guard(lock_);
    pending_.append(line).push_back('\n');
    eager = pending_.size() >= kEagerFlushBytes;
  }
  if (eager) wake_.notify_one();
}

void LogWriter::flush() {
  if (fd_ < 0) return;
  std::lock_guard writing(write_lock_);
  std::string pending;
  {
    std::lock_guard guard(lock_);
    pending.swap(pending_);
  }
  writeOut(pending);
}

void LogWriter::run() {
  std::unique_lock guard(lock_);
  while (!stopping_) {
    wake_.wait_for(guard, kFlushInterval);
    std::string pending;
    pending.swap(pending_);
    guard.unlock();
    {
      std::lock_guard writing(write_lock_);
      writeOut(pending);
    }
    guard.lock();
  }
  std::lock_guard writing(write_lock_);
  writeOut(pending_);
  pending_.clear();
}

void LogWriter::writeOut(std::string& pending) {
  for (size_t done = 0; done < pending.size();) {
    ssize_t n = ::write(fd_, pending.data() + done, pending.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // a log that cannot be written loses lines, not requests
    done += size_t(n);
  }
}

void OccasionalLine::write(LogWriter& log, std::string_view line) {
  uint64_t now = nowNanoseconds();
  uint64_t next = next_ns_.load(std::memory_order_relaxed);
  if (now < next || !next_ns_.compare_exchange_strong(next, now + interval_ns_, std::memory_order_relaxed)) {
    held_back_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  uint64_t held_back = held_back_.exchange(0, std::memory_order_relaxed);
  if (held_back == 0) {
    log.write(line);
    return;
  }
  std::string text(line);
  text.append(" (and ").append(std::to_string(held_back)).append(" more like it since the last such line)");
  log.write(text);
}

std::string logTimestamp() {
  std::time_t now = std::time(nullptr);
  std::tm utc;
  gmtime_r(&now, &utc);
  char text[40];
  size_t n = std::strftime(text, sizeof text, "[%d/%b/%Y:%H:%M:%S +0000]", &utc);
  return std::string(text, n);
}

}  // namespace lunatic::rt::serve
