// The parts cache: the objects of parts compiled earlier (module_split.h), found again by
// what they were compiled from, so that recompiling a module after a change to one function
// compiles only the part that holds it (as Wasmtime's incremental cache does per function).
//
// A part's entry (cache_store.h: where, how named, written and trimmed) is keyed by the
// part's bitcode as it goes into LLVM's pipeline, which holds everything of the module the
// part sees (its functions, the copies of callees and constants it was given, the
// declarations it uses, the target triple, data layout and attributes such as target-cpu);
// the code generation options (codegen.cpp: codegenFingerprint); and this compiler, known
// by lunaticc-compile's executable and the LLVM library it runs (its code generator), each by
// device, inode, size and modification time.
//
// An entry holds the object behind a header with its length and its SHA-256: an entry that
// is truncated, corrupt or not an entry at all reads as missing, and the part is compiled
// again and its entry rewritten.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "compiler/backend/cache_store.h"

namespace lunaticc {

class PartsCache {
 public:
  // The cache the environment names. Nullopt with `error`, and `unavailable` as
  // CacheStore::open() says.
  static std::optional<PartsCache> open(std::string* error, bool* unavailable);

  // The entry of a part whose bitcode is `bitcode`, compiled with options `fingerprint`.
  std::string entryFor(std::string_view bitcode, std::string_view fingerprint) const;

  // The object `entry` holds, if it is there and whole; marks it used.
  static std::optional<std::string> load(const std::string& entry);

  // Writes `object` to `entry`; a failure (a full disk) only costs a later compilation.
  static void store(const std::string& entry, std::string_view object);

  // Keeps the caches to their size (CacheStore::trim).
  void trim() const { store_.trim(); }

 private:
  PartsCache(CacheStore store, std::string compiler) : store_(std::move(store)), compiler_(std::move(compiler)) {}
  CacheStore store_;
  std::string compiler_;  // the SHA-256 of this compiler's identity
};

}  // namespace lunaticc
