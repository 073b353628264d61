// The targets lunaticc compiles for (--target): what the code generator, the linker and the
// runtime's archives differ in from one to the other. Apart from LLVM (library
// lunaticc_options), so that lunaticc's driver knows them without loading it.
#pragma once

#include <string>
#include <string_view>

namespace lunaticc {

struct Target {
  std::string_view name;        // as --target takes it, Debian's multiarch name: "aarch64-linux-gnu"
  const char* llvm_triple;
  const char* default_cpu;      // --cpu when none is given
  const char* linker_emulation; // lld's -m
  const char* dynamic_linker;   // glibc's loader, for dynamic executables
  // Whether LLVM's code generator calls lunatic_stack_probe before it allocates a large
  // frame (x86-64). Where it does not (AArch64), lunaticc measures every frame and the
  // runtime keeps room for the largest below each stack limit (abi.h,
  // lunatic_guest_frame_reserve).
  bool calls_stack_probe;
};

// The target of the machine lunaticc was built on: the default.
const Target& hostTarget();

// The target `name` names ("" is the host's), or null if lunaticc knows no such target.
const Target* findTarget(std::string_view name);

// Every target, the default marked, for --help and --version: "x86_64-linux-gnu (default), ...".
std::string targetNames();

}  // namespace lunaticc
