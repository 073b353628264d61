// lunatic::networking, part two: UDP sockets, with upstream Lunatic 0.13's names, signatures
// and results (networking.h has what the networking files share). udp_bind needs the
// process's listen capability; udp_connect and udp_send_to its connect capability.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "runtime/api/networking.h"
#include "runtime/io/io.h"

namespace lunatic::rt::net {
namespace {

HostSocket& udpOf(lunatic_instance* self, uint64_t id, const char* function) {
  return socketIn(self, &Resources::udp_sockets, id, function, "UDP socket");
}

uint32_t udp_bind(lunatic_instance* self, uint32_t type, uint32_t address_ptr, uint32_t port, uint32_t flow_info,
                  uint32_t scope_id, uint32_t id_ptr) {
  return bindSocket(self, "udp_bind", {type, address_ptr, port, flow_info, scope_id}, SOCK_DGRAM, id_ptr);
}

uint32_t udp_local_addr(lunatic_instance* self, uint64_t id, uint32_t id_ptr) {
  return addressOf(self, "udp_local_addr", udpOf(self, id, "udp_local_addr").fd, Side::Local, id_ptr);
}

// 1 with an error id when the socket is not connected, 2 with one on any other failure.
uint32_t udp_peer_addr(lunatic_instance* self, uint64_t id, uint32_t id_ptr) {
  int error = 0;
  uint32_t result = addressOf(self, "udp_peer_addr", udpOf(self, id, "udp_peer_addr").fd, Side::Peer, id_ptr, &error);
  return result == 0 || error == ENOTCONN ? result : 2;
}

void drop_udp_socket(lunatic_instance* self, uint64_t id) {
  dropFrom(self, &Resources::udp_sockets, id, "drop_udp_socket", "UDP socket");
}

uint64_t clone_udp_socket(lunatic_instance* self, uint64_t id) {
  return cloneIn(self, &Resources::udp_sockets, id, "clone_udp_socket", "UDP socket");
}

// The guest buffer [pointer, pointer + length) and the u64 at opaque_ptr, or the process fails.
iovec guestBuffer(lunatic_instance* self, const char* function, uint32_t pointer, uint32_t length,
                  uint32_t opaque_ptr) {
  GuestMemory memory(self);
  uint8_t* data = memory.at(pointer, length);
  if (!data || !memory.at(opaque_ptr, 8)) fail(self, function, "a pointer is outside the process's memory");
  return {data, length};
}

// udp_receive and udp_receive_from: one datagram, truncated to the buffer as recv(2) does.
uint32_t receiveDatagram(lunatic_instance* self, const char* function, uint64_t id, uint32_t buffer_ptr,
                         uint32_t length, uint32_t opaque_ptr, sockaddr_storage* sender, socklen_t* sender_length) {
  HostSocket& socket = udpOf(self, id, function);
  iovec into = guestBuffer(self, function, buffer_ptr, length, opaque_ptr);
  int64_t received = io::recv(socket.fd, {&into, 1}, 0, nullptr, 0, reinterpret_cast<sockaddr*>(sender), sender_length);
  return transferResult(self, function, opaque_ptr, received, 0);
}

uint32_t udp_receive(lunatic_instance* self, uint64_t id, uint32_t buffer_ptr, uint32_t length, uint32_t opaque_ptr) {
  return receiveDatagram(self, "udp_receive", id, buffer_ptr, length, opaque_ptr, nullptr, nullptr);
}

uint32_t udp_receive_from(lunatic_instance* self, uint64_t id, uint32_t buffer_ptr, uint32_t length,
                          uint32_t opaque_ptr, uint32_t sender_ptr) {
  if (!GuestMemory(self).at(sender_ptr, 8)) fail(self, "udp_receive_from", "a pointer is outside the process's memory");
  sockaddr_storage sender{};
  socklen_t sender_length = sizeof sender;
  uint32_t result = receiveDatagram(self, "udp_receive_from", id, buffer_ptr, length, opaque_ptr, &sender, &sender_length);
  if (result == 0) storeResult(self, "udp_receive_from", sender_ptr, newDnsIterator(api::callerOf(self), {sender}));
  return result;
}

uint32_t udp_connect(lunatic_instance* self, uint64_t id, uint32_t type, uint32_t address_ptr, uint32_t port,
                     uint32_t flow_info, uint32_t scope_id, uint64_t timeout_ms, uint32_t id_ptr) {
  HostSocket& socket = udpOf(self, id, "udp_connect");
  return connectSocket(self, "udp_connect", {type, address_ptr, port, flow_info, scope_id}, timeout_ms, id_ptr, &socket);
}

uint32_t udp_send(lunatic_instance* self, uint64_t id, uint32_t buffer_ptr, uint32_t length, uint32_t opaque_ptr) {
  HostSocket& socket = udpOf(self, id, "udp_send");
  iovec data = guestBuffer(self, "udp_send", buffer_ptr, length, opaque_ptr);
  return transferResult(self, "udp_send", opaque_ptr, io::send(socket.fd, {&data, 1}, 0), 0);
}

uint32_t udp_send_to(lunatic_instance* self, uint64_t id, uint32_t buffer_ptr, uint32_t length, uint32_t type,
                     uint32_t address_ptr, uint32_t port, uint32_t flow_info, uint32_t scope_id, uint32_t opaque_ptr) {
  HostSocket& socket = udpOf(self, id, "udp_send_to");
  iovec data = guestBuffer(self, "udp_send_to", buffer_ptr, length, opaque_ptr);
  sockaddr_storage to;
  socklen_t to_length = decodeAddress(self, "udp_send_to", {type, address_ptr, port, flow_info, scope_id}, &to);
  if (!permitted(self, Permission::Connect, "udp_send_to", opaque_ptr)) return 1;
  int64_t sent = io::send(socket.fd, {&data, 1}, 0, 0, reinterpret_cast<sockaddr*>(&to), to_length);
  return transferResult(self, "udp_send_to", opaque_ptr, sent, 0);
}

// Socket options: as upstream, a refusal by the system fails the process.
void setOption(lunatic_instance* self, const char* function, int fd, int level, int name, int value) {
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) {
    fail(self, function, std::string("the system refused: ") + strerror(errno));
  }
}

int getOption(lunatic_instance* self, const char* function, int fd, int level, int name) {
  int value = 0;
  socklen_t size = sizeof value;
  if (getsockopt(fd, level, name, &value, &size) < 0) {
    fail(self, function, std::string("the system refused: ") + strerror(errno));
  }
  return value;
}

// The time-to-live option of the socket's family: IP_TTL, or the IPv6 hop limit.
void ttlOption(int fd, int* level, int* name) {
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  bool v6 = getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 && local.ss_family == AF_INET6;
  *level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
  *name = v6 ? IPV6_UNICAST_HOPS : IP_TTL;
}

void set_udp_socket_broadcast(lunatic_instance* self, uint64_t id, uint32_t on) {
  int fd = udpOf(self, id, "set_udp_socket_broadcast").fd;
  setOption(self, "set_udp_socket_broadcast", fd, SOL_SOCKET, SO_BROADCAST, on ? 1 : 0);
}

uint32_t get_udp_socket_broadcast(lunatic_instance* self, uint64_t id) {
  int fd = udpOf(self, id, "get_udp_socket_broadcast").fd;
  return getOption(self, "get_udp_socket_broadcast", fd, SOL_SOCKET, SO_BROADCAST) != 0;
}

void set_udp_socket_ttl(lunatic_instance* self, uint64_t id, uint32_t ttl) {
  int fd = udpOf(self, id, "set_udp_socket_ttl").fd;
  int level, name;
  ttlOption(fd, &level, &name);
  setOption(self, "set_udp_socket_ttl", fd, level, name, int(ttl));
}

uint32_t get_udp_socket_ttl(lunatic_instance* self, uint64_t id) {
  int fd = udpOf(self, id, "get_udp_socket_ttl").fd;
  int level, name;
  ttlOption(fd, &level, &name);
  return uint32_t(getOption(self, "get_udp_socket_ttl", fd, level, name));
}

}  // namespace

}  // namespace lunatic::rt::net

LUNATIC_HOST_CODE(networking, udp_bind, net::udp_bind);
LUNATIC_HOST_CODE(networking, udp_local_addr, net::udp_local_addr);
LUNATIC_HOST_CODE(networking, udp_peer_addr, net::udp_peer_addr);
LUNATIC_HOST_CODE(networking, drop_udp_socket, net::drop_udp_socket);
LUNATIC_HOST_CODE(networking, udp_receive, net::udp_receive);
LUNATIC_HOST_CODE(networking, udp_receive_from, net::udp_receive_from);
LUNATIC_HOST_CODE(networking, udp_connect, net::udp_connect);
LUNATIC_HOST_CODE(networking, clone_udp_socket, net::clone_udp_socket);
LUNATIC_HOST_CODE(networking, set_udp_socket_broadcast, net::set_udp_socket_broadcast);
LUNATIC_HOST_CODE(networking, get_udp_socket_broadcast, net::get_udp_socket_broadcast);
LUNATIC_HOST_CODE(networking, set_udp_socket_ttl, net::set_udp_socket_ttl);
LUNATIC_HOST_CODE(networking, get_udp_socket_ttl, net::get_udp_socket_ttl);
LUNATIC_HOST_CODE(networking, udp_send_to, net::udp_send_to);
LUNATIC_HOST_CODE(networking, udp_send, net::udp_send);
