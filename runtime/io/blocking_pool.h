// Threads shared by all workers for system calls that may block for long and have
// no non-blocking form: reads and writes of regular files under the epoll backend, and
// io::offload. A parked process waits for its operation; the pool completes it.
#pragma once

#include <functional>

#include "runtime/io/engine.h"

namespace lunatic::rt::io {

// Queues `op` (Kind Read, Write or Call) on the pool; a pool thread performs it with the
// blocking system call and calls op.complete(). Operations on the pool cannot be
// cancelled: they finish on their own (a regular file read or write always does).
void runOnBlockingPool(Operation& op);

// The blocking system call behind a Read, Write or Call operation: >= 0 or -errno.
int64_t performBlocking(const Operation& op);

}  // namespace lunatic::rt::io
