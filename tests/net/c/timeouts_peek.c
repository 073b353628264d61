/* Read, peek and write timeouts, and tcp_peek.
 *
 * A stream's timeouts start as none (u64::MAX), belong to the stream (a clone sees them),
 * and make a read, peek or write that waits longer return 9027 (LUNATIC_TIMEOUT) with the
 * stream still usable. A timeout of 0 still returns what is there at once. tcp_peek leaves
 * the bytes to be read again.
 *
 * expect-stdout: defaults: no timeouts
 * expect-stdout: read timeout of 100 ms: 9027 after \d+ ms
 * expect-stdout: timeout 0: data at once, 9027 when none
 * expect-stdout: peek: "peek" twice, then "peekaboo" read
 * expect-stdout: peek timeout of 50 ms: 9027
 * expect-stdout: write timeout of 100 ms: 9027 after \d+ bytes
 * expect-stdout: timeouts: all ok
 */
#include "net_test.h"

int main(void) {
  lunatic_tcp_stream a, b;
  connected_pair(&a, &b);

  CHECK(lunatic_tcp_get_read_timeout(a) == LUNATIC_WAIT_FOREVER);
  CHECK(lunatic_tcp_get_write_timeout(a) == LUNATIC_WAIT_FOREVER);
  CHECK(lunatic_tcp_get_peek_timeout(a) == LUNATIC_WAIT_FOREVER);
  say("defaults: no timeouts");

  lunatic_tcp_set_read_timeout(a, 100);
  lunatic_tcp_stream clone = lunatic_tcp_clone(a);
  CHECK_EQ(lunatic_tcp_get_read_timeout(clone), 100);
  lunatic_tcp_close(clone);
  char buf[64];
  uint64_t n = 12345;
  int64_t start = now_ms();
  CHECK_EQ(lunatic_tcp_read(a, buf, sizeof buf, &n), LUNATIC_TIMEOUT);
  int64_t waited = now_ms() - start;
  CHECK(waited >= 90 && waited < 3000);
  CHECK_EQ(n, 12345); /* nothing written on a timeout */
  say("read timeout of 100 ms: 9027 after %d ms", (int)waited);

  /* The stream goes on working after a timeout. */
  uint64_t written;
  CHECK_EQ(lunatic_tcp_write(b, "now", 3, &written), LUNATIC_NET_OK);
  lunatic_tcp_set_read_timeout(a, 0);
  lunatic_sleep_ms(20); /* on loopback the bytes are there by now */
  CHECK_EQ(lunatic_tcp_read(a, buf, sizeof buf, &n), LUNATIC_NET_OK);
  CHECK(n == 3 && memcmp(buf, "now", 3) == 0);
  CHECK_EQ(lunatic_tcp_read(a, buf, sizeof buf, &n), LUNATIC_TIMEOUT);
  say("timeout 0: data at once, 9027 when none");
  lunatic_tcp_set_read_timeout(a, LUNATIC_WAIT_FOREVER);
  CHECK(lunatic_tcp_get_read_timeout(a) == LUNATIC_WAIT_FOREVER);

  CHECK_EQ(lunatic_tcp_write(b, "peekaboo", 8, &written), LUNATIC_NET_OK);
  lunatic_sleep_ms(20);
  for (int i = 0; i < 2; ++i) {
    CHECK_EQ(lunatic_tcp_peek(a, buf, 4, &n), LUNATIC_NET_OK);
    CHECK(n == 4 && memcmp(buf, "peek", 4) == 0);
  }
  CHECK(read_exactly(a, buf, 8));
  CHECK(memcmp(buf, "peekaboo", 8) == 0);
  say("peek: \"peek\" twice, then \"peekaboo\" read");

  lunatic_tcp_set_peek_timeout(a, 50);
  CHECK_EQ(lunatic_tcp_get_peek_timeout(a), 50);
  CHECK_EQ(lunatic_tcp_peek(a, buf, sizeof buf, &n), LUNATIC_TIMEOUT);
  say("peek timeout of 50 ms: 9027");

  /* Nobody reads `a`: writes to `b` fill the kernel's buffers, then one times out. */
  lunatic_tcp_set_write_timeout(b, 100);
  CHECK_EQ(lunatic_tcp_get_write_timeout(b), 100);
  static char chunk[65536];
  uint64_t total = 0;
  lunatic_net_status status = LUNATIC_NET_OK;
  for (int i = 0; i < 10000 && status == LUNATIC_NET_OK; ++i) {
    status = lunatic_tcp_write(b, chunk, sizeof chunk, &written);
    total += written;
  }
  CHECK_EQ(status, LUNATIC_TIMEOUT);
  CHECK(total > 0);
  say("write timeout of 100 ms: 9027 after %llu bytes", (unsigned long long)total);
  lunatic_tcp_close(a);
  lunatic_tcp_close(b);
  say("timeouts: all ok");
  return 0;
}
