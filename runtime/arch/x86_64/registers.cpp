// x86-64's registers (runtime/arch/registers.h).
#include <ucontext.h>

#include "runtime/arch/registers.h"

namespace lunatic::rt::arch {

Registers faultRegisters(const void* ucontext) {
  const auto& machine = static_cast<const ucontext_t*>(ucontext)->uc_mcontext;
  return {uintptr_t(machine.gregs[REG_RIP]), uintptr_t(machine.gregs[REG_RBP])};
}

// Boost.Context's jump_x86_64_sysv_elf_gas.S: the MXCSR and x87 control words, r12-r15,
// rbx and rbp pushed below the return address.
const size_t kSwitchRecordSize = 0x40;

Registers parkedRegisters(const uintptr_t* record) { return {record[7], record[6]}; }

}  // namespace lunatic::rt::arch
