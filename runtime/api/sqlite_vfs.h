// The SQLite VFS through which every lunatic::sqlite database file is opened: the WASI
// sandbox (wasi/sandbox.h), not a path handed to SQLite. Security-critical.
//
// A name SQLite asks for (the database, its journal, WAL and shared-memory files, an
// ATTACHed database) is a guest path. It is looked up among the directories the process was
// granted (wasi/grants.h, grantCovering) and opened beneath that directory's descriptor with
// openat2 (RESOLVE_BENEATH, wasi/sandbox.h): absolute paths outside every grant, ".." that
// climbs out and symlinks that lead out are refused, as for WASI's path_open; only regular
// files open, and nothing is written in a read-only grant. SQLite's unix VFS does the rest
// (I/O, and the locking that coordinates connections of one program to one file): this VFS
// replaces the system calls it makes on names (open, stat, lstat, access, unlink; the others
// it may make on names are refused), and its own xFullPathname, which would make names
// absolute from the host's working directory. Temporary files (no name) are the unix VFS's,
// unlinked as soon as made. URI filenames are off, and no extension can be loaded.
//
// SQLite runs in its caller's process (on a host stack, host_stack.h), so what may wait for
// the disk parks that process, not its worker: a read the page cache cannot answer goes to
// the worker's I/O engine (io::read), and fsync, open, unlink and truncate run on the
// blocking pool. Writes fill the page cache directly, as io.h does for every regular file.
#pragma once

#include <string>

#include "runtime/process/wasi_config.h"

namespace lunatic::rt::sqlite {

// The VFS's name for sqlite3_open_v2; registers it (and initialises SQLite, URI filenames
// off) on first use.
const char* sandboxVfs();

// The state of one SQLite call as the VFS sees it: the directories names resolve in, and
// why it last refused to open a name.
struct SandboxCall {
  const wasi::WasiConfig* view = nullptr;
  std::string refusal;
  bool temporary = false;  // the unix VFS is making a temporary file (vfsOpen)
  bool asking = false;     // SQLite asks whether a file exists (vfsAccess): no refusal kept
};

// While one lives, the VFS resolves names against `view`'s directories; with none, every
// named file is refused. Every SQLite call on a connection runs inside one. A call may park
// its process in I/O and go on on another thread: the VFS carries the scope with it.
class SandboxScope {
 public:
  explicit SandboxScope(const wasi::WasiConfig* view);
  ~SandboxScope();
  SandboxScope(const SandboxScope&) = delete;
  SandboxScope& operator=(const SandboxScope&) = delete;

 private:
  SandboxCall call_;
  SandboxCall* previous_;
};

// Whether SQLite holds none of its mutexes on this thread, so that its call may park.
bool mayPark();

// Why the VFS last refused to open a name in the current scope ("" if it did not), cleared
// when read: open's error message says it rather than SQLite's "unable to open database file".
std::string takeRefusal();

}  // namespace lunatic::rt::sqlite
