// The set-up every executable's main() shares (executable.h).
#include "runtime/main/executable.h"

#include <malloc.h>
#include <sys/resource.h>

namespace lunatic::rt {

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
