// The tests of a module and their verdicts, as upstream Lunatic's test mode has them.
//
// lunatic-rs's #[lunatic::test] makes each test function an export named
//   #lunatic_test_ [#ignore_] [#panic_MSG#] PATH
// `#ignore_` for an #[ignore] test; `#panic_MSG#` for #[should_panic], MSG being the
// expected part of the panic message (empty for a bare #[should_panic]), a `#` in it
// written `\#`; PATH the test's path, such as `process::lookup`.
//
// A test passes when its root process returns (or exits with status 0). A should-panic
// test passes when its root process fails and the first Rust panic message in its captured
// output contains MSG, or, when the output holds no panic message (a trap without a panic, a
// kill), when MSG is empty.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lunatic/abi.h"
#include "runtime/process/process.h"
#include "runtime/test_mode/options.h"

namespace lunatic::rt::test_mode {

struct TestCase {
  std::string export_name;
  std::string path;
  bool ignored = false;
  std::optional<std::string> should_panic;  // the expected part of the panic message
};

// The test an export name describes: nullopt if the name does not start with
// LUNATIC_TEST_EXPORT_PREFIX (abi.h), or has a `#panic_` marker without its closing `#`.
std::optional<TestCase> parseTestExport(std::string_view export_name);

// The tests `options` selects from `all`, sorted by path as libtest runs and lists them
// (--ignored un-ignores the ignored ones and leaves out the rest; --include-ignored
// un-ignores all), and how many it left out.
struct Selection {
  std::vector<TestCase> tests;
  size_t filtered_out = 0;
};
Selection selectTests(std::vector<TestCase> all, const Options& options);

// The message of the first Rust panic reported in `output`: the text between
// "thread '...' panicked at '" and "', " (Rust before 1.73), or the lines after
// "thread '...' panicked at FILE:LINE:COLUMN:" (Rust 1.73 on). Upstream matches only the
// older form, with the regular expression (?ms)^thread '.*' panicked at '(.*)', , whose
// greedy groups reach to the last "', " of the output: so does this, for that form.
std::optional<std::string> panicMessage(std::string_view output);

struct Verdict {
  bool passed = false;
  // Appended to the test's output, as libtest appends its notes ("note: ..."); may be empty.
  std::string note;
};

// Judges a test whose root process ended with `death`, having written `output` (empty under
// --nocapture, where no panic message can be seen).
Verdict judge(const TestCase& test, const Death& death, std::string_view output);

}  // namespace lunatic::rt::test_mode
