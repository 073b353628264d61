// The distribution flags and their environment equivalents (options.h).
#include "runtime/distributed/options.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>

namespace lunatic::rt::distributed {
namespace {

bool validNodeName(std::string_view name) {
  size_t at = name.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < name.size() && name.find('@', at + 1) == name.npos &&
         name.size() < 256;
}

// --cookie names a file (its first line, as ~/.erlang.cookie) or is the value itself.
std::string cookieValue(const std::string& given) {
  std::ifstream file(given);
  std::string line;
  if (file && std::getline(file, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
  }
  return given;
}

bool parseTick(std::string_view text, unsigned* seconds) {
  char* end = nullptr;
  std::string copy(text);
  unsigned long value = std::strtoul(copy.c_str(), &end, 10);
  if (copy.empty() || *end != 0 || value < 1 || value > 3600) return false;
  *seconds = unsigned(value);
  return true;
}

}  // namespace

std::optional<NodeOptions> takeNodeOptions(int& argc, char** argv, std::string* error) {
  NodeOptions options;
  std::optional<std::string> cookie, tick;
  int taken = 1;
  auto value = [&](const char* flag) -> const char* {
    if (taken + 1 >= argc) {
      *error = std::string(flag) + " needs a value";
      return nullptr;
    }
    taken += 2;
    return argv[taken - 1];
  };
  while (taken < argc) {
    std::string_view flag = argv[taken];
    const char* given = nullptr;
    if (flag == "--node") {
      if (!(given = value("--node"))) return std::nullopt;
      options.name = given;
    } else if (flag == "--cookie") {
      if (!(given = value("--cookie"))) return std::nullopt;
      cookie = given;
    } else if (flag == "--join") {
      if (!(given = value("--join"))) return std::nullopt;
      options.joins.emplace_back(given);
    } else if (flag == "--net-ticktime") {
      if (!(given = value("--net-ticktime"))) return std::nullopt;
      tick = given;
    } else if (flag == "--no-main") {
      options.no_main = true;
      ++taken;
    } else {
      break;
    }
  }
  // The guest sees argv[0] and what follows the flags.
  std::memmove(argv + 1, argv + taken, sizeof(char*) * size_t(argc - taken + 1));
  argc -= taken - 1;

  if (options.name.empty()) {
    if (const char* env = std::getenv("LUNATIC_NODE")) options.name = env;
  }
  if (!cookie) {
    if (const char* env = std::getenv("LUNATIC_COOKIE")) cookie = env;
  }
  if (options.joins.empty()) {
    if (const char* env = std::getenv("LUNATIC_JOIN")) {
      std::string_view list = env;
      while (!list.empty()) {
        size_t comma = list.find(',');
        if (comma != 0) options.joins.emplace_back(list.substr(0, comma));
        if (comma == list.npos) break;
        list.remove_prefix(comma + 1);
      }
    }
  }
  if (!options.no_main) {
    const char* env = std::getenv("LUNATIC_NO_MAIN");
    options.no_main = env && std::strcmp(env, "1") == 0;
  }
  if (!tick) {
    if (const char* env = std::getenv("LUNATIC_NET_TICKTIME")) tick = env;
  }

  if (options.name.empty()) {
    if (!cookie && options.joins.empty() && !options.no_main && !tick) return std::nullopt;
    *error = "--cookie, --join, --no-main and --net-ticktime need --node NAME@HOST";
    return std::nullopt;
  }
  if (!validNodeName(options.name)) {
    *error = "--node wants NAME@HOST, not '" + options.name + "'";
    return std::nullopt;
  }
  for (const std::string& join : options.joins) {
    if (!validNodeName(join)) {
      *error = "--join wants NAME@HOST, not '" + join + "'";
      return std::nullopt;
    }
  }
  if (!cookie || cookie->empty()) {
    *error = "--node needs --cookie FILE|VALUE (or LUNATIC_COOKIE): the cluster's shared secret";
    return std::nullopt;
  }
  options.cookie = cookieValue(*cookie);
  if (options.cookie.empty() || options.cookie.size() > 255) {
    *error = "the cookie must have 1 to 255 characters";
    return std::nullopt;
  }
  if (tick && !parseTick(*tick, &options.tick_seconds)) {
    *error = "--net-ticktime wants whole seconds from 1 to 3600, not '" + *tick + "'";
    return std::nullopt;
  }
  return options;
}

}  // namespace lunatic::rt::distributed
