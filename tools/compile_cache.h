// The compile cache of `lunaticc run`: executables compiled earlier, found again by what they
// were compiled from, so that running an unchanged module again starts at once.
//
// An entry (compiler/backend/cache_store.h: where, how named, written and trimmed) is keyed
// by what determines the executable: the module's bytes, the options that shape the output
// (compile.h: optionsFingerprint) and this compiler, that is lunaticc, lunaticc-compile and
// the runtime archives. Any change to one of them is another entry.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "compiler/backend/cache_store.h"
#include "compiler/compile.h"

namespace lunaticc {

class CompileCache {
 public:
  // The cache the environment names, its directory made if missing. Nullopt with `error`.
  static std::optional<CompileCache> open(std::string* error);

  // The path of the entry for compiling `modules` (the bytes of the module, then of each
  // --module in options.modules) with `options`, whether it exists yet or not. "" with
  // `error` if this lunaticc cannot be identified.
  std::string entryFor(std::span<const std::vector<char>> modules, const CompileOptions& options,
                       std::string* error) const;

  // Marks `entry` used now, for the eviction order.
  static void markUsed(const std::string& entry) { CacheStore::markUsed(entry); }

  // Keeps the cache to its size (CacheStore::trim), never removing `keep`.
  void trim(const std::string& keep) const { store_.trim(keep); }

 private:
  explicit CompileCache(CacheStore store) : store_(std::move(store)) {}
  CacheStore store_;
};

}  // namespace lunaticc
