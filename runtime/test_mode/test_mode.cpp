// Test mode (test_mode.h): running a module's tests and reporting as Rust's libtest does.
#include "runtime/test_mode/test_mode.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/api/api.h"
#include "lunatic/abi.h"
#include "runtime/io/memory_stdio.h"
#include "runtime/process/module_image.h"
#include "runtime/process/registry.h"
#include "runtime/process/scheduler.h"
#include "runtime/main/root_process.h"
#include "runtime/test_mode/options.h"
#include "runtime/test_mode/tests.h"
#include "wasi/grants.h"

namespace lunatic::rt::test_mode {
namespace {

constexpr int kFailedStatus = 101;  // libtest's, for failed tests and for bad arguments
// What a test may write before further writes fail (EFBIG; Rust's print! then panics): one
// that loops printing must not take the host's memory with it.
constexpr size_t kCaptureLimit = size_t(64) << 20;
constexpr uint64_t kSlowTestNs = 60'000'000'000;  // libtest warns of a test running this long
constexpr size_t kTerseColumns = 88;              // terse output breaks its line of dots here

enum class Outcome { Ok, Failed, Ignored };

struct Finished {
  const TestCase* test;
  std::string output;  // captured, with libtest's notes
};

// What libtest prints, pretty or terse, on stdout; and its log file (--logfile).
class Console {
 public:
  Console(const Options& options, size_t total) : options_(options), total_(total) {}
  ~Console() {
    if (log_) std::fclose(log_);
  }
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // Opens --logfile, if given: "" or why not.
  std::string openLog() {
    if (options_.logfile.empty()) return {};
    log_ = std::fopen(options_.logfile.c_str(), "w");
    return log_ ? std::string() : "cannot write " + options_.logfile + ": " + std::strerror(errno);
  }

  void listed(const TestCase& test) {
    write(test.path + ": test\n");
    logLine("test " + test.path);
  }
  void listEnd(size_t count) {
    if (options_.format == Format::Terse) return;
    if (count != 0) write("\n");
    write(std::to_string(count) + (count == 1 ? " test" : " tests") + ", 0 benchmarks\n");
    std::fflush(stdout);
  }

  void runStart() { write("\nrunning " + std::to_string(total_) + (total_ == 1 ? " test\n" : " tests\n")); }

  // Before a test starts, or is reported ignored. Run one at a time, libtest names a test
  // before it runs; else only with its result.
  void testStart(const TestCase& test) {
    if (options_.format != Format::Pretty || options_.test_threads != 1) return;
    write(nameOf(test));
    std::fflush(stdout);
    named_ = true;
  }

  void testResult(const TestCase& test, Outcome outcome) {
    static constexpr const char* kWords[] = {"ok", "FAILED", "ignored"};
    static constexpr const char* kLetters[] = {".", "F", "i"};
    static constexpr const char* kColours[] = {"\x1b[32m", "\x1b[31m", "\x1b[33m"};
    static constexpr const char* kLogWords[] = {"ok", "failed", "ignored"};
    const int index = static_cast<int>(outcome);
    if (options_.format == Format::Pretty) {
      if (!named_) write(nameOf(test));
      coloured(kWords[index], kColours[index]);
      write("\n");
    } else {
      coloured(kLetters[index], kColours[index]);
      if (++reported_ % kTerseColumns == 0) write(" " + std::to_string(reported_) + "/" + std::to_string(total_) + "\n");
    }
    named_ = false;
    std::fflush(stdout);
    logLine(std::string(kLogWords[index]) + " " + test.path);
  }

  void slow(const TestCase& test) {
    write("test " + test.path + " has been running for over 60 seconds\n");
    std::fflush(stdout);
  }

  // The summary: output of successes (--show-output) and failures, then the result line.
  // Returns whether every test passed.
  bool runEnd(const std::vector<Finished>& successes, const std::vector<Finished>& failures, size_t ignored,
              size_t filtered_out, double seconds) {
    if (options_.show_output) results("successes", successes);
    if (!failures.empty()) results("failures", failures);
    write("\ntest result: ");
    if (failures.empty()) coloured("ok", "\x1b[32m");
    else coloured("FAILED", "\x1b[31m");
    char summary[160];
    std::snprintf(summary, sizeof summary, ". %zu passed; %zu failed; %zu ignored; 0 measured; %zu filtered out; "
                  "finished in %.2fs\n\n", successes.size(), failures.size(), ignored, filtered_out, seconds);
    write(summary);
    std::fflush(stdout);
    return failures.empty();
  }

 private:
  void write(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }
  void coloured(const char* text, const char* colour) {
    if (options_.color) write(colour);
    write(text);
    if (options_.color) write("\x1b[0m");
  }
  void logLine(const std::string& line) {
    if (log_) std::fprintf(log_, "%s\n", line.c_str());
  }
  static std::string nameOf(const TestCase& test) {
    return "test " + test.path + (test.should_panic && !test.ignored ? " - should panic" : "") + " ... ";
  }
  // libtest's list of tests with what they wrote, then their names again, sorted.
  void results(const char* heading, const std::vector<Finished>& finished) {
    write(std::string("\n") + heading + ":\n");
    std::string outputs;
    for (const Finished& f : finished) {
      if (f.output.empty()) continue;
      outputs += "---- " + f.test->path + " stdout ----\n" + f.output + "\n";
    }
    if (!outputs.empty()) write("\n" + outputs);
    write(std::string("\n") + heading + ":\n");
    std::vector<std::string> names;
    for (const Finished& f : finished) names.push_back(f.test->path);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) write("    " + name + "\n");
  }

  const Options& options_;
  const size_t total_;
  FILE* log_ = nullptr;
  bool named_ = false;    // the current line names the test whose result comes next
  size_t reported_ = 0;   // results so far, for terse output's line breaks
};

// Every test the module exports, in export order.
std::vector<TestCase> testsOf(const ModuleImage& image) {
  std::vector<TestCase> tests;
  const lunatic_module* module = image.module;
  for (uint32_t i = 0; i < module->num_exports; ++i) {
    const lunatic_export& exported = module->exports[i];
    if (exported.kind != LUNATIC_EXTERN_FUNC) continue;
    std::string_view name = exported.name;
    if (!name.starts_with(LUNATIC_TEST_EXPORT_PREFIX)) continue;
    if (std::optional<TestCase> test = parseTestExport(name)) {
      tests.push_back(std::move(*test));
    } else {
      std::fprintf(stderr, "lunatic: warning: export '%s' is not a well-formed test name (#panic_ without its closing #); "
                   "it is not run\n", exported.name);
    }
  }
  return tests;
}

// A test running as the root process of its environment.
struct Running {
  const TestCase* test;
  uint64_t environment;
  std::shared_ptr<wasi::MemoryStdio> capture;  // null under --nocapture
  uint64_t warn_at;                            // when to say it runs long; 0: said
};

// Runs the selected tests, reporting each as it ends; returns the exit status.
int runTests(ModuleImage* image, const Options& options, const Selection& selection, unsigned workers,
             Console& console) {
  std::string error;
  wasi::WasiConfigPtr view = testWasiConfig(lunatic_main_wasi_grants, environ, &error);
  if (!view) {
    std::fprintf(stderr, "lunatic: error: %s\n", error.c_str());
    return kFailedStatus;
  }
  scheduler::start(workers);
  const uint64_t started = nowNanoseconds();
  console.runStart();

  std::vector<Finished> successes, failures;
  size_t ignored = 0;
  std::unordered_map<ProcessId, Running> running;
  std::vector<ProcessId> running_ids;
  uint64_t next_environment = 1;  // 0 is the program's own
  const size_t at_once = options.test_threads ? options.test_threads : selection.tests.size();
  auto conclude = [&](const TestCase& test, bool passed, std::string output) {
    console.testResult(test, passed ? Outcome::Ok : Outcome::Failed);
    (passed ? successes : failures).push_back({&test, std::move(output)});
  };

  size_t next = 0;
  while (next < selection.tests.size() || !running.empty()) {
    for (; next < selection.tests.size() && running.size() < at_once; ++next) {
      const TestCase& test = selection.tests[next];
      console.testStart(test);
      if (test.ignored || !options.run_tests) {
        console.testResult(test, Outcome::Ignored);
        ++ignored;
        continue;
      }
      Running run{&test, next_environment++, nullptr, nowNanoseconds() + kSlowTestNs};
      wasi::WasiConfigPtr test_view = view;
      if (!options.nocapture) {
        run.capture = std::make_shared<wasi::MemoryStdio>(kCaptureLimit);
        auto captured = std::make_shared<wasi::WasiConfig>(*view);
        captured->memory_stdio = run.capture;
        test_view = std::move(captured);
      }
      SpawnRequest request = rootProcessRequest(image, test.export_name, std::move(test_view));
      request.capabilities.environment = run.environment;
      ProcessRef process = spawnProcess(std::move(request), &error);
      if (!process) {
        conclude(test, false, "note: the test could not start: " + error + "\n");
        continue;
      }
      running.emplace(process->id, std::move(run));
    }
    if (running.empty()) continue;

    running_ids.clear();
    uint64_t warn_at = UINT64_MAX;
    for (const auto& [id, run] : running) {
      running_ids.push_back(id);
      if (run.warn_at) warn_at = std::min(warn_at, run.warn_at);
    }
    auto [id, death] = scheduler::waitForAny(running_ids, warn_at == UINT64_MAX ? 0 : warn_at);
    if (id == 0) {
      const uint64_t now = nowNanoseconds();
      for (auto& [unused, run] : running) {
        if (run.warn_at && run.warn_at <= now) {
          console.slow(*run.test);
          run.warn_at = 0;
        }
      }
      continue;
    }
    auto it = running.find(id);
    Running run = std::move(it->second);
    running.erase(it);
    registry::forgetEnvironment(run.environment);
    std::string output;
    if (run.capture) output = run.capture->output.take();
    Verdict verdict = judge(*run.test, death, output);
    std::vector<std::string> notes;
    if (run.capture && run.capture->output.overflowed()) {
      notes.push_back("the test wrote more than " + std::to_string(kCaptureLimit >> 20) +
                      " MiB of output: what it wrote past that failed");
    }
    if (!verdict.note.empty()) notes.push_back(std::move(verdict.note));
    // libtest leaves its note without a line end, running it into the next test's section.
    for (const std::string& note : notes) {
      if (!output.empty() && output.back() != '\n') output += '\n';
      output += "note: " + note + "\n";
    }
    conclude(*run.test, verdict.passed, std::move(output));
  }
  double seconds = double(nowNanoseconds() - started) / 1e9;
  return console.runEnd(successes, failures, ignored, selection.filtered_out, seconds) ? 0 : kFailedStatus;
}

}  // namespace

int run(ModuleImage* image, int argc, char** argv, unsigned workers) {
  CommandLine command = parseCommandLine(argc, argv, environ, isatty(STDOUT_FILENO));
  if (!command.help.empty()) {
    std::fputs(command.help.c_str(), stdout);
    return 0;
  }
  if (!command.options) {
    std::fprintf(stderr, "error: %s\n", command.error.c_str());
    return kFailedStatus;
  }
  const Options& options = *command.options;
  Selection selection = selectTests(testsOf(*image), options);
  Console console(options, selection.tests.size());
  if (std::string error = console.openLog(); !error.empty()) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return kFailedStatus;
  }
  if (options.list) {
    for (const TestCase& test : selection.tests) console.listed(test);
    console.listEnd(selection.tests.size());
    return 0;
  }
  return runTests(image, options, selection, workers, console);
}

}  // namespace lunatic::rt::test_mode

// The name main() calls test mode by (abi.h, LUNATIC_TEST_RUNNER).
extern "C" int lunatic_run_tests(lunatic::rt::ModuleImage* image, int argc, char** argv, unsigned workers) {
  return lunatic::rt::test_mode::run(image, argc, argv, workers);
}
