// lunatic_stack_probe (abi.h) for x86-64: the stack check of frames of a page or more,
// called from the prologue of generated functions before the frame is allocated. It is
// written in assembly because it runs under the probe convention LLVM uses, not the C one:
// the frame's size comes in rax, and every register but the flags must come back
// unchanged. (LLVM's AArch64 back end calls no probe function; there the limit keeps room
// for the largest frame instead: abi.h, lunatic_guest_frame_reserve.)
#include "lunatic/abi.h"

// Fails the caller: unwinds with the stack trap, through abi.h's lunatic_trap (this folder
// lies below trap.h's layer). Called with a frame record of the probe's own on the stack,
// so the backtrace names the function whose frame did not fit.
extern "C" [[noreturn]] __attribute__((used, visibility("hidden"))) void lunatic_stack_probe_failed() {
  lunatic_trap(LUNATIC_TRAP_STACK_EXHAUSTED);
}

// r11: where the caller's frame will end (its stack pointer when the probe returns, less
// rax); r10: the thread pointer offset of lunatic_stack_limit (the initial-exec TLS
// model, which the linker turns into a constant in an executable). The subtraction
// borrows only for a frame larger than the address space below the stack pointer.
asm(R"(
  .pushsection .text
  .globl lunatic_stack_probe
  .type lunatic_stack_probe, @function
  .p2align 4
lunatic_stack_probe:
  .cfi_startproc
  pushq %r11
  .cfi_adjust_cfa_offset 8
  pushq %r10
  .cfi_adjust_cfa_offset 8
  leaq 24(%rsp), %r11
  subq %rax, %r11
  jb 1f
  movq lunatic_stack_limit@gottpoff(%rip), %r10
  cmpq %fs:(%r10), %r11
  jb 1f
  popq %r10
  .cfi_adjust_cfa_offset -8
  popq %r11
  .cfi_adjust_cfa_offset -8
  ret
  .cfi_adjust_cfa_offset 16
1:
  popq %r10
  .cfi_adjust_cfa_offset -8
  popq %r11
  .cfi_adjust_cfa_offset -8
  pushq %rbp
  .cfi_adjust_cfa_offset 8
  .cfi_offset %rbp, -16
  movq %rsp, %rbp
  .cfi_def_cfa_register %rbp
  andq $-16, %rsp
  call lunatic_stack_probe_failed
  ud2
  .cfi_endproc
  .size lunatic_stack_probe, . - lunatic_stack_probe
  .popsection
)");
