// Host names answered without asking anyone: numeric addresses, and `localhost` and the names
// under it (RFC 6761), which mean the loopback addresses whatever files the host has or
// lacks. lunatic::networking::resolve answers these first (networking_dns.cpp), and so does
// the --serve listener's --listen address (serve/server.cpp), which takes nothing else: it
// must not depend on a resolver at start-up, and it runs before any process could wait.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace lunatic::rt::net {

// Appends the addresses `host` names, each with `port`, to `out` and returns true, if it is
// an IPv4 or IPv6 address (without brackets) or `localhost`, `*.localhost` (any case, with or
// without the final dot): 127.0.0.1 then ::1. Otherwise returns false and appends nothing.
bool resolveLocally(std::string_view host, uint16_t port, std::vector<sockaddr_storage>* out);

}  // namespace lunatic::rt::net
