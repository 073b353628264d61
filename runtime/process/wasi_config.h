// What a process's WASI view of the world is made of: its arguments, its environment and
// the host directories it may use. It travels with a process's capabilities
// (Capabilities::wasi in process/process.h) and, like them, only narrows: a child's
// directories must lie inside its parent's (narrowing is checked when a config grants one).
//
// A granted directory is a descriptor, never a name: it is opened once, when the grant is
// made (the root's at start-up, a config's beneath the granter's own descriptor), and every
// view that holds the grant, every process that sees it, shares that one descriptor. Nothing
// opens a grant by name again, so renaming the host directory or putting a symlink in its
// place afterwards changes nothing of what the grant leads to.
//
// The root process's config comes from lunaticc's flags (baked into the executable) and
// LUNATIC_* environment variables at run time; children's from lunatic::wasi::config_*.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/io/host_fd.h"

namespace lunatic::rt::wasi {

struct MemoryStdio;  // runtime/io/memory_stdio.h

// The host directory of a grant: a descriptor opened O_RDONLY | O_DIRECTORY, shared by every
// view that holds the grant and closed with the last of them. Being shared, it is never
// moved (lseek, getdents) or changed (fcntl): a process that must do that opens a
// descriptor of its own through it (fd_readdir).
using GrantedDirectory = std::shared_ptr<const HostFd>;

struct PreopenDir {
  std::string guest_path;       // the name the guest sees (fd_prestat_dir_name), e.g. "/data" or "."
  GrantedDirectory directory;   // never null
  bool read_only = false;       // no write rights (right::Writing) to anything reached through it
};

struct WasiConfig {
  std::vector<std::string> arguments;    // argv[0] first
  std::vector<std::string> environment;  // "KEY=value"
  std::vector<PreopenDir> directories;   // become fds 3, 4, ... in this order
  // Null: descriptors 0-2 are the host's stdio. Else they are these in-memory streams
  // (memory_stdio.h), which an embedder fills and collects.
  std::shared_ptr<MemoryStdio> memory_stdio;
};

// Configs are immutable once a process starts with one, so processes share them.
using WasiConfigPtr = std::shared_ptr<const WasiConfig>;

}  // namespace lunatic::rt::wasi
