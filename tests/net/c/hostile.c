/* Hostile input to lunatic::networking ends only the offending process: pointers outside
 * memory, unknown ids, ids of another kind, bad address types and ports, names that are not
 * UTF-8, sockets taken from a message that holds none. Each is tried by a child of its own;
 * the runtime logs one line naming the function and the reason, and the root sees the
 * child die. Meanwhile a bystander is parked reading a stream, and the root's own
 * connection works throughout: at the end the bystander gets its bytes.
 *
 * expect-stdout: tcp_read into 0xFFFFFFF0: (?P<p1>\d+) died
 * expect-stdout: tcp_read of an unknown stream: (?P<p2>\d+) died
 * expect-stdout: tcp_bind with address type 5: (?P<p3>\d+) died
 * expect-stdout: tcp_connect with the address outside memory: (?P<p4>\d+) died
 * expect-stdout: tcp_write_vectored of a buffer outside memory: (?P<p5>\d+) died
 * expect-stdout: resolve of a name outside memory: (?P<p6>\d+) died
 * expect-stdout: resolve of a name that is not UTF-8: (?P<p7>\d+) died
 * expect-stdout: resolve_next of an unknown iterator: (?P<p8>\d+) died
 * expect-stdout: tcp_accept on a stream id: (?P<p9>\d+) died
 * expect-stdout: udp_send_to port 70000: (?P<p10>\d+) died
 * expect-stdout: take_tcp_stream from a message without one: (?P<p11>\d+) died
 * expect-stdout: take_udp_socket of a TCP stream: (?P<p12>\d+) died
 * expect-stdout: push_tcp_stream with no message: (?P<p13>\d+) died
 * expect-stdout: drop_tcp_listener twice: (?P<p14>\d+) died
 * expect-stdout: tcp_accept with the id pointer outside memory: (?P<p15>\d+) died
 * expect-stdout: the bystander read "still here"
 * expect-stdout: hostile: all ok
 * expect-stderr: lunatic: process {{p1}} failed: tcp_read: .*outside.* at .*
 * expect-stderr: lunatic: process {{p2}} failed: tcp_read: no such TCP stream at .*
 * expect-stderr: lunatic: process {{p3}} failed: tcp_bind: unsupported address type 5.* at .*
 * expect-stderr: lunatic: process {{p4}} failed: tcp_connect: .*outside.* at .*
 * expect-stderr: lunatic: process {{p5}} failed: tcp_write_vectored: .*outside.* at .*
 * expect-stderr: lunatic: process {{p6}} failed: resolve: .*outside.* at .*
 * expect-stderr: lunatic: process {{p7}} failed: resolve: .*UTF-8.* at .*
 * expect-stderr: lunatic: process {{p8}} failed: resolve_next: no such DNS iterator at .*
 * expect-stderr: lunatic: process {{p9}} failed: tcp_accept: no such TCP listener at .*
 * expect-stderr: lunatic: process {{p10}} failed: udp_send_to: invalid port 70000 at .*
 * expect-stderr: lunatic: process {{p11}} failed: take_tcp_stream: .*no TCP stream at index 0 at .*
 * expect-stderr: lunatic: process {{p12}} failed: take_udp_socket: .*no UDP socket at index 0 at .*
 * expect-stderr: lunatic: process {{p13}} failed: push_tcp_stream: no message in the slot.* at .*
 * expect-stderr: lunatic: process {{p14}} failed: drop_tcp_listener: no such TCP listener at .*
 * expect-stderr: lunatic: process {{p15}} failed: tcp_accept: .*outside.* at .*
 */
#include "net_test.h"

#define OUTSIDE ((void*)(uintptr_t)0xFFFFFFF0u)

TEST_ENTRY(read_outside) {
  lunatic_tcp_stream a, b;
  connected_pair(&a, &b);
  uint64_t n;
  (void)lunatic_raw_networking_tcp_read(a, OUTSIDE, 64, &n);
  say("FAIL tcp_read into memory's end returned");
}

TEST_ENTRY(read_unknown) {
  uint64_t n;
  char buf[8];
  (void)lunatic_raw_networking_tcp_read(123456, buf, sizeof buf, &n);
  say("FAIL tcp_read of an unknown stream returned");
}

TEST_ENTRY(bind_type_5) {
  uint8_t ip[16] = {127, 0, 0, 1};
  uint64_t id;
  (void)lunatic_raw_networking_tcp_bind(5, ip, 0, 0, 0, &id);
  say("FAIL tcp_bind with type 5 returned");
}

TEST_ENTRY(connect_outside) {
  uint64_t id;
  (void)lunatic_raw_networking_tcp_connect(6, OUTSIDE, 80, 0, 0, 1000, &id);
  say("FAIL tcp_connect with the address outside memory returned");
}

TEST_ENTRY(write_outside) {
  lunatic_tcp_stream a, b;
  connected_pair(&a, &b);
  lunatic_ciovec parts[2] = {{(const uint8_t*)"ok", 2}, {OUTSIDE, 100}};
  uint64_t n;
  (void)lunatic_raw_networking_tcp_write_vectored(a, parts, 2, &n);
  say("FAIL tcp_write_vectored of a buffer outside memory returned");
}

TEST_ENTRY(resolve_outside) {
  uint64_t id;
  (void)lunatic_raw_networking_resolve(OUTSIDE, 100, 1000, &id);
  say("FAIL resolve of a name outside memory returned");
}

TEST_ENTRY(resolve_not_utf8) {
  uint64_t id;
  (void)lunatic_raw_networking_resolve("local\xff\xfe:80", 10, 1000, &id);
  say("FAIL resolve of a name that is not UTF-8 returned");
}

TEST_ENTRY(next_unknown) {
  lunatic_socket_address address;
  (void)lunatic_resolve_next(4242, &address);
  say("FAIL resolve_next of an unknown iterator returned");
}

TEST_ENTRY(accept_stream) {
  lunatic_tcp_stream a, b;
  connected_pair(&a, &b);
  uint64_t id, peer;
  (void)lunatic_raw_networking_tcp_accept(a, &id, &peer);
  say("FAIL tcp_accept on a stream id returned");
}

TEST_ENTRY(send_to_bad_port) {
  lunatic_udp_socket udp;
  CHECK(lunatic_udp_bind("127.0.0.1", 0, &udp));
  uint8_t ip[4] = {127, 0, 0, 1};
  uint64_t n;
  (void)lunatic_raw_networking_udp_send_to(udp, "x", 1, 4, ip, 70000, 0, 0, &n);
  say("FAIL udp_send_to port 70000 returned");
}

TEST_ENTRY(take_missing) {
  send_u64(lunatic_self(), 3, 0);
  CHECK_EQ(expect_u64(3), 0);
  (void)lunatic_message_take_tcp_stream(0);
  say("FAIL take_tcp_stream from a message without one returned");
}

TEST_ENTRY(take_wrong_kind) {
  lunatic_tcp_stream a, b;
  connected_pair(&a, &b);
  lunatic_send_tcp_stream(lunatic_self(), 3, a, "", 0);
  lunatic_tag tag = 3;
  CHECK_EQ(lunatic_receive(&tag, 1, 5000, NULL, 0, NULL), LUNATIC_RECEIVE_DATA);
  (void)lunatic_message_take_udp_socket(0);
  say("FAIL take_udp_socket of a TCP stream returned");
}

TEST_ENTRY(push_without_message) {
  lunatic_tcp_stream a, b;
  connected_pair(&a, &b);
  (void)lunatic_message_push_tcp_stream(a);
  say("FAIL push_tcp_stream with no message returned");
}

TEST_ENTRY(drop_twice) {
  uint16_t port;
  lunatic_tcp_listener listener = listen_loopback(&port);
  lunatic_tcp_listener_close(listener);
  lunatic_tcp_listener_close(listener);
  say("FAIL drop_tcp_listener twice returned");
}

TEST_ENTRY(accept_outside) {
  uint16_t port;
  lunatic_tcp_listener listener = listen_loopback(&port);
  uint64_t peer;
  (void)lunatic_raw_networking_tcp_accept(listener, OUTSIDE, &peer);
  say("FAIL tcp_accept with the id pointer outside memory returned");
}

/* Parked reading its stream until the root writes to the other end. */
TEST_ENTRY(bystander) {
  lunatic_receive(NULL, 0, 5000, NULL, 0, NULL);
  lunatic_tcp_stream stream = lunatic_message_take_tcp_stream(0);
  send_u64(parent, 1, 0);
  char buf[10];
  CHECK(read_exactly(stream, buf, sizeof buf));
  say("the bystander read \"%.10s\"", buf);
  send_u64(parent, 2, 0);
}

static void expect_child_dies(const char* entry, const char* what) {
  uint64_t id = spawn_ok(entry, 0);
  lunatic_monitor(id);
  expect_died(id);
  say("%s: %llu died", what, (unsigned long long)id);
}

int main(void) {
  lunatic_tcp_stream mine, theirs;
  connected_pair(&mine, &theirs);
  uint64_t bystander = spawn_ok("bystander", 0);
  lunatic_send_tcp_stream(bystander, 0, theirs, "", 0);
  CHECK_EQ(expect_u64(1), 0);

  expect_child_dies("read_outside", "tcp_read into 0xFFFFFFF0");
  expect_child_dies("read_unknown", "tcp_read of an unknown stream");
  expect_child_dies("bind_type_5", "tcp_bind with address type 5");
  expect_child_dies("connect_outside", "tcp_connect with the address outside memory");
  expect_child_dies("write_outside", "tcp_write_vectored of a buffer outside memory");
  expect_child_dies("resolve_outside", "resolve of a name outside memory");
  expect_child_dies("resolve_not_utf8", "resolve of a name that is not UTF-8");
  expect_child_dies("next_unknown", "resolve_next of an unknown iterator");
  expect_child_dies("accept_stream", "tcp_accept on a stream id");
  expect_child_dies("send_to_bad_port", "udp_send_to port 70000");
  expect_child_dies("take_missing", "take_tcp_stream from a message without one");
  expect_child_dies("take_wrong_kind", "take_udp_socket of a TCP stream");
  expect_child_dies("push_without_message", "push_tcp_stream with no message");
  expect_child_dies("drop_twice", "drop_tcp_listener twice");
  expect_child_dies("accept_outside", "tcp_accept with the id pointer outside memory");

  uint64_t written;
  CHECK_EQ(lunatic_tcp_write(mine, "still here", 10, &written), LUNATIC_NET_OK);
  CHECK_EQ(expect_u64(2), 0);
  lunatic_tcp_close(mine);
  say("hostile: all ok");
  return 0;
}
