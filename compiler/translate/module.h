// Lowers a validated Binaryen module to an LLVM module that follows runtime/include/lunatic/abi.h:
// one native function per Wasm function, array entries for the ones that escape, the
// `initialize` function and the lunatic_module descriptor.
#pragma once

#include <binaryen-c.h>

#include <memory>
#include <string>

#include "compiler/frontend/module_info.h"
#include "lunatic/abi.h"

namespace llvm {
class LLVMContext;
class Module;
}

namespace lunaticc {

class GuestDebugInfo;

struct TranslateOptions {
  lunatic_memory_mode memory_mode = LUNATIC_MEMORY_GUARD_PAGES;
  // Symbol of the emitted lunatic_module constant (external linkage).
  std::string module_symbol = "lunatic_main_module";
  // Section that holds every generated function. It must be a C identifier, so that the
  // linker defines __start_<section> and __stop_<section>, which become code_start/code_end.
  std::string code_section = "lunatic_code";
  // Module name written into the descriptor (for diagnostics).
  std::string module_name = "main";
  // The target's data layout (compiler/backend/codegen.h), so that loads and stores get its alignments.
  std::string data_layout;
  // The CPU and features code is generated for ("x86-64-v2", "+avx2,..."); with "native"
  // resolved by the caller. When set, every function carries them as "target-cpu" and
  // "target-features", which LLVM's code generator picks instructions by.
  std::string target_cpu;
  std::string target_features;
  // Whether the target's code generator calls lunatic_stack_probe before allocating a large
  // frame (x86-64; backend/targets.h): then every function names it as its "probe-stack".
  bool stack_probe_function = true;
  // Debug info (compiler/debuginfo/debug_info.h): a subprogram per function and a location
  // on all code, the guest's own lines where `guest_debug` is given (lunaticc -g).
  bool debug_info = false;
  const GuestDebugInfo* guest_debug = nullptr;
};

// Returns nullptr and sets `error` (one line, no "error:" prefix) when the module uses
// something the compiler does not support. Never aborts on a module Binaryen validated.
//
// Binaryen 108's C API has no getters for memory limits, memory import names, table element
// types, the start function, or element/data segments beyond constant offsets and function
// names. `info` carries those, read from the same binary (compiler/frontend/module_info.h); take them from
// there, and everything else (functions, bodies, globals, exports) from Binaryen.
std::unique_ptr<llvm::Module> translateModule(BinaryenModuleRef module, const ModuleInfo& info,
                                              llvm::LLVMContext& context,
                                              const TranslateOptions& options, std::string& error);

}  // namespace lunaticc
