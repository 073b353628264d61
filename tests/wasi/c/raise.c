/* proc_raise: signals ignored by default are ignored, stopping is not supported, and one
 * that terminates ends the program as a shell reports a signal: 128 + its number (SIGTERM,
 * 15). This wasi-libc has no raise(), so the import is declared here, with WASI's signal
 * numbers.
 *
 * expect-exit: 143
 * expect-stdout: raising SIGTERM
 */
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) int32_t raw_proc_raise(int32_t);

enum { kNone = 0, kTerm = 15, kPipe = 13, kChld = 16, kStop = 18, kWinch = 27, kSys = 30 };

int main(void) {
  CHECK_WASI(raw_proc_raise(kNone), 0);
  CHECK_WASI(raw_proc_raise(kPipe), 0);
  CHECK_WASI(raw_proc_raise(kChld), 0);
  CHECK_WASI(raw_proc_raise(kWinch), 0);
  CHECK_WASI(raw_proc_raise(kStop), __WASI_ERRNO_NOTSUP);
  CHECK_WASI(raw_proc_raise(kSys + 1), __WASI_ERRNO_INVAL);
  say("raising SIGTERM");
  raw_proc_raise(kTerm);
  say("FAIL: still running after SIGTERM");
  return 0;
}
