// Host names answered without asking anyone (local_names.h).
#include "runtime/api/local_names.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

namespace lunatic::rt::net {
namespace {

bool isLocalhost(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  constexpr std::string_view kLocalhost = "localhost";
  if (host.size() < kLocalhost.size()) return false;
  std::string_view last = host.substr(host.size() - kLocalhost.size());
  bool named = strncasecmp(last.data(), kLocalhost.data(), kLocalhost.size()) == 0;
  // "localhost" itself, or a name under it ("app.localhost"), not "notlocalhost".
  return named && (host.size() == kLocalhost.size() || host[host.size() - kLocalhost.size() - 1] == '.');
}

sockaddr_storage ipv4(const in_addr& address, uint16_t port) {
  sockaddr_storage storage{};
  auto& a = reinterpret_cast<sockaddr_in&>(storage);
  a.sin_family = AF_INET;
  a.sin_addr = address;
  a.sin_port = htons(port);
  return storage;
}

sockaddr_storage ipv6(const in6_addr& address, uint16_t port) {
  sockaddr_storage storage{};
  auto& a = reinterpret_cast<sockaddr_in6&>(storage);
  a.sin6_family = AF_INET6;
  a.sin6_addr = address;
  a.sin6_port = htons(port);
  return storage;
}

}  // namespace

bool resolveLocally(std::string_view host, uint16_t port, std::vector<sockaddr_storage>* out) {
  if (isLocalhost(host)) {
    out->push_back(ipv4(in_addr{htonl(INADDR_LOOPBACK)}, port));
    out->push_back(ipv6(in6addr_loopback, port));
    return true;
  }
  const std::string text(host);  // inet_pton wants it terminated
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out->push_back(ipv4(v4, port));
  } else if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    out->push_back(ipv6(v6, port));
  } else {
    return false;
  }
  return true;
}

}  // namespace lunatic::rt::net
