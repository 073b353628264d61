// How an executable becomes a node of an Erlang distribution cluster: the flags in front of
// its arguments (`--node NAME@HOST --cookie FILE|VALUE [--join OTHER@HOST]... [--no-main]
// [--net-ticktime SECONDS]`) or, for those not given, the environment (LUNATIC_NODE,
// LUNATIC_COOKIE, LUNATIC_JOIN as a comma-separated list, LUNATIC_NO_MAIN=1,
// LUNATIC_NET_TICKTIME). Parsing links nothing of the distribution itself (node.h does).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lunatic::rt::distributed {

struct NodeOptions {
  std::string name;    // NAME@HOST, as Erlang's -name
  std::string cookie;  // the value, read from the file if one was named
  std::vector<std::string> joins;
  bool no_main = false;  // host spawned processes only; run no entry
  // Erlang's net_ticktime: a peer heard from for this long is down. Ticks go out every quarter.
  unsigned tick_seconds = 60;
};

// Takes the distribution flags at the front of argv[1..] out of argc/argv (the guest sees the
// rest), then the environment. nullopt without --node or LUNATIC_NODE; on a malformed flag or
// value, nullopt with `error` set.
std::optional<NodeOptions> takeNodeOptions(int& argc, char** argv, std::string* error);

}  // namespace lunatic::rt::distributed
