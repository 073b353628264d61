// Test mode: what an executable does when lunaticc built it from a module that exports tests
// (#lunatic_test_..., tests.h) without being told an --entry. It runs the tests the way
// upstream Lunatic's test mode does, and reads its arguments and reports as Rust's libtest,
// so that `cargo test` with lunaticc as the runner behaves as it does natively.
//
// Each selected test runs as the root process of an environment of its own (a registry of
// its own: Capabilities::environment), with the view testWasiConfig gives (wasi/grants.h)
// and its stdout and stderr captured together in memory (runtime/io/memory_stdio.h), which its
// children share (as a native test's threads share its capture). Tests start all at once
// unless --test-threads bounds them; a test is over when its root process is, whatever its
// other processes still do. Results are printed as tests end; the captured output of those
// that failed follows, and the executable exits with 0 if all passed, else 101.
#pragma once

namespace lunatic::rt {
class ModuleImage;
}

namespace lunatic::rt::test_mode {

// Runs (or lists) the tests of `image`'s module as the command line asks, on `workers`
// worker threads; returns the exit status. Starts the scheduler when it runs tests.
int run(ModuleImage* image, int argc, char** argv, unsigned workers);

}  // namespace lunatic::rt::test_mode
