// Test mode's command line: the arguments of Rust's libtest (the test harness `cargo test`
// runs), so that `cargo test -- FLAGS` means under lunaticc what it means natively.
//
// Implemented: FILTER... (substring of a test's path; a test runs if it matches any),
// --exact, --skip FILTER, --ignored, --include-ignored, --exclude-should-panic, --list,
// --nocapture, --show-output, --test-threads N (how many tests run at once; all by default,
// as upstream Lunatic's test mode), -q/--quiet and --format pretty|terse, --color
// auto|always|never, --logfile PATH, --bench (reports every test ignored: there are no
// benchmarks), --test, -h/--help; RUST_TEST_THREADS and RUST_TEST_NOCAPTURE as libtest reads
// them. Accepted and without effect here: -Z unstable-options, --report-time,
// --ensure-time, --shuffle, --shuffle-seed N, --force-run-in-process. Anything else is
// refused as libtest refuses it: `error: Unrecognized option: 'X'`, exit status 101.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lunatic::rt::test_mode {

enum class RunIgnored { No, Only, Also };
enum class Format { Pretty, Terse };

struct Options {
  std::vector<std::string> filters;  // positional arguments
  std::vector<std::string> skip;     // --skip
  bool exact = false;
  RunIgnored run_ignored = RunIgnored::No;
  bool exclude_should_panic = false;
  bool list = false;
  bool nocapture = false;
  bool show_output = false;
  bool run_tests = true;   // false under --bench without --test: every test is reported ignored
  unsigned test_threads = 0;  // tests at once; 0: all of them
  Format format = Format::Pretty;
  bool color = false;      // whether ok/FAILED/ignored are coloured (--color, or auto: a terminal)
  std::string logfile;     // --logfile: one line per result, as libtest writes it
};

// What the command line asks for: run (or list) with `options`, print `help`, or refuse with
// `error` (one line, without the "error: " prefix).
struct CommandLine {
  std::optional<Options> options;
  std::string help;
  std::string error;
};

// Reads argv[1..argc) (argv[0] names the program, for the help text). `environment`, like
// environ, supplies RUST_TEST_THREADS and RUST_TEST_NOCAPTURE; `stdout_is_terminal` decides
// --color auto.
CommandLine parseCommandLine(int argc, char** argv, char** environment, bool stdout_is_terminal);

}  // namespace lunatic::rt::test_mode
