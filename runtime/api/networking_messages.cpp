// lunatic::message's functions that move sockets between processes: push_tcp_stream,
// push_tls_stream and push_udp_socket move a socket out of the caller's table into the
// message in its slot; take_tcp_stream, take_tls_stream and take_udp_socket move one out of the received message into the
// receiver's table. The socket itself (HostSocket) is shared, not copied: the message holds
// it meanwhile, and a message dropped unread lets go of it (Message::sockets).
#include "runtime/api/networking.h"

namespace lunatic::rt::net {
namespace {

uint64_t push(lunatic_instance* self, const char* function, SocketTable table, Message::CarriedSocket::Kind kind,
              uint64_t id, const char* what) {
  Message& message = api::dataMessageInSlot(self, function);
  socketIn(self, table, id, function, what);
  Process& p = api::callerOf(self);
  auto& sockets = resourcesOf(p).*table;
  auto it = sockets.find(id);
  if (!message.sockets) message.sockets = std::make_unique<std::vector<Message::CarriedSocket>>();
  message.sockets->push_back({kind, std::move(it->second)});
  sockets.erase(it);
  p.releaseOwn(socketBytes(table));
  return message.sockets->size() - 1;
}

uint64_t take(lunatic_instance* self, const char* function, SocketTable table, Message::CarriedSocket::Kind kind,
              uint64_t index, const char* what) {
  Message& message = api::dataMessageInSlot(self, function);
  Message::CarriedSocket* carried =
      message.sockets && index < message.sockets->size() ? &(*message.sockets)[index] : nullptr;
  if (!carried || !carried->socket || carried->kind != kind) {
    fail(self, function, std::string("the message holds no ") + what + " at index " + std::to_string(index));
  }
  return addSocket(api::callerOf(self), table, std::move(carried->socket));
}

uint64_t push_tcp_stream(lunatic_instance* self, uint64_t id) {
  return push(self, "push_tcp_stream", &Resources::tcp_streams, Message::CarriedSocket::Kind::TcpStream, id,
              "TCP stream");
}

uint64_t take_tcp_stream(lunatic_instance* self, uint64_t index) {
  return take(self, "take_tcp_stream", &Resources::tcp_streams, Message::CarriedSocket::Kind::TcpStream, index,
              "TCP stream");
}

uint64_t push_udp_socket(lunatic_instance* self, uint64_t id) {
  return push(self, "push_udp_socket", &Resources::udp_sockets, Message::CarriedSocket::Kind::UdpSocket, id,
              "UDP socket");
}

uint64_t take_udp_socket(lunatic_instance* self, uint64_t index) {
  return take(self, "take_udp_socket", &Resources::udp_sockets, Message::CarriedSocket::Kind::UdpSocket, index,
              "UDP socket");
}

// A TLS stream is a HostSocket too (networking_tls.cpp): moving it needs nothing of OpenSSL.
uint64_t push_tls_stream(lunatic_instance* self, uint64_t id) {
  return push(self, "push_tls_stream", &Resources::tls_streams, Message::CarriedSocket::Kind::TlsStream, id,
              "TLS stream");
}

uint64_t take_tls_stream(lunatic_instance* self, uint64_t index) {
  return take(self, "take_tls_stream", &Resources::tls_streams, Message::CarriedSocket::Kind::TlsStream, index,
              "TLS stream");
}

}  // namespace

}  // namespace lunatic::rt::net

LUNATIC_HOST_CODE(message, push_tcp_stream, net::push_tcp_stream);
LUNATIC_HOST_CODE(message, take_tcp_stream, net::take_tcp_stream);
LUNATIC_HOST_CODE(message, push_udp_socket, net::push_udp_socket);
LUNATIC_HOST_CODE(message, take_udp_socket, net::take_udp_socket);
LUNATIC_HOST_CODE(message, push_tls_stream, net::push_tls_stream);
LUNATIC_HOST_CODE(message, take_tls_stream, net::take_tls_stream);
