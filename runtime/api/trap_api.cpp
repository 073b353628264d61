// lunatic::trap::catch: calls back into the guest so that a Wasm trap inside the call ends
// only that call, as upstream Lunatic does. Wasm has no unwinding of its own; lunatic-rs
// builds catch_panic on this (a Rust panic ends in a trap).
//
// The call runs under a guard of its own (trap.h, runGuarded), nested inside the process's:
// a trap unwinds to the innermost guard, so to this call. Only Wasm traps stop here. An
// exit, a kill or spent fuel ends the process, whatever catches it runs inside, and goes on
// to the process's guard.
#include <cstring>

#include "runtime/api/api.h"
#include "runtime/process/module_image.h"
#include "runtime/trap.h"

namespace lunatic::rt::api {
namespace {

// The export catch calls with its two arguments, as upstream: lunatic-rs defines it as
// `_lunatic_catch_trap(function, pointer) -> usize`, calling function(pointer).
constexpr const char* kTrampoline = "_lunatic_catch_trap";

struct CaughtCall {
  lunatic_instance* self;
  const lunatic_func* trampoline;
  uint32_t function, pointer;
  uint32_t result = 0;
};

void runCaughtCall(void* context) {
  auto* call = static_cast<CaughtCall*>(context);
  using Trampoline = uint32_t (*)(lunatic_instance*, uint32_t, uint32_t);
  call->result = reinterpret_cast<Trampoline>(const_cast<void*>(call->trampoline->code))(call->self, call->function,
                                                                                        call->pointer);
}

uint32_t catch_trap(lunatic_instance* self, uint32_t function, uint32_t pointer) {
  Process& p = callerOf(self);
  const char* signature = p.image->exportSignature(kTrampoline);
  const lunatic_func* trampoline = p.image->exportedFunction(kTrampoline);
  if (!signature || !trampoline) fail(self, "catch", "the module exports no function _lunatic_catch_trap");
  // Upstream would answer 0, as if the call had trapped; a clear failure helps more.
  if (std::strcmp(signature, "ii:i") != 0) fail(self, "catch", "_lunatic_catch_trap is not (i32, i32) -> i32");

  CaughtCall call{self, trampoline, function, pointer};
  GuardResult ended = runGuarded(runCaughtCall, &call);
  if (ended.kind == 0) return call.result;
  if (!isWasmTrap(ended.kind)) resumeUnwinding(ended);
  // The process goes on with its memory, globals and message slot as the trap left them,
  // as upstream. What else the trap left behind is put right here:
  // - a host function that refused its input said why for the process's last words; the
  //   process lives on, and a later failure must not be reported with this reason;
  p.host_failure.clear();
  // - code that trapped inside a loop held its reduction budget in a register and never
  //   stored it (compiler/translate/calls.cpp), so what it used is unknown. Counting the
  //   whole time slice as used keeps both bounds: the process yields at its next charge, and
  //   fuel is never undercounted (a guest cannot run uncharged work by trapping on purpose).
  self->reductions_left = 0;
  return 0;
}

}  // namespace

}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(trap, catch, api::catch_trap);
