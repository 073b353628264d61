// lunatic::networking, part one: what the networking files share (networking.h), DNS
// iterators (resolve_next, drop_dns_iterator; resolve itself, which links the resolver
// library, is in networking_dns.cpp) and TCP (listeners and streams), with upstream
// Lunatic 0.13's names, signatures and results. UDP is in networking_udp.cpp, the message
// functions that carry sockets in networking_messages.cpp.
//
// Differences from upstream (docs/abi.md, "Deviations"): binding and connecting need the
// process's network capabilities; a port above 65535 fails the process (upstream truncates
// it); tcp_peek always peeks (upstream reads when no peek timeout is set); a resolve that
// succeeds has at least one address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "runtime/api/networking.h"
#include "runtime/io/io.h"
#include "lunatic/utf8.h"

namespace lunatic::rt {
namespace net {

Resources& resourcesOf(Process& p) {
  if (Resources* resources = existingResources(p)) return *resources;
  auto made = std::make_unique<Resources>();
  Resources& resources = *made;
  p.ownResources().net = std::move(made);
  return resources;
}

uint64_t newId(Process& p) { return p.ownResources().next_id++; }

uint64_t addSocket(Process& p, SocketTable table, SharedSocket socket) {
  uint64_t id = newId(p);
  (resourcesOf(p).*table).emplace(id, std::move(socket));
  p.countOwn(socketBytes(table));
  return id;
}

namespace {

uint64_t dnsIteratorBytes(const DnsIterator& iterator) {
  return sizeof(std::pair<const uint64_t, DnsIterator>) + kHashNodeOverhead +
         iterator.addresses.capacity() * sizeof(sockaddr_storage) + kAllocationOverhead;
}

}  // namespace

HostSocket& socketIn(lunatic_instance* self, SocketTable table, uint64_t id, const char* function, const char* what) {
  Process& p = api::callerOf(self);
  if (Resources* resources = existingResources(p)) {
    auto& sockets = resources->*table;
    auto it = sockets.find(id);
    if (it != sockets.end()) return *it->second;
  }
  fail(self, function, std::string("no such ") + what);
}

socklen_t decodeAddress(lunatic_instance* self, const char* function, const GuestAddress& guest,
                        sockaddr_storage* out) {
  if (guest.type != 4 && guest.type != 6) {
    fail(self, function, "unsupported address type " + std::to_string(guest.type) + " (4 or 6)");
  }
  const uint8_t* ip = GuestMemory(self).at(guest.pointer, guest.type == 4 ? 4 : 16);
  if (!ip) fail(self, function, "the address is outside the process's memory");
  if (guest.port > UINT16_MAX) fail(self, function, "invalid port " + std::to_string(guest.port));
  std::memset(out, 0, sizeof *out);
  if (guest.type == 4) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(out);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(uint16_t(guest.port));
    std::memcpy(&v4->sin_addr, ip, 4);
    return sizeof *v4;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(uint16_t(guest.port));
  v6->sin6_flowinfo = htonl(guest.flow_info);
  v6->sin6_scope_id = guest.scope_id;
  std::memcpy(&v6->sin6_addr, ip, 16);
  return sizeof *v6;
}

uint64_t newDnsIterator(Process& p, std::vector<sockaddr_storage> addresses) {
  uint64_t id = newId(p);
  auto entry = resourcesOf(p).dns_iterators.emplace(id, DnsIterator{std::move(addresses), 0}).first;
  p.countOwn(dnsIteratorBytes(entry->second));
  return id;
}

uint64_t newOsError(Process& p, int64_t negative_errno) {
  int code = int(-negative_errno);
  return api::newError(p, std::string(strerror(code)) + " (os error " + std::to_string(code) + ")");
}

void storeResult(lunatic_instance* self, const char* function, uint32_t at, uint64_t value) {
  if (!GuestMemory(self).store64(at, value)) fail(self, function, "a result pointer is outside the process's memory");
}

uint32_t transferResult(lunatic_instance* self, const char* function, uint32_t opaque_ptr, int64_t result,
                        uint64_t deadline_ns) {
  if (result == -ETIMEDOUT && deadline_ns) return kTimedOut;
  if (result < 0) {
    storeResult(self, function, opaque_ptr, newOsError(api::callerOf(self), result));
    return 1;
  }
  storeResult(self, function, opaque_ptr, uint64_t(result));
  return 0;
}

uint64_t deadlineAfter(uint64_t timeout_ms) {
  if (timeout_ms == kNoTimeout) return 0;
  uint64_t now = nowNanoseconds();
  if (timeout_ms > (UINT64_MAX - now) / 1'000'000) return 0;
  return now + timeout_ms * 1'000'000;
}

int newSocket(const sockaddr_storage& address, int type) {
  int fd = ::socket(address.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return fd < 0 ? -errno : fd;
}

bool permitted(lunatic_instance* self, Permission needed, const char* function, uint32_t id_ptr) {
  Process& p = api::callerOf(self);
  if (needed == Permission::Listen ? p.capabilities.can_listen : p.capabilities.can_connect) return true;
  const char* what = needed == Permission::Listen ? "may not listen (bind sockets)"
                                                  : "may not connect (open connections or send to addresses)";
  api::logRefusal(p, function, what);
  storeResult(self, function, id_ptr,
              api::newError(p, std::string(function) + ": the process " + what + ": its config denies it"));
  return false;
}

namespace {

// Pending connections a listener keeps: enough for a burst of clients (the kernel caps it at
// net.core.somaxconn).
constexpr int kListenBacklog = 1024;
// Buffers one tcp_write_vectored sends at most: a write may be partial, and the guest sends
// the rest (the iovec array lives on the process's stack, which must hold nothing on the heap
// while it parks).
constexpr size_t kMaxWriteBuffers = 64;

// --- DNS: resolve_next and drop_dns_iterator (resolve is in networking_dns.cpp) --------

void drop_dns_iterator(lunatic_instance* self, uint64_t id) {
  Process& p = api::callerOf(self);
  if (Resources* resources = existingResources(p)) {
    auto& iterators = resources->dns_iterators;
    if (auto it = iterators.find(id); it != iterators.end()) {
      p.releaseOwn(dnsIteratorBytes(it->second));
      iterators.erase(it);
      return;
    }
  }
  fail(self, "drop_dns_iterator", "no such DNS iterator");
}

uint32_t resolve_next(lunatic_instance* self, uint64_t id, uint32_t type_ptr, uint32_t address_ptr, uint32_t port_ptr,
                      uint32_t flow_info_ptr, uint32_t scope_id_ptr) {
  Process& p = api::callerOf(self);
  DnsIterator* iterator = nullptr;
  if (Resources* resources = existingResources(p)) {
    auto it = resources->dns_iterators.find(id);
    if (it != resources->dns_iterators.end()) iterator = &it->second;
  }
  if (!iterator) fail(self, "resolve_next", "no such DNS iterator");
  if (iterator->next == iterator->addresses.size()) return 1;
  const sockaddr_storage& address = iterator->addresses[iterator->next];
  GuestMemory memory(self);
  bool v6 = address.ss_family == AF_INET6;
  if (!memory.at(type_ptr, 4) || !memory.at(address_ptr, v6 ? 16 : 4) || !memory.at(port_ptr, 2) ||
      (v6 && (!memory.at(flow_info_ptr, 4) || !memory.at(scope_id_ptr, 4)))) {
    fail(self, "resolve_next", "a result pointer is outside the process's memory");
  }
  ++iterator->next;
  uint16_t port;
  if (v6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(address);
    memory.store32(type_ptr, 6);
    memory.copyIn(address_ptr, &a.sin6_addr, 16);
    port = ntohs(a.sin6_port);
    memory.store32(flow_info_ptr, ntohl(a.sin6_flowinfo));
    memory.store32(scope_id_ptr, a.sin6_scope_id);
  } else {
    const auto& a = reinterpret_cast<const sockaddr_in&>(address);
    memory.store32(type_ptr, 4);
    memory.copyIn(address_ptr, &a.sin_addr, 4);
    port = ntohs(a.sin_port);
  }
  memory.copyIn(port_ptr, &port, 2);
  return 0;
}

// --- TCP -------------------------------------------------------------------------------

HostSocket& listenerOf(lunatic_instance* self, uint64_t id, const char* function) {
  return socketIn(self, &Resources::tcp_listeners, id, function, "TCP listener");
}

HostSocket& streamOf(lunatic_instance* self, uint64_t id, const char* function) {
  return socketIn(self, &Resources::tcp_streams, id, function, "TCP stream");
}

uint32_t tcp_bind(lunatic_instance* self, uint32_t type, uint32_t address_ptr, uint32_t port, uint32_t flow_info,
                  uint32_t scope_id, uint32_t id_ptr) {
  return bindSocket(self, "tcp_bind", {type, address_ptr, port, flow_info, scope_id}, SOCK_STREAM, id_ptr);
}

void drop_tcp_listener(lunatic_instance* self, uint64_t id) {
  dropFrom(self, &Resources::tcp_listeners, id, "drop_tcp_listener", "TCP listener");
}

uint32_t tcp_local_addr(lunatic_instance* self, uint64_t id, uint32_t id_ptr) {
  return addressOf(self, "tcp_local_addr", listenerOf(self, id, "tcp_local_addr").fd, Side::Local, id_ptr);
}

uint32_t tcp_accept(lunatic_instance* self, uint64_t listener_id, uint32_t id_ptr, uint32_t peer_ptr) {
  return acceptInto(self, "tcp_accept", listenerOf(self, listener_id, "tcp_accept").fd, &Resources::tcp_streams,
                    [](int fd) { return std::make_shared<HostSocket>(fd); }, id_ptr, peer_ptr);
}

uint32_t tcp_connect(lunatic_instance* self, uint32_t type, uint32_t address_ptr, uint32_t port, uint32_t flow_info,
                     uint32_t scope_id, uint64_t timeout_ms, uint32_t id_ptr) {
  return connectSocket(self, "tcp_connect", {type, address_ptr, port, flow_info, scope_id}, timeout_ms, id_ptr);
}

uint32_t tcp_peer_addr(lunatic_instance* self, uint64_t id, uint32_t id_ptr) {
  return addressOf(self, "tcp_peer_addr", streamOf(self, id, "tcp_peer_addr").fd, Side::Peer, id_ptr);
}

void drop_tcp_stream(lunatic_instance* self, uint64_t id) {
  dropFrom(self, &Resources::tcp_streams, id, "drop_tcp_stream", "TCP stream");
}

uint64_t clone_tcp_stream(lunatic_instance* self, uint64_t id) {
  return cloneIn(self, &Resources::tcp_streams, id, "clone_tcp_stream", "TCP stream");
}

uint32_t tcp_write_vectored(lunatic_instance* self, uint64_t id, uint32_t ciovecs_ptr, uint32_t count,
                            uint32_t opaque_ptr) {
  HostSocket& stream = streamOf(self, id, "tcp_write_vectored");
  if (!GuestMemory(self).at(opaque_ptr, 8)) fail(self, "tcp_write_vectored", "a pointer is outside the process's memory");
  iovec buffers[kMaxWriteBuffers];
  size_t used = gatherBuffers(self, "tcp_write_vectored", ciovecs_ptr, count, buffers, kMaxWriteBuffers);
  uint64_t deadline = deadlineAfter(stream.write_timeout_ms.load(std::memory_order_relaxed));
  int64_t sent = used ? io::send(stream.fd, {buffers, used}, 0, deadline) : 0;
  return transferResult(self, "tcp_write_vectored", opaque_ptr, sent, deadline);
}

// tcp_read and tcp_peek: recv with `flags` on the stream, waiting up to its timeout.
uint32_t receiveFromStream(lunatic_instance* self, const char* function, uint64_t id, uint32_t buffer_ptr,
                           uint32_t length, uint32_t opaque_ptr, int flags,
                           std::atomic<uint64_t> HostSocket::*timeout) {
  HostSocket& stream = streamOf(self, id, function);
  GuestMemory memory(self);
  uint8_t* buffer = memory.at(buffer_ptr, length);
  if (!buffer || !memory.at(opaque_ptr, 8)) fail(self, function, "a pointer is outside the process's memory");
  iovec into{buffer, length};
  uint64_t deadline = deadlineAfter((stream.*timeout).load(std::memory_order_relaxed));
  return transferResult(self, function, opaque_ptr, io::recv(stream.fd, {&into, 1}, flags, nullptr, deadline), deadline);
}

uint32_t tcp_read(lunatic_instance* self, uint64_t id, uint32_t buffer_ptr, uint32_t length, uint32_t opaque_ptr) {
  return receiveFromStream(self, "tcp_read", id, buffer_ptr, length, opaque_ptr, 0, &HostSocket::read_timeout_ms);
}

uint32_t tcp_peek(lunatic_instance* self, uint64_t id, uint32_t buffer_ptr, uint32_t length, uint32_t opaque_ptr) {
  return receiveFromStream(self, "tcp_peek", id, buffer_ptr, length, opaque_ptr, MSG_PEEK, &HostSocket::peek_timeout_ms);
}

// The timeouts: properties of the stream, so its clones (and other processes' ids) share them.
std::atomic<uint64_t>& timeoutOf(lunatic_instance* self, uint64_t id, const char* function,
                                 std::atomic<uint64_t> HostSocket::*timeout) {
  return streamOf(self, id, function).*timeout;
}
void set_read_timeout(lunatic_instance* self, uint64_t id, uint64_t ms) {
  timeoutOf(self, id, "set_read_timeout", &HostSocket::read_timeout_ms).store(ms, std::memory_order_relaxed);
}
void set_write_timeout(lunatic_instance* self, uint64_t id, uint64_t ms) {
  timeoutOf(self, id, "set_write_timeout", &HostSocket::write_timeout_ms).store(ms, std::memory_order_relaxed);
}
void set_peek_timeout(lunatic_instance* self, uint64_t id, uint64_t ms) {
  timeoutOf(self, id, "set_peek_timeout", &HostSocket::peek_timeout_ms).store(ms, std::memory_order_relaxed);
}
uint64_t get_read_timeout(lunatic_instance* self, uint64_t id) {
  return timeoutOf(self, id, "get_read_timeout", &HostSocket::read_timeout_ms).load(std::memory_order_relaxed);
}
uint64_t get_write_timeout(lunatic_instance* self, uint64_t id) {
  return timeoutOf(self, id, "get_write_timeout", &HostSocket::write_timeout_ms).load(std::memory_order_relaxed);
}
uint64_t get_peek_timeout(lunatic_instance* self, uint64_t id) {
  return timeoutOf(self, id, "get_peek_timeout", &HostSocket::peek_timeout_ms).load(std::memory_order_relaxed);
}

// Nothing is buffered in the runtime: a written byte is in the kernel's hands.
uint32_t tcp_flush(lunatic_instance* self, uint64_t id, uint32_t error_id_ptr) {
  streamOf(self, id, "tcp_flush");
  storeResult(self, "tcp_flush", error_id_ptr, 0);
  return 0;
}

}  // namespace

// --- Shared with networking_udp.cpp ----------------------------------------------------

uint32_t bindSocket(lunatic_instance* self, const char* function, const GuestAddress& guest, int type,
                    uint32_t id_ptr) {
  GuestMemory memory(self);
  if (!memory.at(id_ptr, 8)) fail(self, function, "the id pointer is outside the process's memory");
  Process& p = api::callerOf(self);
  sockaddr_storage address;
  socklen_t length = decodeAddress(self, function, guest, &address);
  if (!permitted(self, Permission::Listen, function, id_ptr)) return 1;
  int fd = openBound(address, length, type);
  if (fd < 0) {
    memory.store64(id_ptr, newOsError(p, fd));
    return 1;
  }
  SocketTable table = type == SOCK_STREAM ? &Resources::tcp_listeners : &Resources::udp_sockets;
  memory.store64(id_ptr, addSocket(p, table, std::make_shared<HostSocket>(fd)));
  return 0;
}

int openBound(const sockaddr_storage& address, socklen_t length, int type) {
  int fd = newSocket(address, type);
  if (fd < 0) return fd;
  int on = 1;
  // As upstream (Rust's std): a restarted server can bind its port again at once.
  if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) < 0 ||
      (type == SOCK_STREAM && ::listen(fd, kListenBacklog) < 0)) {
    int error = errno;
    ::close(fd);
    return -error;
  }
  return fd;
}

size_t gatherBuffers(lunatic_instance* self, const char* function, uint32_t ciovecs_ptr, uint32_t count, iovec* out,
                     size_t capacity) {
  GuestMemory memory(self);
  const uint8_t* ciovecs = memory.at(ciovecs_ptr, uint64_t(count) * 8);
  if (!ciovecs) fail(self, function, "a pointer is outside the process's memory");
  size_t used = 0;
  for (uint32_t k = 0; k < count; ++k) {
    uint32_t pointer, length;
    std::memcpy(&pointer, ciovecs + 8 * k, 4);
    std::memcpy(&length, ciovecs + 8 * k + 4, 4);
    uint8_t* data = memory.at(pointer, length);
    if (!data) fail(self, function, "a buffer is outside the process's memory");
    if (used < capacity && length) out[used++] = {data, length};
  }
  return used;
}

uint32_t acceptInto(lunatic_instance* self, const char* function, int listener_fd, SocketTable table,
                    const std::function<SharedSocket(int)>& make, uint32_t id_ptr, uint32_t peer_ptr) {
  GuestMemory memory(self);
  if (!memory.at(id_ptr, 8) || !memory.at(peer_ptr, 8)) fail(self, function, "a pointer is outside the process's memory");
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  int fd = io::accept(listener_fd, reinterpret_cast<sockaddr*>(&peer), &length);
  Process& p = api::callerOf(self);
  if (fd < 0) {
    memory.store64(id_ptr, newOsError(p, fd));
    memory.store64(peer_ptr, 0);
    return 1;
  }
  SharedSocket socket = make(fd);
  if (!socket) {  // `make` could not use the descriptor (out of memory): it is still ours to close
    ::close(fd);
    memory.store64(id_ptr, newOsError(p, -ENOMEM));
    memory.store64(peer_ptr, 0);
    return 1;
  }
  memory.store64(id_ptr, addSocket(p, table, std::move(socket)));
  memory.store64(peer_ptr, newDnsIterator(p, {peer}));
  return 0;
}

uint32_t addressOf(lunatic_instance* self, const char* function, int fd, Side side, uint32_t id_ptr, int* errno_out) {
  if (!GuestMemory(self).at(id_ptr, 8)) fail(self, function, "the id pointer is outside the process's memory");
  Process& p = api::callerOf(self);
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  int status = side == Side::Local ? getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length)
                                   : getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (status < 0) {
    if (errno_out) *errno_out = errno;
    storeResult(self, function, id_ptr, newOsError(p, -errno));
    return 1;
  }
  storeResult(self, function, id_ptr, newDnsIterator(p, {address}));
  return 0;
}

void dropFrom(lunatic_instance* self, SocketTable table, uint64_t id, const char* function, const char* what) {
  socketIn(self, table, id, function, what);
  Process& p = api::callerOf(self);
  (resourcesOf(p).*table).erase(id);
  p.releaseOwn(socketBytes(table));
}

uint64_t cloneIn(lunatic_instance* self, SocketTable table, uint64_t id, const char* function, const char* what) {
  socketIn(self, table, id, function, what);
  Process& p = api::callerOf(self);
  return addSocket(p, table, (resourcesOf(p).*table)[id]);
}

uint32_t connectSocket(lunatic_instance* self, const char* function, const GuestAddress& guest, uint64_t timeout_ms,
                       uint32_t id_ptr, HostSocket* udp) {
  GuestMemory memory(self);
  if (!memory.at(id_ptr, 8)) fail(self, function, "the id pointer is outside the process's memory");
  Process& p = api::callerOf(self);
  sockaddr_storage address;
  socklen_t length = decodeAddress(self, function, guest, &address);
  if (!permitted(self, Permission::Connect, function, id_ptr)) return 1;
  if (udp) {
    // A datagram socket only records its peer: nothing to wait for.
    if (::connect(udp->fd, reinterpret_cast<sockaddr*>(&address), length) < 0) {
      memory.store64(id_ptr, newOsError(p, -errno));
      return 1;
    }
    memory.store64(id_ptr, 0);
    return 0;
  }
  int fd = newSocket(address, SOCK_STREAM);
  if (fd < 0) {
    memory.store64(id_ptr, newOsError(p, fd));
    return 1;
  }
  // Kept in the process's resources while the process waits, so that a kill meanwhile (which
  // skips this frame's destructors) still closes it.
  Resources& r = resourcesOf(p);
  r.connecting = std::make_shared<HostSocket>(fd);
  int status = io::connect(fd, reinterpret_cast<sockaddr*>(&address), length, deadlineAfter(timeout_ms));
  SharedSocket socket = std::move(r.connecting);
  if (status == -ETIMEDOUT && timeout_ms != kNoTimeout) {
    storeResult(self, function, id_ptr, 0);
    return kTimedOut;
  }
  if (status < 0) {
    memory.store64(id_ptr, newOsError(p, status));
    return 1;
  }
  memory.store64(id_ptr, addSocket(p, &Resources::tcp_streams, std::move(socket)));
  return 0;
}

}  // namespace net
}  // namespace lunatic::rt

LUNATIC_HOST_CODE(networking, drop_dns_iterator, net::drop_dns_iterator);
LUNATIC_HOST_CODE(networking, resolve_next, net::resolve_next);
LUNATIC_HOST_CODE(networking, tcp_bind, net::tcp_bind);
LUNATIC_HOST_CODE(networking, drop_tcp_listener, net::drop_tcp_listener);
LUNATIC_HOST_CODE(networking, tcp_local_addr, net::tcp_local_addr);
LUNATIC_HOST_CODE(networking, tcp_accept, net::tcp_accept);
LUNATIC_HOST_CODE(networking, tcp_connect, net::tcp_connect);
LUNATIC_HOST_CODE(networking, tcp_peer_addr, net::tcp_peer_addr);
LUNATIC_HOST_CODE(networking, drop_tcp_stream, net::drop_tcp_stream);
LUNATIC_HOST_CODE(networking, clone_tcp_stream, net::clone_tcp_stream);
LUNATIC_HOST_CODE(networking, tcp_write_vectored, net::tcp_write_vectored);
LUNATIC_HOST_CODE(networking, tcp_peek, net::tcp_peek);
LUNATIC_HOST_CODE(networking, tcp_read, net::tcp_read);
LUNATIC_HOST_CODE(networking, set_read_timeout, net::set_read_timeout);
LUNATIC_HOST_CODE(networking, set_write_timeout, net::set_write_timeout);
LUNATIC_HOST_CODE(networking, set_peek_timeout, net::set_peek_timeout);
LUNATIC_HOST_CODE(networking, get_read_timeout, net::get_read_timeout);
LUNATIC_HOST_CODE(networking, get_write_timeout, net::get_write_timeout);
LUNATIC_HOST_CODE(networking, get_peek_timeout, net::get_peek_timeout);
LUNATIC_HOST_CODE(networking, tcp_flush, net::tcp_flush);
