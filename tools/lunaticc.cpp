// lunaticc: compiles a WebAssembly module into a self-contained native executable.
//
//   lunaticc app.wasm -o app [-O0|-O1|-O2|-O3] [--entry NAME] [--bounds-checks] [-s]
//            [--no-preempt] [--env KEY=VALUE]... [--dir HOST[::GUEST][:ro]]... [--serve]
//   lunaticc mod.wasm -c -o mod.o --module-symbol SYM     (an object for embedding)
//
// Every failure is one line `lunaticc: error: FILE: REASON` and exit status 1. The
// compilation runs in a child process (compiler/isolate.h) so no input can crash the driver.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "compile.h"
#include "isolate.h"
#include "lunatic/directory_grant.h"

namespace {

int fail(const std::string& file, const std::string& reason) {
  std::fprintf(stderr, "lunaticc: error: %s%s%s\n", file.c_str(), file.empty() ? "" : ": ",
               reason.c_str());
  return 1;
}

// What the executable grants at run time on top of its flags (runtime/wasi_grants.h), for --help.
constexpr const char* kRunTimeGrants =
    "The root process sees the executable's arguments, the variables and directories granted\n"
    "with --env and --dir, and those the environment it runs in grants:\n"
    "  LUNATIC_ENV_<KEY>=<value>                        the variable KEY=value\n"
    "  LUNATIC_DIRS=HOST[::GUEST][:ro][:...]            directories, ':'-separated like PATH\n"
    "Nothing else of the host's environment or file system. Granted directories must exist\n"
    "when the executable starts. LUNATIC_THREADS sets the number of worker threads.";

// Turns --env and --dir items into grants; "" or what is wrong with one.
std::string readGrants(const std::vector<std::string>& env, const std::vector<std::string>& dirs,
                       lunaticc::CompileOptions& options) {
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

int main(int argc, char** argv) {
  lunaticc::CompileOptions options;
  bool bounds_checks = false;

  CLI::App app{"lunaticc: compile a WebAssembly module into a native executable"};
  app.add_option("input", options.input, "WebAssembly binary (.wasm)")->required();
  app.add_option("-o", options.output, "output file")->required();
  app.add_option("-O", options.opt_level, "optimisation level, 0 to 3 (default 2)")
      ->check(CLI::Range(0, 3));
  app.add_option("--entry", options.entry, "export the executable runs (default _start)");
  app.add_flag("-c", options.object_only, "write an object file instead of an executable");
  app.add_option("--module-symbol", options.module_symbol,
                 "with -c: symbol of the module descriptor (a C identifier)");
  app.add_flag("--bounds-checks", bounds_checks,
               "check every memory access explicitly instead of reserving guard pages");
  app.add_option("--cpu", options.cpu, "target CPU: x86-64, x86-64-v2 (default), ..., native");
  app.add_flag("-s,--strip", options.strip, "leave symbols out of the executable");
  app.add_flag("--emit-llvm", options.emit_llvm, "write optimised LLVM IR instead (of a module compiled in parts, the parts one after another)");
  app.add_option("--codegen-parts", options.codegen_parts,
                 "cut code generation into this many parts, compiled in parallel (default: by "
                 "the module's size, up to one per core)")
      ->check(CLI::Range(1, 64));
  bool no_preempt = false;
  app.add_flag("--no-preempt", no_preempt,
               "leave reduction counting out: the code never yields its thread (to measure its cost)");
  app.add_flag("--serve", options.serve,
               "build an HTTP server that runs the program afresh for each request: body on stdin, "
               "CGI variables as environment, stdout as the answer (run it with --help)");
  std::vector<std::string> env_grants, dir_grants;
  app.add_option("--env", env_grants, "grant the root process the environment variable KEY=VALUE (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  app.add_option("--dir", dir_grants,
                 "grant the root process the host directory HOST, which the guest sees as GUEST "
                 "(default: HOST as written), read-only with :ro (repeatable)")
      ->type_name("HOST[::GUEST][:ro]")
      ->allow_extra_args(false);
  app.footer(kRunTimeGrants);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail("", e.what());
  }
  if (options.module_symbol.empty() ||
      options.module_symbol.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos ||
      std::isdigit(static_cast<unsigned char>(options.module_symbol[0]))) {
    return fail("", "--module-symbol must be a C identifier");
  }
  if (std::string error = readGrants(env_grants, dir_grants, options); !error.empty()) return fail("", error);
  if (options.object_only && (!options.environment.empty() || !options.directories.empty())) {
    return fail("", "--env and --dir grant an executable's root process: they do not go with -c");
  }
  if (options.serve && (options.object_only || options.emit_llvm)) {
    return fail("", "--serve builds an executable: it does not go with -c or --emit-llvm");
  }
  options.memory_mode =
      bounds_checks ? LUNATIC_MEMORY_BOUNDS_CHECKED : LUNATIC_MEMORY_GUARD_PAGES;
  options.preempt = !no_preempt;

  std::string error = lunaticc::runIsolated([&] { return lunaticc::compile(options); });
  return error.empty() ? 0 : fail(options.input, error);
}
