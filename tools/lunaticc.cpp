// lunaticc: compiles a WebAssembly module into a self-contained native executable.
//
//   lunaticc app.wasm -o app [-O0|-O1|-O2|-O3] [--entry NAME] [--bounds-checks] [-s]
//            [--no-preempt] [--env KEY=VALUE]... [--dir HOST[::GUEST][:ro]]... [--serve]
//            [--module plugin.wasm]...
//   lunaticc mod.wasm -c -o mod.o --module-symbol SYM     (an object for embedding)
//   lunaticc run [FLAGS] app.wasm [ARGS...]               (compile into a cache, then run:
//                                                          run_command.h)
//
// This is the driver, which loads neither LLVM nor Binaryen: it runs `lunaticc run` itself
// and hands every other command to the compiler proper, lunaticc-compile
// (lunaticc_compile.cpp; compiler_process.h says why there are two).
#include <cstring>

#include "tools/compiler_process.h"
#include "tools/run_command.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "run") == 0) return lunaticc::runCommand(argc - 1, argv + 1);
  return lunaticc::execCompiler(argv);
}
