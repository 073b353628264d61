// The compile cache of `lunaticc run`: executables compiled earlier, found again by what they
// were compiled from, so that running an unchanged module again starts at once.
//
// An entry is named by the SHA-256 (OpenSSL) of what determines the executable: the module's
// bytes, the options that shape the output (compile.h: optionsFingerprint) and this compiler,
// that is lunaticc, lunaticc-compile and the runtime archives, each known by its device,
// inode, size and modification time (as ccache's default compiler check: rebuilding or
// reinstalling lunaticc changes them, and hashing 100 MB of compiler on every run would cost
// more than the run should). Any change to one of them is another entry.
//
// Where: $LUNATICC_CACHE_DIR, else $XDG_CACHE_HOME/lunaticc, else ~/.cache/lunaticc (made
// with mode 0700: an executable another user could plant there would run as us). Entries
// are written whole to a temporary file and renamed into place, so runs at once (cargo test
// starts several) see an entry complete or not at all, and two that compile one module both
// write the same bytes. The cache keeps to $LUNATICC_CACHE_SIZE (bytes, with an optional
// K, M or G suffix; 1G by default; 0: no bound): after each compilation, the entries used
// least recently go (a run marks its entry used at most once a minute).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "compiler/compile.h"

namespace lunaticc {

class CompileCache {
 public:
  // The cache the environment names, its directory made if missing. Nullopt with `error`.
  static std::optional<CompileCache> open(std::string* error);

  const std::string& directory() const { return directory_; }

  // The path of the entry for compiling `module` (the module's bytes) with `options`,
  // whether it exists yet or not. "" with `error` if this lunaticc cannot be identified.
  std::string entryFor(std::span<const char> module, const CompileOptions& options, std::string* error) const;

  // Marks `entry` used now, for the eviction order.
  static void markUsed(const std::string& entry);

  // Removes the least recently used entries while the cache is over its size, never `keep`;
  // and temporary files that compilations which died left behind.
  void trim(const std::string& keep) const;

 private:
  CompileCache(std::string directory, uint64_t max_bytes) : directory_(std::move(directory)), max_bytes_(max_bytes) {}
  std::string directory_;
  uint64_t max_bytes_;  // 0: no bound
};

}  // namespace lunaticc
