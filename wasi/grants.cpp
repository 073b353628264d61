// The WASI views processes are granted (wasi/grants.h).
#include "wasi/grants.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "lunatic/abi.h"
#include "lunatic/directory_grant.h"
#include "wasi/sandbox.h"

namespace lunatic::rt {
namespace {

constexpr std::string_view kEnvironmentPrefix = "LUNATIC_ENV_";
constexpr std::string_view kDirectoriesVariable = "LUNATIC_DIRS";

// A path's names one at a time, without the empty ones ("//", a trailing '/') and ".", read
// in place: grantCovering runs for every name SQLite asks about (api/sqlite_vfs.cpp), a few
// times per query, and allocates nothing.
class PathNames {
 public:
  explicit PathNames(std::string_view path) : absolute_(path.starts_with('/')), left_(path) { skipEmpty(); }
  bool absolute() const { return absolute_; }
  bool done() const { return left_.empty(); }
  // What is left, from the next name on ("" when done).
  std::string_view left() const { return left_; }
  std::string_view next() {
    size_t slash = left_.find('/');
    std::string_view name = left_.substr(0, slash);
    left_ = slash == std::string_view::npos ? std::string_view() : left_.substr(slash + 1);
    skipEmpty();
    return name;
  }

 private:
  void skipEmpty() {
    for (;;) {
      if (left_.starts_with('/')) {
        left_.remove_prefix(1);
      } else if (left_ == "." || left_.starts_with("./")) {
        left_.remove_prefix(1);
      } else {
        return;
      }
    }
  }
  bool absolute_;
  std::string_view left_;
};

// Whether the directory `prefix` names `path` itself or a directory above it, name by name
// (so "/a/b" is not above "/a/bc", as a comparison of strings would have it): if so, what of
// `path` lies below it and how many names `prefix` has.
bool leadsTo(std::string_view prefix, std::string_view path, std::string_view* below, size_t* depth) {
  PathNames above(prefix), wanted(path);
  if (above.absolute() != wanted.absolute()) return false;
  size_t names = 0;
  for (; !above.done(); ++names) {
    if (wanted.done() || above.next() != wanted.next()) return false;
  }
  *below = wanted.left();
  *depth = names;
  return true;
}

// Opens the host directory `path` for a grant made at start-up: its one opening by name
// (runtime/process/wasi_config.h). Returns "" or why not.
std::string openDirectory(const std::string& path, wasi::GrantedDirectory* out) {
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno == ENOTDIR ? "not a directory" : std::strerror(errno);
  *out = std::make_shared<const wasi::HostFd>(wasi::HostFd::owned(fd));
  return {};
}

// Grants `config` the directory `grant` names, opened now. `source` says who granted it, for
// the error.
bool addDirectory(wasi::WasiConfig& config, const DirectoryGrantSyntax& grant, std::string_view source,
                  std::string* error) {
  wasi::PreopenDir dir{std::string(grant.guest), nullptr, grant.read_only};
  std::string why = grant.host.empty() || grant.guest.empty()
                        ? "a directory grant needs a host directory and a guest name"
                        : openDirectory(std::string(grant.host), &dir.directory);
  if (!why.empty()) {
    *error = "directory '" + std::string(grant.host) + "' (granted by " + std::string(source) + "): " + why;
    return false;
  }
  config.directories.push_back(std::move(dir));
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
    } else if (kind == LUNATIC_GRANT_DIRECTORY || kind == LUNATIC_GRANT_READ_ONLY_DIRECTORY) {
      DirectoryGrantSyntax grant{first, second, kind == LUNATIC_GRANT_READ_ONLY_DIRECTORY};
      if (!addDirectory(config, grant, "--dir", error)) return false;
    } else {
      *error = "the executable's WASI grants are malformed (a grant of kind '" + std::string(kind) + "')";
      return false;
    }
  }
  return true;
}

// LUNATIC_DIRS's grants (lunatic/directory_grant.h says how the list is split).
bool addDirectoryList(wasi::WasiConfig& config, std::string_view list, std::string* error) {
  for (std::string_view entry : splitDirectoryList(list)) {
    if (!addDirectory(config, parseDirectoryGrant(entry), kDirectoriesVariable, error)) return false;
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
  if (!addDirectory(*config, DirectoryGrantSyntax{".", ".", false}, "test mode", error) ||
      !addBakedGrants(*config, baked_grants, error) || !addRunGrants(*config, environment, error)) {
    return nullptr;
  }
  return config;
}

const wasi::PreopenDir* grantCovering(const wasi::WasiConfig& view, std::string_view path, std::string_view* rest) {
  const wasi::PreopenDir* under = nullptr;
  size_t under_depth = 0;
  for (const wasi::PreopenDir& dir : view.directories) {
    std::string_view below;
    size_t depth;
    if (leadsTo(dir.guest_path, path, &below, &depth) && (!under || depth > under_depth)) {
      under = &dir;
      under_depth = depth;
      *rest = below;
    }
  }
  return under;
}

std::string grantDirectory(const wasi::WasiConfig& granter, std::string_view path, bool read_only,
                           wasi::PreopenDir* out) {
  std::string_view rest;
  const wasi::PreopenDir* under = grantCovering(granter, path, &rest);
  if (!under) return "not inside a directory this process was granted";
  // `out` is only ever set whole, on success (a caller may trap on failure: wasi_config_api.cpp).
  auto grant = [&](wasi::GrantedDirectory directory) {
    *out = {std::string(path), std::move(directory), read_only || under->read_only};
    return std::string();
  };
  if (rest.empty()) return grant(under->directory);
  wasi::HostFd opened;
  switch (wasi::sandbox::openBeneath(under->directory->get(), rest, O_RDONLY | O_DIRECTORY, 0, &opened)) {
    case wasi::Errno::Success: return grant(std::make_shared<const wasi::HostFd>(std::move(opened)));
    case wasi::Errno::NotCapable: return "leads outside the granted directory " + under->guest_path;
    // As strerror says them (but "not a directory", as at start-up).
    case wasi::Errno::NoEnt: return std::strerror(ENOENT);
    case wasi::Errno::NotDir: return "not a directory";
    case wasi::Errno::Acces: return std::strerror(EACCES);
    case wasi::Errno::Loop: return std::strerror(ELOOP);
    default: return "cannot be opened";
  }
}

}  // namespace lunatic::rt
