// What lunaticc's commands share: the flags that shape an executable (compiling it, and
// `lunaticc run`, which compiles it into its cache) and the one way a failure is reported.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "compiler/compile.h"

namespace lunaticc {

// Prints `lunaticc: error: FILE: REASON` (FILE left out if empty); returns 1, the exit status.
int fail(const std::string& file, const std::string& reason);

struct ExecutableFlags {
  CompileOptions options;
  bool bounds_checks = false;
  bool no_preempt = false;
  std::vector<std::string> env_grants;  // --env, as given
  std::vector<std::string> dir_grants;  // --dir, as given
};

// Adds -O, --entry, --bounds-checks, --cpu, -s, --codegen-parts, --no-preempt, --serve,
// --env, --dir and --module to `app`, and explains the run-time grants in its footer.
void addExecutableFlags(CLI::App& app, ExecutableFlags& flags);

// Completes flags.options from the parsed flags: "" or what is wrong with them.
std::string applyExecutableFlags(ExecutableFlags& flags);

}  // namespace lunaticc
