// `lunaticc run [FLAGS] app.wasm [ARGS...]`: runs a module as if it were a native program,
// compiling it only when its compile cache (compile_cache.h) has no executable for this
// module, these flags and this lunaticc. Made to be cargo's runner for wasm32-wasi:
//     [target.wasm32-wasi]
//     runner = "lunaticc run"
// so that `cargo run` and `cargo test` run lunatic-rs programs and test binaries (a test
// binary's executable runs in test mode, with libtest's arguments: runtime/test_mode/).
//
// FLAGS are the executable flags of flags.h; what follows the module goes to the program.
// The program replaces lunaticc (execv): it keeps lunaticc's process, standard streams,
// environment and signals, and its exit status is the run's. Its argv[0] is the module's
// path as given, as `lunatic run` gives it.
#pragma once

namespace lunaticc {

// argv[0] is "run". Returns only on failure (the exit status, after one error line).
int runCommand(int argc, char** argv);

}  // namespace lunaticc
