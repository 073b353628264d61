// The entry point of every executable lunaticc builds: instantiate the module with WASI,
// run its entry export, and exit with its status. A trap prints `trap: <kind>` and a
// backtrace of Wasm function names, then exits with 134, like an abort.
#include <cstdio>

#include "lunatic/embed.h"
#include "wasi.h"

namespace {

constexpr int kTrapStatus = 134;

int finish(lunatic_status status, const lunatic_error& error) {
  switch (status) {
    case LUNATIC_OK: return -1;  // carry on
    case LUNATIC_EXITED: return error.exit_code;
    case LUNATIC_ERROR_TRAP:
      std::fprintf(stderr, "trap: %s\n", lunatic_trap_message(error.trap));
      lunatic_print_trap_backtrace();
      return kTrapStatus;
    default:
      std::fprintf(stderr, "lunatic: error: %s\n", error.message);
      return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  lunatic_linker* linker = lunatic_linker_new();
  lunatic_wasi_define(linker, argc, argv);
  lunatic_instance* instance = nullptr;
  lunatic_error error = {};
  int status = finish(lunatic_instantiate(linker, &lunatic_main_module, &instance, &error), error);
  if (status < 0) {
    // A WASI command's _start takes and returns nothing; room for a few values covers an
    // --entry export with parameters (they are zero) or results (ignored).
    lunatic_value values[16] = {};
    status = finish(lunatic_invoke(instance, lunatic_main_entry, values, &error), error);
  }
  std::fflush(stdout);
  return status < 0 ? 0 : status;
}
