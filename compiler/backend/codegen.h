// LLVM's half of the pipeline: optimise a module and emit a native object for one of the
// targets of targets.h (x86-64 or AArch64 Linux).
#pragma once

#include <string>
#include <vector>

namespace llvm {
class Module;
}

namespace lunaticc {

class PartsCache;
class Timings;

struct Target;

struct CodegenOptions {
  int opt_level = 2;
  std::string cpu;  // "" for the target's default, "native" for this machine's
  const Target* target = nullptr;  // targets.h; null for the host's
  unsigned parts = 0;  // how many parts code generation is cut into; 0: chosen by size (module_split.h)
  bool bounds_checked = false;  // memories check accesses explicitly (no guard pages to fault on)
  // Where compiled parts are found again and stored (parts_cache.h); none if null.
  const PartsCache* cache = nullptr;
  Timings* timings = nullptr;  // where the phases' times go, if not null (timings.h)
};

// The CPU name LLVM knows the target by ("native" resolved to this machine's, "" to the
// target's default).
std::string targetCpu(const CodegenOptions& options);

// For a target whose code generator calls no stack probe function (targets.h): an object
// at `path` whose LUNATIC_FRAME_SIZES_SECTION (abi.h) holds the size of the largest frame
// of any function in `objects` (read from their .stack_sizes, which such targets' objects
// carry). Returns "" on success or why not.
std::string emitFrameSizes(const std::vector<std::string>& objects, const CodegenOptions& options,
                             const std::string& path);

// The data layout of the target, which the translator gives its module from the start so
// that the alignments it picks are the target's; "" and `error` set if LLVM cannot
// generate code for the options' target and CPU.
std::string targetDataLayout(const CodegenOptions& options, std::string& error);

// Sets the module's target, runs LLVM's standard pipeline for the level and writes an ELF
// object to `path`. A large module is cut into parts optimised and compiled on every core,
// then joined into the one object (module_split.h); each part (or the module, uncut) is
// taken from the parts cache instead if it has it. Returns an empty string on success,
// else one line.
std::string emitObject(llvm::Module& module, const CodegenOptions& options, const std::string& path);

// Optimises like emitObject, then writes textual IR instead (for debugging the compiler): of
// a module compiled in parts, each part after a line "; part N of M".
std::string emitIR(llvm::Module& module, const CodegenOptions& options, const std::string& path);

}  // namespace lunaticc
