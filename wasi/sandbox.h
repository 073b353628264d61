// The filesystem sandbox: how a guest path names a host file. Security-critical: every
// path_* function reaches the host's files only through these functions, and nothing
// here may be loosened without thought.
//
// A guest path is always relative to a directory descriptor the process holds (a granted
// directory or one opened through it) and may never leave that directory:
//   - absolute paths are refused before any system call;
//   - the kernel resolves the path with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS),
//     which fails if ".." climbs above the directory or a symlink (absolute, or relative
//     with enough "..") would lead out of it, and never follows /proc's magic links;
//   - system calls that act on a name in a directory (mkdirat, unlinkat, renameat, linkat,
//     symlinkat, ...) have no such form: openParent resolves all but the last component
//     beneath the directory and hands back that parent and a last component that is one
//     plain name (no "/", not "." or ".."), which those calls do not follow.
// Every refusal for leaving the directory is the WASI errno NotCapable (76), whatever the
// way out tried; a path that is empty is NoEnt, one that holds a NUL byte Inval.
//
// What this cannot stop: the host (or another program) moving a directory out from under a
// descriptor the guest holds between two calls. Paths resolve beneath the directory as it
// is at the moment of the call.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "wasi/context.h"
#include "wasi/types.h"

namespace lunatic::rt::wasi::sandbox {

// Opens `path` beneath directory descriptor `dir` with open(2) `flags` (O_CLOEXEC is added)
// and `mode` (used only with O_CREAT). With O_NOFOLLOW a symlink as the last component is
// not followed (with O_PATH the descriptor then refers to the link itself). `cached_only`
// resolves from the kernel's caches alone (RESOLVE_CACHED), answering Again where that is
// not enough, so that the lookup never waits for a disk.
Errno openBeneath(int dir, std::string_view path, uint64_t flags, uint32_t mode, HostFd* out,
                  bool cached_only = false);

// What fstat says of what openBeneath(dir, path, O_PATH | (follow ? 0 : O_NOFOLLOW)) would
// open, with no descriptor made when `path` is one plain name that is no symlink to follow:
// such a name cannot lead out of `dir`. (An O_PATH open costs the kernel a file's setup and
// teardown even when the name does not exist, and SQLite asks whether its journal exists
// before every query.)
Errno statBeneath(int dir, std::string_view path, bool follow, struct stat* out);

// A name in a directory, resolved beneath a descriptor's directory.
struct Entry {
  HostFd parent;          // an O_PATH descriptor of the directory that holds the name
  std::string name;       // one component: no "/", never "." or ".."
  bool trailing_slash;    // the path ended in "/": the entry must be a directory
};

// Splits `path` at its last component and opens the directory before it beneath `dir`.
// If the last component is "." or "..", the operation makes no sense on it: if the path
// resolves beneath `dir` (else NotCapable, NoEnt, ...), returns `dot_error`, which the caller
// chooses as Linux would answer (mkdir "." is Exist, rmdir "." is Inval, ...).
Errno openParent(int dir, std::string_view path, Errno dot_error, Entry* out);

}  // namespace lunatic::rt::wasi::sandbox
