// Linux errno values as WASI errno values: the one table every WASI function translates
// host failures through.
#pragma once

#include <cerrno>
#include <cstdint>

#include "wasi/types.h"

namespace lunatic::rt::wasi {

// The WASI errno for a Linux errno (a positive E* value). Values WASI has no name for
// become Io.
Errno fromHostErrno(int host_errno);

// For results in the kernel's convention (io.h): >= 0 is success, -errno a failure.
inline Errno fromHostResult(int64_t result) { return result >= 0 ? Errno::Success : fromHostErrno(int(-result)); }

// Runs a system call that returns -1 and sets errno on failure, again while a signal
// interrupts it; returns its result or -errno, the convention of io.h.
template <typename Call>
int64_t retryingSyscall(Call call) {
  for (;;) {
    int64_t result = call();
    if (result >= 0) return result;
    if (errno != EINTR) return -errno;
  }
}

}  // namespace lunatic::rt::wasi
