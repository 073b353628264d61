// The targets lunaticc compiles for (targets.h).
#include "compiler/backend/targets.h"

#include <iterator>

namespace lunaticc {
namespace {

// x86-64-v2 (SSE4.2, POPCNT: every x86-64 server since 2009) and ARMv8.0-A ("generic":
// every 64-bit Arm running Linux, the Raspberry Pi 3 and 4 included); --cpu asks for more.
constexpr Target kTargets[] = {
    {"x86_64-linux-gnu", "x86_64-pc-linux-gnu", "x86-64-v2", "elf_x86_64", "/lib64/ld-linux-x86-64.so.2", true},
    {"aarch64-linux-gnu", "aarch64-unknown-linux-gnu", "generic", "aarch64linux", "/lib/ld-linux-aarch64.so.1",
     false},
};

}  // namespace

const Target& hostTarget() {
  // LUNATICC_HOST_TARGET: set by compiler/CMakeLists.txt from the build's processor.
  static const Target& host = *findTarget(LUNATICC_HOST_TARGET);
  return host;
}

const Target* findTarget(std::string_view name) {
  if (name.empty()) return &hostTarget();
  for (const Target& target : kTargets) {
    if (target.name == name) return &target;
  }
  return nullptr;
}

std::string targetNames() {
  std::string names;
  for (const Target& target : kTargets) {
    if (!names.empty()) names += ", ";
    names += target.name;
    if (&target == &hostTarget()) names += " (default)";
  }
  return names;
}

}  // namespace lunaticc
