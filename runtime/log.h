// The runtime's log: one line per event on the host's stderr (or on a sink the caller
// names: a test's or a request's stderr held in memory), at a level and in a format the
// environment chooses at start-up:
//   LUNATIC_LOG=error|warn|info|debug   (default warn: failures and warnings, as before)
//   LUNATIC_LOG_FORMAT=text|json        (default text: "lunatic: <message>")
// A JSON line is one object: {"time":"...Z","level":"debug","event":"spawn","process":5,
// "parent":1,"message":"..."}. What a guest writes to its own stderr never goes through here.
//
// A debug event costs, while debug logging is off, one load of a byte that never changes
// and a branch that always goes the same way: callers test debugEnabled() before they build
// anything.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace lunatic::rt::log {

enum class Level : uint8_t { Error, Warn, Info, Debug };

// The most detailed level written; set from LUNATIC_LOG before main runs, never after.
extern Level threshold;

inline bool enabled(Level level) { return level <= threshold; }
inline bool debugEnabled() { return __builtin_expect(threshold == Level::Debug, 0); }

// A number the event carries besides its process: {"parent", 3}, {"status", 1}.
using Number = std::pair<const char*, int64_t>;

// One event as a whole line, ending in a newline, in the chosen format. `event` names its
// kind ("spawn", "exit", "process_failed", "warning"); `process` is the process it concerns
// (0: none); `message` is what the text format prints after "lunatic: ".
std::string format(Level level, std::string_view event, uint64_t process, std::string_view message,
                   std::initializer_list<Number> numbers = {});

// Writes format(...) to the host's stderr in one write(2), so that lines from several
// threads never interleave, if `level` is enabled.
void write(Level level, std::string_view event, uint64_t process, std::string_view message,
           std::initializer_list<Number> numbers = {});

// Shorthands for lines without a process.
inline void warn(std::string_view message) { write(Level::Warn, "warning", 0, message); }
inline void error(std::string_view message) { write(Level::Error, "error", 0, message); }

// Whether LUNATIC_LOG_FORMAT asked for JSON.
bool json();

}  // namespace lunatic::rt::log
