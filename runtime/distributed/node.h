// This executable as a node of an Erlang distribution cluster (docs/architecture.md,
// "Distribution"): erl_interface (ei) does the handshake and the framing, epmd the naming,
// the cookie the authentication. One distribution thread makes the connections; a host task
// per connection reads it on the workers, and processes write to it without waiting: no
// worker waits on the network (a process that waits for a remote node's answer parks).
//
// Linked only into executables whose module imports lunatic::distributed (its functions ask
// cluster::current(), defined beside the node), hence the weak declaration: main() asks
// whether it is there.
#pragma once

#include <string>

#include "runtime/distributed/options.h"

namespace lunatic::rt::distributed {

// Starts the node (registers with epmd, connects to the joined nodes) and makes it
// cluster::current(); false with `error` set if it cannot. Call once, after the scheduler
// has started and before the root process runs.
bool startNode(const NodeOptions& options, std::string* error) __attribute__((weak));

}  // namespace lunatic::rt::distributed
