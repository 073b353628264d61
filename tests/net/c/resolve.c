/* DNS: resolve, resolve_next, drop_dns_iterator, and lookups that take long.
 *
 * Numeric names resolve at once; "localhost" through the system's resolver; a name that
 * does not exist and a name without a port give an error id whose text lunatic::error
 * reads. Names under "slow.test" take the milliseconds they name (tests/net/slow_dns.c): a
 * lookup with a shorter timeout returns 9027, and six lookups of 500 ms at once finish
 * together in about 500 ms, as they would not if each held one of the two worker threads.
 *
 * expect-stdout: 127\.0\.0\.1:80 -> 127\.0\.0\.1:80
 * expect-stdout: \[::1\]:443 -> \[::1\]:443
 * expect-stdout: localhost:8080 -> (127\.0\.0\.1|\[::1\]):8080( .*)?
 * expect-stdout: bad name: error "failed to lookup address information: .+"
 * expect-stdout: no port: error "invalid socket address .+"
 * expect-stdout: 3000\.slow\.test with a 100 ms timeout: 9027 after \d+ ms
 * expect-stdout: 6 lookups of 500 ms at once: \d+ ms
 * expect-stdout: resolve: all ok
 */
#include "net_test.h"

/* The addresses of `name` ("host:port"), formatted and joined by spaces. */
static const char* addresses(const char* name, char* text, size_t cap) {
  uint64_t iterator;
  CHECK_EQ(lunatic_raw_networking_resolve(name, strlen(name), 5000, &iterator), 0);
  size_t used = 0;
  text[0] = '\0';
  lunatic_socket_address address;
  int count = 0;
  while (lunatic_resolve_next(iterator, &address)) {
    if (used && used + 1 < cap) text[used++] = ' ';
    used += lunatic_socket_address_format(&address, text + used, cap - used);
    ++count;
  }
  CHECK(count > 0);
  /* Exhausted for good. */
  CHECK(!lunatic_resolve_next(iterator, &address));
  lunatic_dns_iterator_drop(iterator);
  return text;
}

/* resolve's error text for `name`; the call must fail with 1. */
static const char* resolve_error(const char* name, char* text, size_t cap) {
  uint64_t error;
  CHECK_EQ(lunatic_raw_networking_resolve(name, strlen(name), 5000, &error), 1);
  return error_text(error, text, cap);
}

TEST_ENTRY(slow_lookup) {
  uint64_t iterator;
  CHECK_EQ(lunatic_raw_networking_resolve("500.slow.test:7", 15, LUNATIC_WAIT_FOREVER, &iterator), 0);
  lunatic_socket_address address;
  CHECK(lunatic_resolve_next(iterator, &address));
  CHECK(address.type == 4 && address.ip[0] == 127 && address.port == 7);
  lunatic_dns_iterator_drop(iterator);
  send_u64(parent, 1, 0);
}

int main(void) {
  char text[256];
  say("127.0.0.1:80 -> %s", addresses("127.0.0.1:80", text, sizeof text));
  say("[::1]:443 -> %s", addresses("[::1]:443", text, sizeof text));
  say("localhost:8080 -> %s", addresses("localhost:8080", text, sizeof text));
  say("bad name: error \"%s\"", resolve_error("no-such-host.invalid:80", text, sizeof text));
  say("no port: error \"%s\"", resolve_error("localhost", text, sizeof text));
  CHECK_EQ(lunatic_raw_networking_resolve("localhost:99999", 15, 5000, (uint64_t[]){0}), 1);
  CHECK_EQ(lunatic_raw_networking_resolve("localhost:", 10, 5000, (uint64_t[]){0}), 1);
  CHECK_EQ(lunatic_raw_networking_resolve("[::1:80", 7, 5000, (uint64_t[]){0}), 1);

  uint64_t id = 77;
  int64_t start = now_ms();
  CHECK_EQ(lunatic_raw_networking_resolve("3000.slow.test:80", 17, 100, &id), LUNATIC_TIMEOUT);
  int64_t waited = now_ms() - start;
  CHECK(waited >= 90 && waited < 2000);
  CHECK_EQ(id, 0); /* resolve writes 0 on a timeout */
  say("3000.slow.test with a 100 ms timeout: 9027 after %d ms", (int)waited);

  start = now_ms();
  for (int i = 0; i < 6; ++i) spawn_ok("slow_lookup", i);
  for (int i = 0; i < 6; ++i) CHECK_EQ(expect_u64(1), 0);
  waited = now_ms() - start;
  CHECK(waited >= 490 && waited < 1400);
  say("6 lookups of 500 ms at once: %d ms", (int)waited);
  say("resolve: all ok");
  return 0;
}
