// The runtime's log (log.h): the level and format from the environment, and lines in text
// or JSON.
#include "runtime/log.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace lunatic::rt::log {

Level threshold = Level::Warn;

namespace {

bool json_format = false;

constexpr const char* kLevelNames[] = {"error", "warn", "info", "debug"};

// Read before main: the level must not change while workers test it.
__attribute__((constructor)) void readLogSettings() {
  if (const char* level = std::getenv("LUNATIC_LOG")) {
    bool known = false;
    for (int i = 0; i < 4; ++i) {
      if (std::strcmp(level, kLevelNames[i]) == 0) {
        threshold = Level(i);
        known = true;
      }
    }
    if (std::strcmp(level, "warning") == 0) known = true;
    if (!known) std::fprintf(stderr, "lunatic: warning: ignoring LUNATIC_LOG=%s (want error, warn, info or debug)\n", level);
  }
  if (const char* format = std::getenv("LUNATIC_LOG_FORMAT")) {
    if (std::strcmp(format, "json") == 0) {
      json_format = true;
    } else if (std::strcmp(format, "text") != 0) {
      std::fprintf(stderr, "lunatic: warning: ignoring LUNATIC_LOG_FORMAT=%s (want text or json)\n", format);
    }
  }
}

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += char(c);  // UTF-8 passes as it is; invalid bytes are the message's own
        }
    }
  }
  out += '"';
}

// RFC 3339 in UTC with microseconds: "2026-12-07T17:30:00.123456Z".
void appendTime(std::string& out) {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc;
  gmtime_r(&now.tv_sec, &utc);
  char text[40];
  size_t n = strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%06ldZ", now.tv_nsec / 1000);
  out += text;
}

}  // namespace

bool json() { return json_format; }

std::string format(Level level, std::string_view event, uint64_t process, std::string_view message,
                   std::initializer_list<Number> numbers) {
  std::string line;
  if (json_format) {
    line = "{\"time\":\"";
    appendTime(line);
    line += "\",\"level\":\"";
    line += kLevelNames[int(level)];
    line += "\",\"event\":";
    appendJsonString(line, event);
    if (process) line += ",\"process\":" + std::to_string(process);
    for (const Number& number : numbers) {
      line += ",\"";
      line += number.first;
      line += "\":" + std::to_string(number.second);
    }
    line += ",\"message\":";
    appendJsonString(line, message);
    line += "}\n";
    return line;
  }
  // Text: events named for their severity say so ("lunatic: warning: ..."), as do info and
  // debug events; a process's failure reads as it always has ("lunatic: process 5 failed").
  line = "lunatic: ";
  if (event == "warning" || event == "error" || event == "fatal") {
    line += event;
    line += ": ";
  } else if (level >= Level::Info) {
    line += kLevelNames[int(level)];
    line += ": ";
  }
  line += message;
  line += '\n';
  return line;
}

void write(Level level, std::string_view event, uint64_t process, std::string_view message,
           std::initializer_list<Number> numbers) {
  if (!enabled(level)) return;
  std::string line = format(level, event, process, message, numbers);
  const char* data = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    left -= size_t(n);
  }
}

}  // namespace lunatic::rt::log
