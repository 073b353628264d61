// lunaticc is two executables: `lunaticc`, the driver, which loads neither LLVM nor Binaryen
// (their shared libraries take some 20 ms to load, most of what a cached `lunaticc run` would
// cost), and `lunaticc-compile` beside it, the compiler proper, which the driver runs for
// every compilation: in its own place (exec) for `lunaticc app.wasm -o app`, as a child for
// `lunaticc run` when the module is not in the cache yet.
#pragma once

#include <string>
#include <vector>

namespace lunaticc {

// The path of lunaticc-compile: beside the running lunaticc.
std::string compilerPath();

// Replaces this process with lunaticc-compile, given `argv` (argv[0] stays). Returns only if
// that fails: the exit status, after one error line.
int execCompiler(char** argv);

// Runs lunaticc-compile with `args` (its argv[1...]) and waits: its exit status (its error
// lines went to our stderr), or 1 after one error line if it could not run or died.
int runCompiler(const std::vector<std::string>& args);

}  // namespace lunaticc
