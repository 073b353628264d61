// The entry point of an executable built with `lunaticc --serve`: instead of running the
// program once, it serves it over HTTP, running it afresh for each request (server.h; the
// options are in options.cpp's --help). It takes the place of runtime/main/main.cpp.
//
// The program's view is what lunaticc's --env and --dir and LUNATIC_ENV_*/LUNATIC_DIRS
// grant (wasi/grants.h), its arguments just its name; each request adds its CGI variables.
// The directories are opened here, once, at start-up: every request's process shares those
// descriptors (runtime/process/wasi_config.h), so a request opens no directory and never re-reads a name.
// SIGTERM and SIGINT drain: no new connections, the requests in flight are answered, then
// the server exits with status 0 (1 if some were still running after --timeout plus
// --read-timeout).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <thread>

#include "runtime/main/executable.h"
#include "lunatic/abi.h"
#include "runtime/observe/observer.h"
#include "runtime/process/module_image.h"
#include "runtime/process/scheduler.h"
#include "runtime/serve/options.h"
#include "runtime/serve/server.h"
#include "wasi/grants.h"

using namespace lunatic::rt;

namespace {

[[noreturn]] void finish(int status) {
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(status);  // processes may still run on the workers: no static destructors
}

[[noreturn]] void fail(const char* program, const std::string& error) {
  std::fprintf(stderr, "%s: error: %s\n", program, error.c_str());
  finish(1);
}

}  // namespace

int main(int argc, char** argv) {
  prepareExecutable();
  serve::ServeOptions options;
  if (int status = serve::parseServeOptions(argc, argv, &options); status >= 0) finish(status);

  std::string error;
  wasi::WasiConfigPtr view = rootWasiConfig(1, argv, lunatic_main_wasi_grants, environ, &error);
  if (!view) fail(argv[0], error);
  ModuleImage* image = ModuleImage::of(&lunatic_main_module, &error);
  if (!image) fail(argv[0], error);
  if (!image->exportedFunction(lunatic_main_entry)) fail(argv[0], std::string("no export ") + lunatic_main_entry + " to run");

  // Before the server's log thread starts, so that every thread inherits its signal mask.
  if (error = observe::startObserver(options.metrics_listen); !error.empty()) fail(argv[0], error);

  // Only this thread takes the signals that stop the server; the workers, started after,
  // inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // The server lives until _exit: workers may use it up to the end.
  static serve::Server server(options, image, lunatic_main_entry, std::move(view));
  if (error = server.open(); !error.empty()) fail(argv[0], error);
  scheduler::start(options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency()));
  if (error = server.start(); !error.empty()) fail(argv[0], error);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.serverLog().write(std::string("lunatic: ") + strsignal(signal_number) + ": finishing the requests in flight");
  uint64_t grace_ms = options.timeout_ms + options.read_timeout_ms;
  bool drained = server.drain(nowNanoseconds() + grace_ms * 1'000'000);
  if (!drained) server.serverLog().write("lunatic: some connections were still busy; exiting anyway");
  server.accessLog().flush();
  server.serverLog().flush();
  finish(drained ? 0 : 1);
}
