// What WASI view a process is granted (runtime/process/wasi_config.h): the root process's,
// made at start-up from what the executable was built and run with, and the rules every
// later grant of a directory follows, so that a process can only ever hand on part of what
// it has.
//
// The root process's arguments are the executable's argv, untouched. Its environment and
// directories add up from two sources, in this order:
//   1. lunaticc's --env KEY=VALUE and --dir HOST[::GUEST][:ro] flags, baked into the executable
//      (lunatic_main_wasi_grants in abi.h);
//   2. the environment the executable runs in:
//        LUNATIC_ENV_<KEY>=<value>   grants the variable KEY=value
//        LUNATIC_DIRS=GRANT[:GRANT]...
//                                    grants directories, like PATH: entries are separated
//                                    by ':', each HOST[::GUEST][:ro] (lunatic/directory_grant.h:
//                                    '::' maps a host directory to the name the guest sees,
//                                    default HOST as written; ":ro" grants it read-only)
// Nothing else of the host's environment reaches the guest. A variable granted twice keeps
// its last value. Each directory is opened once, at start-up (symlinks in the path given are
// followed then, and never again: runtime/process/wasi_config.h); one that is not an existing directory is an
// error.
#pragma once

#include <string>
#include <string_view>

#include "runtime/process/wasi_config.h"

namespace lunatic::rt {

// The root process's WASI config, from `argv` (argc entries), the baked grants (abi.h's
// encoding) and `environment` (a null-terminated KEY=value array, like environ). Null with
// `error` set, one line, if a grant cannot be honoured.
wasi::WasiConfigPtr rootWasiConfig(int argc, char** argv, const char* baked_grants, char** environment,
                                   std::string* error);

// The view every test of test mode starts with (runtime/test_mode/), as upstream Lunatic's
// test mode gives it: no arguments, the executable's whole environment, and its working
// directory as "."; and on top of those, as for a root process, the baked grants and those
// of LUNATIC_ENV_<KEY> and LUNATIC_DIRS. Null with `error` set, as rootWasiConfig.
wasi::WasiConfigPtr testWasiConfig(const char* baked_grants, char** environment, std::string* error);

// Sets KEY=value in `config`, replacing an earlier value of KEY.
void setEnvironmentVariable(wasi::WasiConfig& config, std::string_view key, std::string_view value);

// The directory of `view` that `path` (a guest path) lies in: the one whose guest name is
// the path's longest leading run of components (a relative guest name such as "." covers
// relative paths), or null. `rest` gets what of the path is left below it, a part of `path`
// from its next name on, "" if the path names the directory itself; it may still hold "..",
// "." or "//", or lead through symlinks, so it must only ever be opened beneath the
// directory's descriptor (sandbox.h).
const wasi::PreopenDir* grantCovering(const wasi::WasiConfig& view, std::string_view path, std::string_view* rest);

// Grants the directory `path`, as a process with the view `granter` names it, to `out`
// (runtime/process/wasi_config.h). The path is looked up under the granter's directory that
// covers it (grantCovering): the rest is opened beneath that directory's descriptor (sandbox.h: a ".." or a
// symlink that would leave it is refused), or, if nothing is left, the grant is that
// directory's own descriptor, shared. The grant is read-only if `read_only` says so or the
// granter's directory is. Returns "" or why not.
std::string grantDirectory(const wasi::WasiConfig& granter, std::string_view path, bool read_only,
                           wasi::PreopenDir* out);

}  // namespace lunatic::rt
