// lunaticc-compile: the compiler proper, which the lunaticc driver runs for every command but
// `run` (compiler_process.h); its command line is lunaticc's:
//
//   lunaticc app.wasm -o app [-O0|-O1|-O2|-O3] [--entry NAME] [--bounds-checks] [-s]
//            [--no-preempt] [--env KEY=VALUE]... [--dir HOST[::GUEST][:ro]]... [--serve]
//            [--module plugin.wasm]...
//   lunaticc mod.wasm -c -o mod.o --module-symbol SYM     (an object for embedding)
//   [--no-cache] [--timings] [-w]
//
// Every failure is one line `lunaticc: error: FILE: REASON` and exit status 1. The
// compilation runs in a child process (compiler/backend/isolate.h), so no input can crash it.
#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <string>

#include "compiler/backend/isolate.h"
#include "tools/flags.h"
#include "tools/version.h"

namespace {

constexpr const char* kPartsCacheHelp =
    "A large module is compiled in parts, on every core. Each part's object goes to a cache,\n"
    "keyed by what the part is made of, the flags and this lunaticc, so that compiling the\n"
    "module again after a change to a few functions compiles only the parts that hold them.\n"
    "The cache is $LUNATICC_CACHE_DIR, else $XDG_CACHE_HOME/lunaticc, else ~/.cache/lunaticc,\n"
    "shared with `lunaticc run` and kept to $LUNATICC_CACHE_SIZE (default 1G) in all; a cache\n"
    "that cannot be made is done without.";

}  // namespace

int main(int argc, char** argv) {
  lunaticc::ExecutableFlags flags;
  lunaticc::CompileOptions& options = flags.options;
  CLI::App app{"lunaticc: compile a WebAssembly module into a native executable\n"
               "(`lunaticc run --help`: compile into a cache and run)",
               "lunaticc"};
  app.add_option("input", options.input, "WebAssembly binary (.wasm)")->required();
  app.add_option("-o", options.output, "output file")->required();
  lunaticc::addExecutableFlags(app, flags);
  app.add_flag("-c", options.object_only, "write an object file instead of an executable");
  app.add_option("--module-symbol", options.module_symbol,
                 "with -c: symbol of the module descriptor (a C identifier)");
  app.add_flag("--emit-llvm", options.emit_llvm, "write optimised LLVM IR instead (of a module compiled in parts, the parts one after another)");
  bool no_cache = false, timings = false, no_warnings = false;
  app.add_flag("--no-cache", no_cache,
               "compile every part afresh, and store none: without it, the parts of the module that were "
               "compiled before, by this lunaticc with these flags, come from the cache (see below)");
  app.add_flag("-w", no_warnings, "print no warnings (errors still go to stderr)");
  app.add_flag("--timings", timings, "print where the compilation's time went, phase by phase, on stderr");
  app.set_version_flag("--version", lunaticc::kVersionText, "print the version of lunaticc, LLVM and Binaryen, and the targets");
  app.footer(app.get_footer() + "\n\n" + kPartsCacheHelp);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return lunaticc::fail("", e.what());
  }
  if (options.module_symbol.empty() ||
      options.module_symbol.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos ||
      std::isdigit(static_cast<unsigned char>(options.module_symbol[0]))) {
    return lunaticc::fail("", "--module-symbol must be a C identifier");
  }
  if (std::string error = lunaticc::applyExecutableFlags(flags); !error.empty()) return lunaticc::fail("", error);
  if (options.object_only && (!options.environment.empty() || !options.directories.empty())) {
    return lunaticc::fail("", "--env and --dir grant an executable's root process: they do not go with -c");
  }
  if (!options.modules.empty() && (options.object_only || options.emit_llvm)) {
    return lunaticc::fail("", "--module builds an executable of several modules: it does not go with -c or --emit-llvm");
  }
  if (options.serve && (options.object_only || options.emit_llvm)) {
    return lunaticc::fail("", "--serve builds an executable: it does not go with -c or --emit-llvm");
  }

  options.parts_cache = !no_cache;
  std::string report;
  std::string error = lunaticc::runIsolated(
      [&](std::string* job_report) {
        std::string timings_report, warnings;
        std::string job_error = lunaticc::compile(options, timings ? &timings_report : nullptr,
                                                  no_warnings ? nullptr : &warnings);
        *job_report = warnings + timings_report;
        return job_error;
      },
      &report);
  std::fputs(report.c_str(), stderr);
  return error.empty() ? 0 : lunaticc::fail(options.input, error);
}
