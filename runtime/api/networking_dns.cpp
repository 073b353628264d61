// lunatic::networking::resolve: names to addresses, with upstream Lunatic 0.13's results
// ("host:port" in; an iterator id, an error id, or 9027 on timeout out).
//
// Numeric addresses and localhost are answered at once (local_names.h). Every other name
// goes to c-ares, a resolver library that reads /etc/hosts and /etc/resolv.conf itself and
// asks the name servers over its own sockets; it loads no NSS module, as glibc's getaddrinfo
// would, so it works the same in a static executable in an empty root. Its sockets are
// waited for through the worker's I/O engine (io::poll): a lookup parks only its process.
//
// Without the files (an empty root): no /etc/hosts, no host names from a file; no
// /etc/resolv.conf, c-ares's defaults (the name server on 127.0.0.1, no search domains).
// LUNATIC_DNS_SERVERS=ADDRESS[:PORT],... in the executable's environment names the name
// servers instead of resolv.conf, and CARES_HOSTS=FILE a hosts file instead of /etc/hosts
// (a container with no /etc, a test's own server).
//
// This file is an object of its own in the runtime archive, so that only executables whose
// module imports resolve link c-ares (host.h: host functions are named slots).
#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "runtime/api/local_names.h"
#include "runtime/api/networking.h"
#include "runtime/clock.h"
#include "runtime/host.h"
#include "runtime/io/io.h"
#include "lunatic/utf8.h"

namespace lunatic::rt::net {

// A lookup in progress. It lives in the process's resources (networking.h), not on the
// resolve call's frame: a kill while the process waits ends it without unwinding, and the
// resources' destruction then destroys the channel, which closes its sockets.
struct Lookup {
  Lookup() = default;
  Lookup(const Lookup&) = delete;
  Lookup& operator=(const Lookup&) = delete;
  ~Lookup() {
    if (channel) ares_destroy(channel);
  }
  ares_channel channel = nullptr;
  // The sockets c-ares waits on and for what (its socket-state callback keeps this), and the
  // copy of it one wait polls (the callback may change the first while the second is read).
  std::vector<io::Interest> sockets, polled;
  uint16_t port = 0;
  bool done = false;
  int status = ARES_SUCCESS;
  std::vector<sockaddr_storage> addresses;
};

namespace {

// Splits "host:port" (an IPv6 host in brackets) as upstream's lookup does; false if the text
// is not of that form.
bool splitHostPort(std::string_view name, std::string_view* host, uint16_t* port) {
  size_t colon = name.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view digits = name.substr(colon + 1);
  if (digits.empty() || digits.size() > 5) return false;
  uint32_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + uint32_t(c - '0');
  }
  if (value > UINT16_MAX) return false;
  *host = name.substr(0, colon);
  if (host->front() == '[') {
    if (host->size() < 2 || host->back() != ']') return false;
    *host = host->substr(1, host->size() - 2);
  }
  if (host->empty() || host->find('\0') != std::string_view::npos) return false;
  *port = uint16_t(value);
  return true;
}

void socketStateChanged(void* data, ares_socket_t fd, int readable, int writable) {
  auto& sockets = static_cast<Lookup*>(data)->sockets;
  short events = short((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
  auto it = std::find_if(sockets.begin(), sockets.end(), [fd](const io::Interest& i) { return i.fd == fd; });
  if (events == 0) {
    if (it != sockets.end()) sockets.erase(it);
  } else if (it == sockets.end()) {
    sockets.push_back({fd, events, 0});
  } else {
    it->events = events;
  }
}

void lookupDone(void* data, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto* lookup = static_cast<Lookup*>(data);
  lookup->done = true;
  lookup->status = status;
  if (!result) return;
  for (ares_addrinfo_node* node = result->nodes; node; node = node->ai_next) {
    if (node->ai_family != AF_INET && node->ai_family != AF_INET6) continue;
    sockaddr_storage address{};
    std::memcpy(&address, node->ai_addr, std::min<size_t>(node->ai_addrlen, sizeof address));
    // The port is the caller's, not a service's.
    if (node->ai_family == AF_INET) {
      reinterpret_cast<sockaddr_in*>(&address)->sin_port = htons(lookup->port);
    } else {
      reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = htons(lookup->port);
    }
    lookup->addresses.push_back(address);
  }
  ares_freeaddrinfo(result);
  if (lookup->status == ARES_SUCCESS && lookup->addresses.empty()) lookup->status = ARES_ENODATA;
}

// A channel for one lookup: it reads resolv.conf and hosts as they are now, as glibc does
// for each lookup. ARES_SUCCESS or c-ares's error.
int openChannel(Lookup& lookup) {
  static const int library = ares_library_init(ARES_LIB_INIT_ALL);
  if (library != ARES_SUCCESS) return library;
  ares_options options{};
  options.sock_state_cb = &socketStateChanged;
  options.sock_state_cb_data = &lookup;
  int status = ares_init_options(&lookup.channel, &options, ARES_OPT_SOCK_STATE_CB);
  if (status != ARES_SUCCESS) return status;
  if (const char* servers = std::getenv("LUNATIC_DNS_SERVERS")) {
    status = ares_set_servers_ports_csv(lookup.channel, servers);
  }
  return status;
}

// The steady-clock time c-ares next wants to be called even if no socket is ready (a
// retransmission, a server's timeout); 0 if it has none.
uint64_t nextResolverTimeout(ares_channel channel) {
  timeval left;
  if (!ares_timeout(channel, nullptr, &left)) return 0;
  return nowNanoseconds() + uint64_t(left.tv_sec) * 1'000'000'000 + uint64_t(left.tv_usec) * 1'000 + 1;
}

// Runs `lookup` (already started) to its end or to `deadline_ns` (0: none); false if the
// deadline passed first. The process parks while c-ares waits for its sockets.
bool runToEnd(Lookup& lookup, uint64_t deadline_ns) {
  while (!lookup.done) {
    uint64_t wake_at = nextResolverTimeout(lookup.channel);
    if (deadline_ns && (!wake_at || deadline_ns < wake_at)) wake_at = deadline_ns;
    if (lookup.sockets.empty() && !wake_at) {  // nothing could ever end it: c-ares lost track
      lookup.status = ARES_ECONNREFUSED;
      return true;
    }
    lookup.polled = lookup.sockets;
    int ready = io::poll(lookup.polled, wake_at);
    if (ready < 0) {
      lookup.status = ARES_ECONNREFUSED;
      return true;
    }
    if (deadline_ns && nowNanoseconds() >= deadline_ns && !ready) return false;
    if (!ready) {
      ares_process_fd(lookup.channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // its timeouts
      continue;
    }
    for (const io::Interest& socket : lookup.polled) {
      bool readable = socket.revents & (POLLIN | POLLERR | POLLHUP);
      bool writable = socket.revents & POLLOUT;
      if (readable || writable) {
        ares_process_fd(lookup.channel, readable ? socket.fd : ARES_SOCKET_BAD, writable ? socket.fd : ARES_SOCKET_BAD);
      }
    }
  }
  return true;
}

// c-ares's status as the error of getaddrinfo that upstream's lookup (Rust's, through the C
// library) would report.
int asGetaddrinfoError(int status) {
  switch (status) {
    case ARES_ENOTFOUND:
    case ARES_ENONAME:
    case ARES_EBADNAME:
      return EAI_NONAME;
    case ARES_ENODATA:
      return EAI_NODATA;
    case ARES_ETIMEOUT:
    case ARES_ECONNREFUSED:
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
      return EAI_AGAIN;
    case ARES_ENOMEM:
      return EAI_MEMORY;
    default:
      return EAI_FAIL;
  }
}

uint32_t resolve(lunatic_instance* self, uint32_t name_ptr, uint32_t name_len, uint64_t timeout_ms, uint32_t id_ptr) {
  GuestMemory memory(self);
  std::string_view name;
  if (!memory.view(name_ptr, name_len, &name) || !memory.at(id_ptr, 8)) {
    fail(self, "resolve", "a pointer is outside the process's memory");
  }
  if (!isValidUtf8(name)) fail(self, "resolve", "the name is not UTF-8");
  Process& p = api::callerOf(self);
  std::string_view host;
  uint16_t port;
  if (!splitHostPort(name, &host, &port)) {
    memory.store64(id_ptr, api::newError(p, "invalid socket address (want host:port)"));
    return 1;
  }
  uint64_t error_id = 0;
  switch (lookUp(p, host, port, deadlineAfter(timeout_ms), &error_id)) {
    case LookupOutcome::TimedOut:
      memory.store64(id_ptr, 0);
      return kTimedOut;
    case LookupOutcome::Failed:
      memory.store64(id_ptr, error_id);
      return 1;
    case LookupOutcome::Done:
      break;
  }
  memory.store64(id_ptr, newDnsIterator(p, std::move(resourcesOf(p).resolved)));
  return 0;
}

}  // namespace

LookupOutcome lookUp(Process& p, std::string_view host, uint16_t port, uint64_t deadline_ns, uint64_t* error_id) {
  Resources& r = resourcesOf(p);
  r.resolved.clear();
  if (resolveLocally(host, port, &r.resolved)) return LookupOutcome::Done;
  r.lookup = std::make_shared<Lookup>();
  Lookup& lookup = *r.lookup;
  lookup.port = port;
  lookup.status = openChannel(lookup);
  if (lookup.status == ARES_SUCCESS) {
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address, as upstream's lookup asks
    // CARES_HOSTS names a hosts file in place of /etc/hosts (c-ares reads it only when asked
    // to, and some of its versions fail the lookup if asked while it is unset).
    if (std::getenv("CARES_HOSTS")) hints.ai_flags |= ARES_AI_ENVHOSTS;
    // c-ares copies the name; the call may finish at once (a name in /etc/hosts).
    ares_getaddrinfo(lookup.channel, std::string(host).c_str(), nullptr, &hints, &lookupDone, &lookup);
    if (!runToEnd(lookup, deadline_ns)) {
      r.lookup.reset();
      return LookupOutcome::TimedOut;
    }
  }
  std::shared_ptr<Lookup> finished = std::move(r.lookup);
  if (finished->status != ARES_SUCCESS) {
    const char* why = gai_strerror(asGetaddrinfoError(finished->status));
    *error_id = api::newError(p, std::string("failed to lookup address information: ") + why);
    return LookupOutcome::Failed;
  }
  r.resolved = std::move(finished->addresses);
  return LookupOutcome::Done;
}

}  // namespace lunatic::rt::net

LUNATIC_HOST_CODE(networking, resolve, net::resolve);
