// Test mode's command line, read as libtest reads it (options.h).
#include "runtime/test_mode/options.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace lunatic::rt::test_mode {
namespace {

constexpr const char* kHelp =
    "Usage: %s [OPTIONS] [FILTERS...]\n"
    "\n"
    "Runs the module's tests (its exports named #lunatic_test_...), each as the root process\n"
    "of an environment of its own, and reports as Rust's libtest does.\n"
    "\n"
    "Options:\n"
    "        --include-ignored\n"
    "                        Run ignored and not ignored tests\n"
    "        --ignored       Run only ignored tests\n"
    "        --exclude-should-panic\n"
    "                        Excludes tests marked as should_panic\n"
    "        --test          Run tests and not benchmarks\n"
    "        --bench         Run benchmarks instead of tests (there are none: every test\n"
    "                        is reported ignored)\n"
    "        --list          List all tests and benchmarks\n"
    "        --logfile PATH  Write logs to the specified file\n"
    "        --nocapture     don't capture stdout/stderr of each task, allow printing\n"
    "                        directly\n"
    "        --test-threads n_threads\n"
    "                        Number of tests to run at once (default: all of them)\n"
    "        --skip FILTER   Skip tests whose names contain FILTER (this flag can be used\n"
    "                        multiple times)\n"
    "    -q, --quiet         Display one character per test instead of one line. Alias\n"
    "                        to --format=terse\n"
    "        --exact         Exactly match filters rather than by substring\n"
    "        --color auto|always|never\n"
    "                        Configure coloring of output\n"
    "        --format pretty|terse\n"
    "                        Configure formatting of output\n"
    "        --show-output   Show captured stdout of successful tests\n"
    "    -Z unstable-options, --report-time, --ensure-time, --shuffle, --shuffle-seed SEED,\n"
    "        --force-run-in-process\n"
    "                        Accepted, without effect\n"
    "    -h, --help          Display this message\n"
    "\n"
    "A FILTER selects the tests whose path (module::name) contains it. Tests run all at once\n"
    "unless --test-threads or RUST_TEST_THREADS says otherwise; RUST_TEST_NOCAPTURE=1 is\n"
    "--nocapture.\n";

// The options libtest knows, and whether each takes a value.
struct Flag {
  std::string_view name;  // long name, without the dashes
  char short_name;        // 0: none
  bool takes_value;
};
constexpr Flag kFlags[] = {
    {"include-ignored", 0, false}, {"ignored", 0, false},     {"exclude-should-panic", 0, false},
    {"test", 0, false},            {"bench", 0, false},       {"list", 0, false},
    {"logfile", 0, true},          {"nocapture", 0, false},   {"test-threads", 0, true},
    {"skip", 0, true},             {"quiet", 'q', false},     {"exact", 0, false},
    {"color", 0, true},            {"format", 0, true},       {"show-output", 0, false},
    {"unstable-options", 'Z', true}, {"report-time", 0, false}, {"ensure-time", 0, false},
    {"shuffle", 0, false},         {"shuffle-seed", 0, true}, {"force-run-in-process", 0, false},
    {"help", 'h', false},
};

const Flag* flagNamed(std::string_view name) {
  for (const Flag& flag : kFlags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

const Flag* flagWithShortName(char name) {
  for (const Flag& flag : kFlags) {
    if (flag.short_name == name) return &flag;
  }
  return nullptr;
}

const char* variable(char** environment, std::string_view name) {
  for (char** entry = environment; entry && *entry; ++entry) {
    std::string_view text = *entry;
    if (text.size() > name.size() && text.starts_with(name) && text[name.size()] == '=') {
      return *entry + name.size() + 1;
    }
  }
  return nullptr;
}

// A count of test threads, as libtest accepts it: a whole number above 0.
bool readThreadCount(std::string_view text, unsigned* count) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string_view::npos) return false;
  *count = unsigned(std::strtoul(std::string(text).c_str(), nullptr, 10));
  return *count > 0;
}

}  // namespace

CommandLine parseCommandLine(int argc, char** argv, char** environment, bool stdout_is_terminal) {
  CommandLine result;
  Options options;
  auto refuse = [&](std::string why) {
    result.error = std::move(why);
    return result;
  };
  std::string color = "auto";
  bool bench = false, test = false, include_ignored = false, ignored = false;
  bool threads_given = false;
  bool options_end = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (options_end || arg == "-" || !arg.starts_with('-')) {
      options.filters.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_end = true;
      continue;
    }
    const Flag* flag = nullptr;
    std::optional<std::string_view> value;
    std::string_view spelled;  // as getopts names it in errors
    if (arg.starts_with("--")) {
      std::string_view name = arg.substr(2);
      if (size_t equals = name.find('='); equals != std::string_view::npos) {
        value = name.substr(equals + 1);
        name = name.substr(0, equals);
      }
      flag = flagNamed(name);
      spelled = name;
    } else {
      flag = arg.size() >= 2 ? flagWithShortName(arg[1]) : nullptr;
      spelled = arg.substr(1, 1);
      if (flag && arg.size() > 2) {
        if (!flag->takes_value) flag = nullptr;  // "-qx": getopts would read x as an option
        else value = arg.substr(2);
      }
    }
    if (!flag) return refuse("Unrecognized option: '" + std::string(arg.substr(arg.starts_with("--") ? 2 : 1)) + "'");
    if (flag->takes_value && !value) {
      if (i + 1 >= argc) return refuse("Argument to option '" + std::string(spelled) + "' missing");
      value = argv[++i];
    } else if (!flag->takes_value && value) {
      return refuse("Option '" + std::string(spelled) + "' does not take an argument");
    }
    std::string_view name = flag->name;
    if (name == "help") {
      std::string text(kHelp);
      std::string program = argc > 0 && argv[0] ? argv[0] : "test";
      text.replace(text.find("%s"), 2, program);
      result.help = std::move(text);
      return result;
    }
    if (name == "include-ignored") include_ignored = true;
    else if (name == "ignored") ignored = true;
    else if (name == "exclude-should-panic") options.exclude_should_panic = true;
    else if (name == "test") test = true;
    else if (name == "bench") bench = true;
    else if (name == "list") options.list = true;
    else if (name == "logfile") options.logfile = std::string(*value);
    else if (name == "nocapture") options.nocapture = true;
    else if (name == "show-output") options.show_output = true;
    else if (name == "exact") options.exact = true;
    else if (name == "skip") options.skip.emplace_back(*value);
    else if (name == "quiet") options.format = Format::Terse;
    else if (name == "color") color = std::string(*value);
    else if (name == "test-threads") {
      if (!readThreadCount(*value, &options.test_threads)) {
        return refuse("argument for --test-threads must be a number > 0 (was " + std::string(*value) + ")");
      }
      threads_given = true;
    } else if (name == "format") {
      if (*value == "pretty") options.format = Format::Pretty;
      else if (*value == "terse") options.format = Format::Terse;
      else if (*value == "json" || *value == "junit") {
        return refuse("the \"" + std::string(*value) + "\" format is not supported by lunaticc's test mode");
      } else {
        return refuse("argument for --format must be pretty, terse, json or junit (was " + std::string(*value) + ")");
      }
    }
    // The rest (-Z, --report-time, --ensure-time, --shuffle, --shuffle-seed,
    // --force-run-in-process) change nothing here.
  }
  if (ignored && include_ignored) return refuse("the options --include-ignored and --ignored are mutually exclusive");
  options.run_ignored = ignored ? RunIgnored::Only : include_ignored ? RunIgnored::Also : RunIgnored::No;
  options.run_tests = test || !bench;
  if (!threads_given) {
    if (const char* threads = variable(environment, "RUST_TEST_THREADS")) {
      if (!readThreadCount(threads, &options.test_threads)) {
        return refuse(std::string("RUST_TEST_THREADS is `") + threads + "`, should be a positive integer.");
      }
    }
  }
  if (!options.nocapture) {
    const char* nocapture = variable(environment, "RUST_TEST_NOCAPTURE");
    options.nocapture = nocapture && std::strcmp(nocapture, "0") != 0;
  }
  if (color == "auto") options.color = stdout_is_terminal;
  else if (color == "always") options.color = true;
  else if (color == "never") options.color = false;
  else return refuse("argument for --color must be auto, always, or never (was " + color + ")");
  result.options = std::move(options);
  return result;
}

}  // namespace lunatic::rt::test_mode
