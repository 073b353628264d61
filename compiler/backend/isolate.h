// Running the compiler in a child process, so that nothing a module does to the compiler
// (Binaryen's exit(1) on malformed input, an LLVM crash) reaches the user as anything but
// one clear error line.
#pragma once

#include <functional>
#include <string>

namespace lunaticc {

// Runs `job` in a forked child and returns its result: an empty string for success, else
// one line. If the child ends without reporting (exit, signal), the line says how, with
// the most telling diagnostic the child printed (Binaryen's parse or validation message).
// What the job puts in `report` (its own output: the child's stdout and stderr are kept for
// diagnostics) comes back in `report`, if not null, whether it succeeded or failed.
std::string runIsolated(const std::function<std::string(std::string* report)>& job, std::string* report = nullptr);

}  // namespace lunaticc
