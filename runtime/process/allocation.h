// When the host's memory runs out: an allocation (operator new) that fails inside a host
// function fails the process that called it, never the program. The runtime is built
// without exceptions, so std::bad_alloc cannot be caught, and unwinding from inside the
// allocation, as a trap does, would skip the destructors of the host function's frames
// (api.h, `fail`), leaving its locks held. Instead the program keeps an emergency reserve of
// address space mapped from the start: the first allocation that fails gives it back to the
// system, so it and the rest of its host function succeed, and the calling process is
// marked to die as that function returns (kHostOutOfMemoryKind). The reserve is mapped again
// once memory is freed (as processes end). Only an allocation larger than the reserve, or
// one made while the reserve is already spent, cannot finish: it ends the calling process at
// once, as a trap does; outside any process it ends the program with a message.
#pragma once

namespace lunatic::rt::allocation {

// Maps the reserve and installs the handler (std::set_new_handler). Called once, as the
// scheduler starts.
void start();

// Maps the reserve again if a failed allocation gave it back and memory has been freed
// since. Cheap while the reserve is held; called as processes end.
void refillReserve();

}  // namespace lunatic::rt::allocation
