// AArch64's registers (runtime/arch/registers.h).
#include <ucontext.h>

#include "runtime/arch/registers.h"

namespace lunatic::rt::arch {

Registers faultRegisters(const void* ucontext) {
  const auto& machine = static_cast<const ucontext_t*>(ucontext)->uc_mcontext;
  return {uintptr_t(machine.pc), uintptr_t(machine.regs[29])};
}

// Boost.Context's jump_arm64_aapcs_elf_gas.S: d8-d15 at 0x00, x19-x28 at 0x40, x29 (the
// frame pointer) and x30 at 0x90, and the address to resume at 0xa0.
const size_t kSwitchRecordSize = 0xb0;

Registers parkedRegisters(const uintptr_t* record) { return {record[0xa0 / 8], record[0x90 / 8]}; }

}  // namespace lunatic::rt::arch
