// What the main() of every executable lunaticc builds (runtime/main/main.cpp, and
// runtime/serve/serve_main.cpp for --serve) does before it starts the scheduler.
#pragma once

#include <cstdint>

namespace lunatic::rt {

// Sets the process up to run processes by the million and hold sockets by the thousand:
//  - the heap is kept: processes come and go by the million, and their runtime objects with
//    them; glibc would hand freed heap back to the kernel now and then, and in a
//    multi-threaded program every such release interrupts all cores to flush their TLBs
//    (mimalloc, the other host allocator a build may choose, delays and batches its own);
//  - the soft limit on open descriptors (RLIMIT_NOFILE) is raised to the hard one, as Go's
//    runtime does. The soft limit is often 1,024, kept low only for programs that use
//    select(2), which neither the runtime nor a guest can call: a chat server or an HTTP
//    server would otherwise run out at a thousand clients.
void prepareExecutable();

// The soft limit on open descriptors now.
uint64_t descriptorLimit();

}  // namespace lunatic::rt
