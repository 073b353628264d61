// The flags lunaticc's commands share (flags.h).
#include "tools/flags.h"

#include <cstdio>

#include "compiler/backend/targets.h"
#include "lunatic/directory_grant.h"

namespace lunaticc {
namespace {

// What the executable grants at run time on top of its flags (wasi/grants.h), for --help.
constexpr const char* kRunTimeGrants =
    "The root process sees the executable's arguments, the variables and directories granted\n"
    "with --env and --dir, and those the environment it runs in grants:\n"
    "  LUNATIC_ENV_<KEY>=<value>                        the variable KEY=value\n"
    "  LUNATIC_DIRS=HOST[::GUEST][:ro][:...]            directories, ':'-separated like PATH\n"
    "Nothing else of the host's environment or file system. Granted directories must exist\n"
    "when the executable starts. LUNATIC_THREADS sets the number of worker threads.\n"
    "A module that exports tests (#lunatic_test_..., as lunatic-rs's #[lunatic::test] makes\n"
    "them) and is built without --entry runs its tests, taking the arguments of Rust's libtest.";

// Turns --env and --dir items into grants; "" or what is wrong with one.
std::string readGrants(const std::vector<std::string>& env, const std::vector<std::string>& dirs,
                       CompileOptions& options) {
  for (const std::string& item : env) {
    size_t equals = item.find('=');
    if (equals == 0 || equals == std::string::npos) return "--env wants KEY=VALUE, not '" + item + "'";
    options.environment.emplace_back(item.substr(0, equals), item.substr(equals + 1));
  }
  for (const std::string& item : dirs) {
    lunatic::DirectoryGrantSyntax grant = lunatic::parseDirectoryGrant(item);
    if (grant.host.empty() || grant.guest.empty())
      return "--dir wants HOST, HOST::GUEST or either with :ro, not '" + item + "'";
    options.directories.push_back({std::string(grant.host), std::string(grant.guest), grant.read_only});
  }
  return {};
}

}  // namespace

int fail(const std::string& file, const std::string& reason) {
  std::fprintf(stderr, "lunaticc: error: %s%s%s\n", file.c_str(), file.empty() ? "" : ": ", reason.c_str());
  return 1;
}

void addExecutableFlags(CLI::App& app, ExecutableFlags& flags) {
  CompileOptions& options = flags.options;
  app.add_option("-O", options.opt_level, "optimisation level, 0 to 3 (default 2)")->check(CLI::Range(0, 3));
  app.add_option("--entry", options.entry,
                 "export the executable runs (default _start, or the module's tests if it exports any)");
  app.add_flag("--bounds-checks", flags.bounds_checks,
               "check every memory access explicitly instead of reserving guard pages");
  app.add_option("--target", options.target, "the machine the executable runs on: " + targetNames())
      ->check([](const std::string& name) { return findTarget(name) ? "" : "unknown target " + name; });
  app.add_option("--cpu", options.cpu,
                 "target CPU: x86-64, x86-64-v2 (default), ..., native; for aarch64-linux-gnu generic "
                 "(default, ARMv8.0-A), neoverse-n1, cortex-a76, ...");
  app.add_flag("-s,--strip", options.strip, "leave symbols out of the executable");
  app.add_flag("-g", options.debug,
               "keep the guest's debug info (from clang -g or rustc -g): gdb and perf then show its source "
               "lines; the code is the same as without");
  app.add_option("--codegen-parts", options.codegen_parts,
                 "cut code generation into this many parts, compiled in parallel (default: by "
                 "the module's size, up to one per core); oversized functions get parts of their own")
      ->check(CLI::Range(1, 64));
  app.add_flag("--no-preempt", flags.no_preempt,
               "leave reduction counting out: the code never yields its thread (to measure its cost)");
  app.add_flag("--serve", options.serve,
               "build an HTTP server that runs the program afresh for each request: body on stdin, "
               "CGI variables as environment, stdout as the answer (run it with --help)");
  app.add_flag("--static", options.static_link,
               "link one fully static executable that needs no library or file of the host, for an "
               "empty root (FROM scratch); DNS and TLS certificates: see the README");
  app.add_option("--env", flags.env_grants, "grant the root process the environment variable KEY=VALUE (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  app.add_option("--dir", flags.dir_grants,
                 "grant the root process the host directory HOST, which the guest sees as GUEST "
                 "(default: HOST as written), read-only with :ro (repeatable)")
      ->type_name("HOST[::GUEST][:ro]")
      ->allow_extra_args(false);
  app.add_option("--module", options.modules,
                 "compile this module into the executable too, with the same flags, for its processes to "
                 "get with lunatic::process::compile_module (its exact bytes) and spawn (repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  app.footer(kRunTimeGrants);
}

std::string applyExecutableFlags(ExecutableFlags& flags) {
  if (std::string error = readGrants(flags.env_grants, flags.dir_grants, flags.options); !error.empty()) return error;
  flags.options.memory_mode = flags.bounds_checks ? LUNATIC_MEMORY_BOUNDS_CHECKED : LUNATIC_MEMORY_GUARD_PAGES;
  flags.options.preempt = !flags.no_preempt;
  return {};
}

}  // namespace lunaticc
