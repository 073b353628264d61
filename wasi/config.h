// What a process's WASI view of the world is made of: its arguments, its environment and
// the host directories it may use. It travels with a process's capabilities
// (Capabilities::wasi in process/process.h) and, like them, only narrows: a child's
// directories must lie inside its parent's (narrowing is checked when a config grants one).
//
// The root process's config comes from lunaticc's flags (baked into the executable) and
// LUNATIC_* environment variables at run time; children's from lunatic::wasi::config_*.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace lunatic::rt::wasi {

struct MemoryStdio;  // memory_stdio.h

struct PreopenDir {
  std::string guest_path;  // the name the guest sees (fd_prestat_dir_name), e.g. "/data" or "."
  std::string host_path;   // an absolute, canonical host directory
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
