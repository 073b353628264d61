// The compiler's pipeline as one call: read and validate a module, lower it to LLVM IR,
// optimise, emit a native object and, unless asked for an object only, link an executable.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "lunatic/abi.h"

namespace lunaticc {

// A host directory the executable's root process is granted (lunaticc --dir HOST[::GUEST]).
struct DirectoryGrant {
  std::string host;   // as given: the runtime opens it when the executable starts
  std::string guest;  // the name the guest sees it under
  bool read_only = false;
};

struct CompileOptions {
  std::string input;               // path of the .wasm
  // --module: more modules compiled into the executable, each a value the program's
  // processes can get with lunatic::process::compile_module and spawn (abi.h,
  // lunatic_main_module_table). Compiled with the same options as `input`.
  std::vector<std::string> modules;
  std::string output;              // path of the executable or object to write
  int opt_level = 2;               // 0..3
  // The export the executable runs. Empty: `_start`; or, if the module exports tests
  // (functions named `#lunatic_test_...`, as lunatic-rs's #[lunatic::test] makes them) and
  // the executable is not a --serve one, test mode: it runs the tests (runtime/test_mode/).
  std::string entry;
  bool object_only = false;        // -c: write an object defining module_symbol, do not link
  std::string module_symbol = "lunatic_main_module";
  lunatic_memory_mode memory_mode = LUNATIC_MEMORY_GUARD_PAGES;
  // --target: what the executable runs on, a name of backend/targets.h; "" the host's.
  std::string target;
  std::string cpu;                 // target CPU for code generation; "" the target's default
  bool strip = false;              // -s: leave the symbol table out of the executable
  // -g: carry the guest's DWARF (its source lines) into the executable's, for gdb and perf
  // (compiler/debuginfo/debug_info.h). It changes no instruction.
  bool debug = false;
  bool emit_llvm = false;          // write textual LLVM IR instead of an object
  bool preempt = true;             // count reductions (passes/preemption/) so processes yield
  unsigned codegen_parts = 0;      // --codegen-parts: 0 chooses (backend/module_split.h)
  // Whether parts are found again in (and stored to) the parts cache (backend/parts_cache.h;
  // --no-cache turns it off). It shapes nothing of the output.
  bool parts_cache = true;
  bool serve = false;              // --serve: an HTTP server running the entry per request (runtime/serve/)
  // --static: one fully static (static-pie) executable that needs no file of the host at
  // run time, for an empty root (backend/link.h).
  bool static_link = false;
  // What the executable grants its root process through WASI (abi.h, lunatic_main_wasi_grants).
  std::vector<std::pair<std::string, std::string>> environment;  // --env KEY=VALUE, as (KEY, VALUE)
  std::vector<DirectoryGrant> directories;                       // --dir
};

// Runs the whole pipeline in this process. Returns an empty string on success, or one line
// explaining why the module was refused. Binaryen's reader ends the process with exit(1) on
// some malformed inputs, so callers that must survive that run this in a child process
// (see backend/isolate.h). If `timings` is not null, it gets where the time went, phase by
// phase (backend/timings.h), as lines of text; if `warnings` is not null, it gets a line
// `lunaticc: warning: FILE: ...` for each module without a name section, and with -g for
// each without DWARF lines.
std::string compile(const CompileOptions& options, std::string* timings = nullptr, std::string* warnings = nullptr);

// Every option that shapes what compile() writes (all but `input`, `output` and
// `parts_cache`), as one string: equal strings, equal outputs from equal inputs. What a
// compile cache keys on (tools/compile_cache.h); a new option must join it.
std::string optionsFingerprint(const CompileOptions& options);

}  // namespace lunaticc
