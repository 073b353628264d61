// Listening TCP sockets at an address given as text, as `--serve`'s --listen and the metrics
// endpoint's --metrics-listen (LUNATIC_METRICS_LISTEN) take them.
#pragma once

#include <string>

namespace lunatic::rt {

struct ListenAddress {
  std::string host;  // numeric, `localhost` (api/local_names.h), or empty: every address
  std::string port;  // decimal, 0 to 65535
};

// Reads "HOST:PORT", "[V6]:PORT" or ":PORT" (every address); false if it is none of those.
bool parseListenAddress(const char* text, ListenAddress* out);

// A non-blocking listening socket bound to `address` with a backlog of `backlog` (IPv4
// first where the host names both), or -1 with `error` set. No resolver is asked: a static
// executable in an empty root binds as any other.
int bindListener(const ListenAddress& address, int backlog, std::string* error);

}  // namespace lunatic::rt
