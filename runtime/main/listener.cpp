// Listening sockets (listener.h).
#include "runtime/main/listener.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/api/local_names.h"

namespace lunatic::rt {

bool parseListenAddress(const char* text, ListenAddress* out) {
  std::string value = text;
  size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon + 1 == value.size()) return false;
  std::string host = value.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  // Digits only: strtoul alone would take leading whitespace and a sign.
  const char* port = value.c_str() + colon + 1;
  if (std::strspn(port, "0123456789") != std::strlen(port) || std::strlen(port) > 5) return false;
  unsigned long number = std::strtoul(port, nullptr, 10);
  if (number > 65535) return false;
  out->host = host;
  out->port = std::to_string(number);
  return true;
}

int bindListener(const ListenAddress& address, int backlog, std::string* error) {
  const uint16_t port = uint16_t(std::stoul(address.port));  // parseListenAddress checked it
  std::vector<sockaddr_storage> addresses;
  // Every address: IPv4's first, as getaddrinfo's passive lookup orders them.
  if (address.host.empty() ? !(net::resolveLocally("0.0.0.0", port, &addresses) &&
                               net::resolveLocally("::", port, &addresses))
                           : !net::resolveLocally(address.host, port, &addresses)) {
    *error = "cannot listen on " + address.host + ": not a numeric address or localhost";
    return -1;
  }
  int last_errno = 0;
  for (const sockaddr_storage& candidate : addresses) {
    int fd = socket(candidate.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t length = candidate.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&candidate), length) == 0 && listen(fd, backlog) == 0) return fd;
    last_errno = errno;
    close(fd);
  }
  *error = "cannot listen on " + address.host + ":" + address.port + ": " + std::strerror(last_errno);
  return -1;
}

}  // namespace lunatic::rt
