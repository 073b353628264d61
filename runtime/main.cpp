// The entry point of every executable lunaticc builds: start the scheduler, run the entry
// export of the module as the root process, and exit with the root process's status as
// soon as it ends, whatever other processes are still running (docs/architecture.md):
//   returned normally: 0; proc_exit(n): n; a trap: `trap: <kind>` (`trap: <function>: <why>`
//   if a host function refused its input), a backtrace of Wasm function names, and 134 like
//   an abort; killed: 137 like SIGKILL.
// The root process sees the arguments, environment and directories of wasi_grants.h; a grant
// that cannot be honoured (a directory that does not exist) is an error before it starts.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "executable.h"
#include "lunatic/embed.h"
#include "process/module_image.h"
#include "process/scheduler.h"
#include "trap.h"
#include "wasi_grants.h"

namespace {

using namespace lunatic::rt;

constexpr int kTrapStatus = 134;
constexpr int kKilledStatus = 137;

unsigned workerThreads() {
  if (const char* value = std::getenv("LUNATIC_THREADS")) {
    char* end = nullptr;
    unsigned long n = std::strtoul(value, &end, 10);
    if (end != value && *end == 0 && n >= 1 && n <= 1024) return unsigned(n);
    std::fprintf(stderr, "lunatic: warning: ignoring LUNATIC_THREADS=%s (want 1 to 1024)\n", value);
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
  wasi::WasiConfigPtr grants = rootWasiConfig(argc, argv, lunatic_main_wasi_grants, environ, &error);
  if (!grants) {
    std::fprintf(stderr, "lunatic: error: %s\n", error.c_str());
    finish(1);
  }
  ModuleImage* image = ModuleImage::of(&lunatic_main_module, &error);
  if (!image) {
    std::fprintf(stderr, "lunatic: error: %s\n", error.c_str());
    finish(1);
  }
  scheduler::start(workerThreads());

  SpawnRequest root;
  root.image = image;
  root.function = lunatic_main_entry;
  root.function_length = std::strlen(lunatic_main_entry);
  // A WASI command's _start takes nothing; an --entry export with parameters gets zeros.
  if (const char* signature = image->exportSignature(lunatic_main_entry)) {
    for (const char* c = signature; *c && *c != ':'; ++c) {
      root.params.emplace_back();
      root.param_types.push_back(*c);
    }
  }
  root.capabilities.wasi = std::move(grants);
  root.watched = true;
  root.report_traps = false;
  ProcessRef process = spawnProcess(std::move(root), &error);
  if (!process) {
    std::fprintf(stderr, "lunatic: error: %s\n", error.c_str());
    finish(1);
  }
  ProcessId id = process->id;
  process = {};
  Death death = scheduler::waitFor(id);
  if (!death.failed) finish(0);
  if (death.trap == 0) finish(death.exit_code);
  if (death.trap == kKilledKind) finish(kKilledStatus);
  // A host function that refused the root process's input says which and why instead.
  std::fprintf(stderr, "trap: %s\n",
               death.host_failure.empty() ? lunatic_trap_message(death.trap) : death.host_failure.c_str());
  std::fputs(death.backtrace.c_str(), stderr);
  finish(kTrapStatus);
}
