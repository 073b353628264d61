/* Functions of upstream's ABI that the runtime does not provide yet (docs/abi.md): a module
 * importing them compiles and runs. A call answers with upstream's error result where upstream
 * has one (an error id whose text names the function); any other ends only the calling process,
 * with a log line naming the function.
 *
 * expect-stdout: tls_connect: 1 "lunatic::networking::tls_connect: not provided by this runtime yet \(TLS\)"
 * expect-stdout: tls_bind: 1 "lunatic::networking::tls_bind: not provided by this runtime yet \(TLS\)"
 * expect-stdout: sign_node: 0
 * expect-stdout: tls_read: (?P<p1>\d+) died
 * expect-stdout: test_root_cert: (?P<p3>\d+) died
 * expect-stdout: tls_connect with the id outside memory: (?P<p5>\d+) died
 * expect-stdout: not provided: all ok
 * expect-stderr: lunatic: process {{p1}} failed: tls_read: not provided by this runtime yet \(lunatic::networking, TLS\) at .*\bcalls_tls_read\b.*
 * expect-stderr: lunatic: process {{p3}} failed: test_root_cert: not provided by this runtime yet \(lunatic::distributed, cluster certificates\) at .*
 * expect-stderr: lunatic: process {{p5}} failed: tls_connect: the error id pointer is outside the process's memory at .*
 */
#include "common.h"

#define OUTSIDE ((uint64_t*)(uintptr_t)0xFFFFFFF0u)

TEST_ENTRY(calls_tls_read) {
  uint64_t opaque = 0;
  char buffer[4];
  (void)lunatic_raw_networking_tls_read(1, buffer, sizeof buffer, &opaque);
}

TEST_ENTRY(calls_test_root_cert) {
  uint32_t len = 0;
  (void)lunatic_raw_distributed_test_root_cert(&len);
}

TEST_ENTRY(tls_connect_outside) {
  (void)lunatic_raw_networking_tls_connect("localhost", 9, 443, 100, OUTSIDE, NULL, 0);
}

int main(void) {
  char text[128];
  uint64_t error = 0;
  uint32_t status = lunatic_raw_networking_tls_connect("localhost", 9, 443, 100, &error, NULL, 0);
  say("tls_connect: %u \"%s\"", status, error_text(error, text, sizeof text));
  uint8_t any[4] = {127, 0, 0, 1};
  status = lunatic_raw_networking_tls_bind(4, any, 0, 0, 0, &error, "", 0, "", 0);
  say("tls_bind: %u \"%s\"", status, error_text(error, text, sizeof text));
  uint32_t len = 0;
  say("sign_node: %u", lunatic_raw_distributed_sign_node("", 0, "", 0, "", 0, &len));

  expect_entry_dies("calls_tls_read", "tls_read");
  expect_entry_dies("calls_test_root_cert", "test_root_cert");
  expect_entry_dies("tls_connect_outside", "tls_connect with the id outside memory");
  say("not provided: all ok");
  return 0;
}
