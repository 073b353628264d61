// The entry point of every executable lunaticc builds: start the scheduler, run the entry
// export of the module as the root process, and exit with the root process's status as
// soon as it ends, whatever other processes are still running (docs/architecture.md):
//   returned normally: 0; proc_exit(n): n; a trap: `trap: <kind>` (`trap: <function>: <why>`
//   if a host function refused its input), a backtrace of Wasm function names, and 134 like
//   an abort; killed: 137 like SIGKILL.
// The root process sees the arguments, environment and directories of wasi/grants.h; a grant
// that cannot be honoured (a directory that does not exist) is an error before it starts.
// An executable built from a module with tests and no --entry runs them instead
// (test_mode/test_mode.h). SIGUSR1 lists its processes on stderr, and LUNATIC_METRICS_LISTEN
// serves its metrics (observe/observer.h): its arguments are the guest's, so no flag.
// The one exception: flags in front of them (--node NAME@HOST --cookie ... and the rest of
// distributed/options.h) make the executable a node of an Erlang distribution cluster; with
// --no-main it runs no entry and hosts the processes other nodes spawn on it until killed.
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "runtime/distributed/node.h"
#include "runtime/log.h"
#include "runtime/main/executable.h"
#include "runtime/observe/observer.h"
#include "lunatic/abi.h"
#include "runtime/process/module_image.h"
#include "runtime/process/scheduler.h"
#include "runtime/main/root_process.h"
#include "runtime/trap.h"
#include "wasi/grants.h"

// Linked in only for a module built for test mode (abi.h, LUNATIC_TEST_RUNNER).
extern "C" int lunatic_run_tests(lunatic::rt::ModuleImage* image, int argc, char** argv, unsigned workers)
    __attribute__((weak));

namespace {

using namespace lunatic::rt;

constexpr int kTrapStatus = 134;
constexpr int kKilledStatus = 137;

unsigned workerThreads() {
  if (const char* value = std::getenv("LUNATIC_THREADS")) {
    char* end = nullptr;
    unsigned long n = std::strtoul(value, &end, 10);
    if (end != value && *end == 0 && n >= 1 && n <= 1024) return unsigned(n);
    log::warn(std::string("ignoring LUNATIC_THREADS=") + value + " (want 1 to 1024)");
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

[[noreturn]] void finish(int status) {
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(status);  // other processes may still run on the workers: no static destructors
}

}  // namespace

int main(int argc, char** argv) {
  prepareExecutable();
  std::string error;
  ModuleImage* image = ModuleImage::of(&lunatic_main_module, &error);
  if (!image) {
    log::error(error);
    finish(1);
  }
  // Before any thread starts: they inherit the signal mask it sets.
  if (error = observe::startObserver(""); !error.empty()) {
    log::error(error);
    finish(1);
  }
  if (lunatic_main_entry[0] == 0) {
    if (!lunatic_run_tests) {
      log::error("this executable has no entry and no test mode");
      finish(1);
    }
    finish(lunatic_run_tests(image, argc, argv, workerThreads()));
  }
  std::optional<distributed::NodeOptions> node = distributed::takeNodeOptions(argc, argv, &error);
  if (!error.empty()) {
    log::error(error);
    finish(2);
  }
  if (node && !distributed::startNode) {
    log::error("--node: this program does not use lunatic::distributed, so it cannot be a node");
    finish(2);
  }
  wasi::WasiConfigPtr grants = rootWasiConfig(argc, argv, lunatic_main_wasi_grants, environ, &error);
  if (!grants) {
    log::error(error);
    finish(1);
  }
  scheduler::start(workerThreads());
  if (node) {
    if (!distributed::startNode(*node, &error)) {
      log::error(error);
      finish(1);
    }
    if (node->no_main) {
      for (;;) pause();
    }
  }

  SpawnRequest root = rootProcessRequest(image, lunatic_main_entry, std::move(grants));
  root.capabilities.can_spawn_on_nodes = node.has_value();
  ProcessRef process = spawnProcess(std::move(root), &error);
  if (!process) {
    log::error(error);
    finish(1);
  }
  ProcessId id = process->id;
  process = {};
  Death death = scheduler::waitFor(id);
  if (!death.failed) finish(0);
  if (death.trap == 0) finish(death.exit_code);
  if (death.trap == kKilledKind) finish(kKilledStatus);
  std::fputs(trapReport(death).c_str(), stderr);
  finish(kTrapStatus);
}
