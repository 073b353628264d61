// The WASI views processes are granted (wasi_grants.h).
#include "wasi_grants.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "lunatic/abi.h"

namespace lunatic::rt {
namespace {

constexpr std::string_view kEnvironmentPrefix = "LUNATIC_ENV_";
constexpr std::string_view kDirectoriesVariable = "LUNATIC_DIRS";
constexpr std::string_view kGuestNameSeparator = "::";

// A path as its names, without the empty ones ("//", a trailing '/') and ".".
struct PathNames {
  bool absolute = false;
  std::vector<std::string_view> names;
};

PathNames namesOf(std::string_view path) {
  PathNames p;
  p.absolute = path.starts_with('/');
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view name = path.substr(0, slash);
    if (!name.empty() && name != ".") p.names.push_back(name);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return p;
}

// Whether `prefix` names `path` itself or a directory above it, name by name (so "/a/b" is
// not above "/a/bc", as a comparison of strings would have it).
bool leadsTo(const PathNames& prefix, const PathNames& path) {
  return prefix.absolute == path.absolute && prefix.names.size() <= path.names.size() &&
         std::equal(prefix.names.begin(), prefix.names.end(), path.names.begin());
}

// Sets `canonical` to the absolute path of the directory `path`, symlinks resolved. Returns
// "" or why not.
std::string canonicalDirectory(const std::string& path, std::string* canonical) {
  std::unique_ptr<char, decltype(&std::free)> resolved(realpath(path.c_str(), nullptr), &std::free);
  if (!resolved) return std::strerror(errno);
  struct stat info;
  if (stat(resolved.get(), &info) != 0) return std::strerror(errno);
  if (!S_ISDIR(info.st_mode)) return "not a directory";
  *canonical = resolved.get();
  return {};
}

// Grants `config` the host directory `host` under the guest name `guest`. `source` says who
// granted it, for the error.
bool addDirectory(wasi::WasiConfig& config, std::string_view host, std::string_view guest, std::string_view source,
                  std::string* error) {
  std::string canonical;
  std::string why = host.empty() || guest.empty() ? "a directory grant needs a host directory and a guest name"
                                                   : canonicalDirectory(std::string(host), &canonical);
  if (!why.empty()) {
    *error = "directory '" + std::string(host) + "' (granted by " + std::string(source) + "): " + why;
    return false;
  }
  config.directories.push_back({std::string(guest), std::move(canonical)});
  return true;
}

// The next string of the baked grants, stepping past it and its NUL.
std::string_view nextString(const char*& at) {
  std::string_view s(at);
  at += s.size() + 1;
  return s;
}

// The grants lunaticc's flags baked in (abi.h: records of a kind and two strings).
bool addBakedGrants(wasi::WasiConfig& config, const char* at, std::string* error) {
  while (*at) {
    std::string_view kind = nextString(at);
    std::string_view first = nextString(at);
    std::string_view second = nextString(at);
    if (kind == LUNATIC_GRANT_ENVIRONMENT_VARIABLE) {
      setEnvironmentVariable(config, first, second);
    } else if (kind == LUNATIC_GRANT_DIRECTORY) {
      if (!addDirectory(config, first, second, "--dir", error)) return false;
    } else {
      *error = "the executable's WASI grants are malformed (a grant of kind '" + std::string(kind) + "')";
      return false;
    }
  }
  return true;
}

// LUNATIC_DIRS: entries end at each ':' that is not half of a "::".
bool addDirectoryList(wasi::WasiConfig& config, std::string_view list, std::string* error) {
  while (!list.empty()) {
    size_t end = 0;
    while (end < list.size()) {
      if (list.substr(end, 2) == kGuestNameSeparator) {
        end += 2;
      } else if (list[end] == ':') {
        break;
      } else {
        ++end;
      }
    }
    std::string_view entry = list.substr(0, end);
    list.remove_prefix(std::min(end + 1, list.size()));
    if (entry.empty()) continue;  // "a::b:" or ":a", as PATH allows
    size_t separator = entry.find(kGuestNameSeparator);
    std::string_view host = entry.substr(0, separator);
    std::string_view guest =
        separator == std::string_view::npos ? host : entry.substr(separator + kGuestNameSeparator.size());
    if (!addDirectory(config, host, guest, kDirectoriesVariable, error)) return false;
  }
  return true;
}

// The grants of the environment the executable runs in.
bool addRunGrants(wasi::WasiConfig& config, char** environment, std::string* error) {
  std::string_view directories;
  for (char** entry = environment; entry && *entry; ++entry) {
    std::string_view variable = *entry;
    size_t equals = variable.find('=');
    std::string_view name = variable.substr(0, equals);
    std::string_view value = equals == std::string_view::npos ? std::string_view() : variable.substr(equals + 1);
    if (name == kDirectoriesVariable) {
      directories = value;
    } else if (name.starts_with(kEnvironmentPrefix)) {
      name.remove_prefix(kEnvironmentPrefix.size());
      if (name.empty()) {
        *error = "LUNATIC_ENV_ names no variable (LUNATIC_ENV_<KEY>=<value> grants KEY=value)";
        return false;
      }
      setEnvironmentVariable(config, name, value);
    }
  }
  return addDirectoryList(config, directories, error);
}

}  // namespace

void setEnvironmentVariable(wasi::WasiConfig& config, std::string_view key, std::string_view value) {
  std::string variable = std::string(key) + "=" + std::string(value);
  for (std::string& existing : config.environment) {
    if (existing.starts_with(key) && existing.size() > key.size() && existing[key.size()] == '=') {
      existing = std::move(variable);
      return;
    }
  }
  config.environment.push_back(std::move(variable));
}

wasi::WasiConfigPtr rootWasiConfig(int argc, char** argv, const char* baked_grants, char** environment,
                                   std::string* error) {
  auto config = std::make_shared<wasi::WasiConfig>();
  config->arguments.assign(argv, argv + argc);
  if (!addBakedGrants(*config, baked_grants, error) || !addRunGrants(*config, environment, error)) return nullptr;
  return config;
}

wasi::WasiConfigPtr testWasiConfig(const char* baked_grants, char** environment, std::string* error) {
  auto config = std::make_shared<wasi::WasiConfig>();
  for (char** entry = environment; entry && *entry; ++entry) config->environment.emplace_back(*entry);
  if (!addDirectory(*config, ".", ".", "test mode", error) || !addBakedGrants(*config, baked_grants, error) ||
      !addRunGrants(*config, environment, error)) {
    return nullptr;
  }
  return config;
}

std::string resolveGrantedDirectory(const wasi::WasiConfig& granter, std::string_view path, std::string* host) {
  const PathNames wanted = namesOf(path);
  const wasi::PreopenDir* under = nullptr;
  size_t under_names = 0;
  for (const wasi::PreopenDir& dir : granter.directories) {
    PathNames guest = namesOf(dir.guest_path);
    if (leadsTo(guest, wanted) && (!under || guest.names.size() > under_names)) {
      under = &dir;
      under_names = guest.names.size();
    }
  }
  if (!under) return "not inside a directory this process was granted";
  std::string mapped = under->host_path;
  for (size_t i = under_names; i < wanted.names.size(); ++i) {
    mapped += '/';
    mapped += wanted.names[i];
  }
  std::string canonical;
  if (std::string why = canonicalDirectory(mapped, &canonical); !why.empty()) return why;
  // ".." and symlinks may have led elsewhere: only the directories granted count.
  const PathNames found = namesOf(canonical);
  for (const wasi::PreopenDir& dir : granter.directories) {
    if (leadsTo(namesOf(dir.host_path), found)) {
      *host = std::move(canonical);
      return {};
    }
  }
  return "leads outside every directory this process was granted";
}

}  // namespace lunatic::rt
