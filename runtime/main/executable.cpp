// The set-up every executable's main() shares (executable.h).
#include "runtime/main/executable.h"

#include <malloc.h>
#include <mimalloc.h>
#include <sys/resource.h>

// Present only in executables linked with mimalloc (CMakeLists.txt, LUNATIC_HOST_ALLOCATOR).
extern "C" void mi_option_disable(mi_option_t option) __attribute__((weak));

namespace lunatic::rt {
namespace {

// With mimalloc, segments (32 MiB, at least one per thread) are committed as they fill, not
// whole when mapped: RLIMIT_DATA counts writable address space, touched or not, and whole
// segments spent it before the host memory budgets taken from it (process/limits.h) were
// reached, failing whichever process allocated next (the hostmem_* tests). Set before the
// first static constructor that allocates (those of priority 101 run first), so that even
// the main thread's first segment is committed as it fills.
__attribute__((constructor(101))) void commitAllocatorSegmentsAsTheyFill() {
  if (mi_option_disable) mi_option_disable(mi_option_eager_commit);
}

}  // namespace

void prepareExecutable() {
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);  // if refused, the old limit holds: nothing worse
  }
}

uint64_t descriptorLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return UINT64_MAX;
  return limit.rlim_cur;
}

}  // namespace lunatic::rt
