// The tests of a module and their verdicts (tests.h).
#include "runtime/test_mode/tests.h"

#include <algorithm>

#include "lunatic/embed.h"
#include "runtime/trap.h"

namespace lunatic::rt::test_mode {
namespace {

constexpr std::string_view kTestExportPrefix = LUNATIC_TEST_EXPORT_PREFIX;
constexpr std::string_view kIgnoreMarker = "#ignore_";
constexpr std::string_view kPanicMarker = "#panic_";

bool matches(const std::string& path, const std::string& filter, bool exact) {
  return exact ? path == filter : path.find(filter) != std::string::npos;
}

// How a test's root process failed, when no panic message says it: what the executable
// prints for its root process (runtime/main/main.cpp).
std::string failureOf(const Death& death) {
  if (death.trap == 0) return "the test exited with status " + std::to_string(death.exit_code);
  if (death.trap == kKilledKind) return "the test was killed";
  std::string what = "the test failed with trap: ";
  what += death.host_failure.empty() ? lunatic_trap_message(death.trap) : death.host_failure;
  if (!death.backtrace.empty()) what += "\n" + death.backtrace.substr(0, death.backtrace.find_last_not_of('\n') + 1);
  return what;
}

// `text` as Rust's {:?} writes a string: quoted, with quotes, backslashes and control
// characters escaped (libtest's note quotes the panic message so).
std::string debugQuoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\u{";
          if (static_cast<unsigned char>(c) >= 0x10) out += kHex[static_cast<unsigned char>(c) >> 4];
          out += kHex[c & 0xf];
          out += "}";
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// Where the first line that starts with `prefix` starts, or npos.
size_t firstLineStartingWith(std::string_view text, std::string_view prefix) {
  for (size_t at = 0; at < text.size();) {
    if (text.substr(at).starts_with(prefix)) return at;
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<TestCase> parseTestExport(std::string_view export_name) {
  if (!export_name.starts_with(kTestExportPrefix)) return std::nullopt;
  TestCase test;
  test.export_name = std::string(export_name);
  std::string_view rest = export_name.substr(kTestExportPrefix.size());
  if (rest.starts_with(kIgnoreMarker)) {
    test.ignored = true;
    rest.remove_prefix(kIgnoreMarker.size());
  }
  if (rest.starts_with(kPanicMarker)) {
    rest.remove_prefix(kPanicMarker.size());
    std::string message;
    size_t at = 0;
    for (; at < rest.size() && rest[at] != '#'; ++at) {
      if (rest[at] == '\\' && at + 1 < rest.size() && rest[at + 1] == '#') ++at;  // "\#" is a '#'
      message += rest[at];
    }
    if (at == rest.size()) return std::nullopt;
    test.should_panic = std::move(message);
    rest.remove_prefix(at + 1);
  }
  test.path = std::string(rest);
  return test;
}

Selection selectTests(std::vector<TestCase> all, const Options& options) {
  Selection selection;
  const size_t total = all.size();
  for (TestCase& test : all) {
    auto matching = [&](const std::string& filter) { return matches(test.path, filter, options.exact); };
    if (!options.filters.empty() && std::none_of(options.filters.begin(), options.filters.end(), matching)) continue;
    if (std::any_of(options.skip.begin(), options.skip.end(), matching)) continue;
    if (options.exclude_should_panic && test.should_panic) continue;
    if (options.run_ignored == RunIgnored::Only && !test.ignored) continue;
    if (options.run_ignored != RunIgnored::No) test.ignored = false;
    selection.tests.push_back(std::move(test));
  }
  std::stable_sort(selection.tests.begin(), selection.tests.end(),
                   [](const TestCase& a, const TestCase& b) { return a.path < b.path; });
  selection.filtered_out = total - selection.tests.size();
  return selection;
}

std::optional<std::string> panicMessage(std::string_view output) {
  constexpr std::string_view kThread = "thread '";
  constexpr std::string_view kPanickedAt = "' panicked at ";
  size_t thread = firstLineStartingWith(output, kThread);
  if (thread == std::string_view::npos) return std::nullopt;
  // Before Rust 1.73: thread 'NAME' panicked at 'MESSAGE', FILE:LINE:COLUMN, matched as
  // upstream's expression matches it (its first line start, then greedy groups).
  constexpr std::string_view kQuotedStart = "' panicked at '";
  constexpr std::string_view kQuotedEnd = "', ";
  size_t end = output.rfind(kQuotedEnd);
  if (end != std::string_view::npos && end >= thread + kThread.size() + kQuotedStart.size()) {
    size_t start = output.rfind(kQuotedStart, end - kQuotedStart.size());
    if (start != std::string_view::npos && start >= thread + kThread.size()) {
      start += kQuotedStart.size();
      return std::string(output.substr(start, end - start));
    }
  }
  // Rust 1.73 on: thread 'NAME' panicked at FILE:LINE:COLUMN:\nMESSAGE (lines), up to the
  // note that follows or the next thread's report.
  for (size_t at = thread; at != std::string_view::npos;) {
    size_t line_end = output.find('\n', at);
    std::string_view line = output.substr(at, line_end == std::string_view::npos ? line_end : line_end - at);
    if (line.starts_with(kThread) && line.find(kPanickedAt) != std::string_view::npos && line.ends_with(':') &&
        line_end != std::string_view::npos) {
      std::string message;
      for (size_t next = line_end + 1; next < output.size();) {
        size_t next_end = output.find('\n', next);
        std::string_view text = output.substr(next, next_end == std::string_view::npos ? next_end : next_end - next);
        if (text.starts_with("note: ") || text.starts_with(kThread) || text.starts_with("stack backtrace:")) break;
        if (!message.empty()) message += '\n';
        message += text;
        if (next_end == std::string_view::npos) break;
        next = next_end + 1;
      }
      return message;
    }
    if (line_end == std::string_view::npos) break;
    at = line_end + 1;
  }
  return std::nullopt;
}

Verdict judge(const TestCase& test, const Death& death, std::string_view output) {
  if (!death.failed) {
    if (test.should_panic) return {false, "test did not panic as expected"};
    return {true, {}};
  }
  std::optional<std::string> panic = panicMessage(output);
  if (!test.should_panic) return {false, panic ? std::string() : failureOf(death)};
  const std::string& expected = *test.should_panic;
  if (!panic) {
    if (expected.empty()) return {true, {}};
    return {false, "a panic with a message containing " + debugQuoted(expected) +
                       " was expected, but there was no panic message: " + failureOf(death)};
  }
  if (panic->find(expected) != std::string::npos) return {true, {}};
  return {false, "panic did not contain expected string\n      panic message: `" + debugQuoted(*panic) +
                     "`,\n expected substring: `" + debugQuoted(expected) + "`"};
}

}  // namespace lunatic::rt::test_mode
