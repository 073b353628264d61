/* Functions of upstream's ABI that the runtime does not provide yet (docs/abi.md): a module
 * importing them compiles and runs. A call answers with upstream's error result where upstream
 * has one (an error id whose text names the function); any other ends only the calling process,
 * with a log line naming the function.
 *
 * expect-stdout: sign_node: 0
 * expect-stdout: test_root_cert: (?P<p3>\d+) died
 * expect-stdout: not provided: all ok
 * expect-stderr: lunatic: process {{p3}} failed: test_root_cert: not provided by this runtime yet \(lunatic::distributed, cluster certificates\) at .*
 */
#include "common.h"

TEST_ENTRY(calls_test_root_cert) {
  uint32_t len = 0;
  (void)lunatic_raw_distributed_test_root_cert(&len);
}


int main(void) {
  uint32_t len = 0;
  say("sign_node: %u", lunatic_raw_distributed_sign_node("", 0, "", 0, "", 0, &len));

  expect_entry_dies("calls_test_root_cert", "test_root_cert");
  say("not provided: all ok");
  return 0;
}
