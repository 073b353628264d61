// What the lunatic::networking files share: host sockets, a process's networking resources,
// socket addresses as the ABI passes them, and results as upstream Lunatic 0.13 gives them.
//
// Every socket is non-blocking and every wait goes through io.h, so a process waiting on the
// network parks and its worker runs others. A socket is shared (HostSocket) by the ids that
// name it: clones, and ids in other processes after a message carried it; the last one
// closes it.
//
// Host functions here may end the process in the middle (a trap, a kill while parked), which
// unwinds without running destructors: across a call that can park, hold nothing on the
// stack that owns memory.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <sys/uio.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/api/api.h"

namespace lunatic::rt::net {

// A timeout of this many milliseconds means "none", as upstream.
inline constexpr uint64_t kNoTimeout = UINT64_MAX;
// The result of a call that timed out.
inline constexpr uint32_t kTimedOut = 9027;

struct HostSocket {
  explicit HostSocket(int descriptor) : fd(descriptor) {}
  HostSocket(const HostSocket&) = delete;
  HostSocket& operator=(const HostSocket&) = delete;
  ~HostSocket() { ::close(fd); }

  const int fd;
  // A stream's timeouts in milliseconds, as upstream properties of the connection that its
  // clones share. Atomic: two processes may hold the stream.
  std::atomic<uint64_t> read_timeout_ms{kNoTimeout};
  std::atomic<uint64_t> write_timeout_ms{kNoTimeout};
  std::atomic<uint64_t> peek_timeout_ms{kNoTimeout};
};
using SharedSocket = std::shared_ptr<HostSocket>;

// Addresses read one at a time by resolve_next.
struct DnsIterator {
  std::vector<sockaddr_storage> addresses;
  size_t next = 0;
};

struct Lookup;  // a DNS lookup in progress (networking_dns.cpp)

struct Resources final : HostResourceTables {
  using Sockets = std::unordered_map<uint64_t, SharedSocket>;
  Sockets tcp_listeners;
  Sockets tcp_streams;
  // TLS listeners and streams (networking_tls.cpp): HostSockets that also hold OpenSSL's
  // state, so that ids, clones and messages treat them as the TCP ones.
  Sockets tls_listeners;
  Sockets tls_streams;
  Sockets udp_sockets;
  std::unordered_map<uint64_t, DnsIterator> dns_iterators;
  // What a call that parks is making, kept here rather than on its frame (see above): the
  // lookup of a resolve, the addresses a tls_connect found, the socket of a tcp_connect or
  // tls_connect.
  std::shared_ptr<Lookup> lookup;
  std::vector<sockaddr_storage> resolved;
  SharedSocket connecting;
};
using SocketTable = Resources::Sockets Resources::*;

// The calling process's networking resources, made on first use; or those it has made, if any.
Resources& resourcesOf(Process& p);
inline Resources* existingResources(Process& p) {
  return p.resources ? static_cast<Resources*>(p.resources->net.get()) : nullptr;
}

// A new id in the process's resource tables (shared by every kind of resource).
uint64_t newId(Process& p);

// Puts `socket` in the process's `table` under a new id, which it returns, and counts it
// against the process's host memory budget (Process::countOwn: a socket on the frame must
// be closed, so past the budget the process fails only as the call returns).
uint64_t addSocket(Process& p, SocketTable table, SharedSocket socket);
// What one id of a socket holds, as budgets count it: its entry, and the socket itself with
// its shared count (counted with each id that names it).
inline constexpr uint64_t kSocketBytes = sizeof(Resources::Sockets::value_type) + kHashNodeOverhead +
                                         sizeof(HostSocket) + 16 + kAllocationOverhead;
// A TLS stream or listener also holds OpenSSL's state, counted as a fixed size: a stream's
// SSL object with its record buffers (16 KiB and more each way) and the buffer its input is
// received into (16 KiB and more), a listener's context with its certificate and key.
inline constexpr uint64_t kTlsStreamBytes = 64 * 1024;
inline constexpr uint64_t kTlsListenerBytes = 16 * 1024;
// What an id in `table` counts against the host memory budget.
inline uint64_t socketBytes(SocketTable table) {
  if (table == &Resources::tls_streams) return kSocketBytes + kTlsStreamBytes;
  if (table == &Resources::tls_listeners) return kSocketBytes + kTlsListenerBytes;
  return kSocketBytes;
}

// The socket `id` of `table` (one of the process's), or the process fails: "no such <what>".
HostSocket& socketIn(lunatic_instance* self, SocketTable table, uint64_t id, const char* function, const char* what);
// Removes `id` from `table`, or the process fails as socketIn.
void dropFrom(lunatic_instance* self, SocketTable table, uint64_t id, const char* function, const char* what);
// A second id in `table` for the socket `id`, or the process fails as socketIn.
uint64_t cloneIn(lunatic_instance* self, SocketTable table, uint64_t id, const char* function, const char* what);

// A socket address as the ABI passes it: (addr_type 4 or 6, addr_ptr, port, flow_info,
// scope_id). As upstream, misuse fails the process: another type, an address outside
// memory; and so does a port above 65535 (upstream truncates it).
struct GuestAddress {
  uint32_t type, pointer, port, flow_info, scope_id;
};
socklen_t decodeAddress(lunatic_instance* self, const char* function, const GuestAddress& guest,
                        sockaddr_storage* out);

// Stores a DNS iterator of `addresses` in the process and returns its id.
uint64_t newDnsIterator(Process& p, std::vector<sockaddr_storage> addresses);

// An error id for a failed system call (-errno), worded as upstream's (Rust's io::Error):
// "Connection refused (os error 111)".
uint64_t newOsError(Process& p, int64_t negative_errno);

// Writes `value` through the guest pointer `at`, or the process fails.
void storeResult(lunatic_instance* self, const char* function, uint32_t at, uint64_t value);

// The result of a transfer that had `deadline_ns` (0: none): 0 and the byte count through
// `opaque_ptr`; 1 and an error id; 9027 if the deadline passed (nothing written).
uint32_t transferResult(lunatic_instance* self, const char* function, uint32_t opaque_ptr, int64_t result,
                        uint64_t deadline_ns);

// The deadline of a wait of `timeout_ms` from now (0: none).
uint64_t deadlineAfter(uint64_t timeout_ms);

// Makes a non-blocking socket of the address's family, or returns -errno.
int newSocket(const sockaddr_storage& address, int type);

// A new socket of `type` (SOCK_STREAM or SOCK_DGRAM) bound to `address`, a stream one
// listening: its descriptor, or -errno (nothing left open).
int openBound(const sockaddr_storage& address, socklen_t length, int type);

// Looks up `host` for `port` (local names first, then c-ares: networking_dns.cpp), waiting
// until `deadline_ns` (0: none). Done: the addresses (at least one) are in the process's
// Resources::resolved, off the caller's frame. Failed: an error id, worded as upstream's,
// through *error_id.
enum class LookupOutcome : uint8_t { Done, Failed, TimedOut };
LookupOutcome lookUp(Process& p, std::string_view host, uint16_t port, uint64_t deadline_ns, uint64_t* error_id);

// The buffers of a ciovec array in guest memory (tcp_write_vectored, tls_write_vectored):
// the non-empty ones, at most `capacity`, into `out`; returns how many. The process fails if
// the array or a buffer is outside its memory.
size_t gatherBuffers(lunatic_instance* self, const char* function, uint32_t ciovecs_ptr, uint32_t count, iovec* out,
                     size_t capacity);

// tcp_accept and tls_accept: waits for a connection on `listener_fd`; 0, the new stream
// (made of its descriptor by `make`, which answers null if it cannot) in `table` with its id through `id_ptr` and a DNS
// iterator of the peer's address through `peer_ptr`; 1 and an error id (0 through
// `peer_ptr`).
uint32_t acceptInto(lunatic_instance* self, const char* function, int listener_fd, SocketTable table,
                    const std::function<SharedSocket(int)>& make, uint32_t id_ptr, uint32_t peer_ptr);

// Refuses (false, with an error id through `id_ptr`) unless the process may listen or
// connect, as `needed` says.
enum class Permission : uint8_t { Listen, Connect };
bool permitted(lunatic_instance* self, Permission needed, const char* function, uint32_t id_ptr);

// tcp_bind and udp_bind (`type` SOCK_STREAM or SOCK_DGRAM): a socket bound to the address
// (a TCP one listening), its id through `id_ptr`; 1 and an error id.
uint32_t bindSocket(lunatic_instance* self, const char* function, const GuestAddress& guest, int type,
                    uint32_t id_ptr);
// tcp_connect (`udp` null: a new stream's id through `id_ptr`) and udp_connect (`udp`: 0
// through `id_ptr`); 1 and an error id; 9027 if the timeout passed.
uint32_t connectSocket(lunatic_instance* self, const char* function, const GuestAddress& guest, uint64_t timeout_ms,
                       uint32_t id_ptr, HostSocket* udp = nullptr);
// tcp_local_addr, tcp_peer_addr, udp_local_addr: a one-address DNS iterator of the socket's
// own address or its peer's through `id_ptr`; 1 and an error id (*errno_out: the errno, if
// given).
enum class Side : uint8_t { Local, Peer };
uint32_t addressOf(lunatic_instance* self, const char* function, int fd, Side side, uint32_t id_ptr,
                   int* errno_out = nullptr);

}  // namespace lunatic::rt::net
