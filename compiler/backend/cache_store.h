// What lunaticc's two caches share: where they live, how an entry is named and written, and
// how the whole is kept to its size. The caches are `lunaticc run`'s executables
// (tools/compile_cache.h) and the objects of a module's parts (parts_cache.h).
//
// Where: $LUNATICC_CACHE_DIR, else $XDG_CACHE_HOME/lunaticc, else ~/.cache/lunaticc (made
// with mode 0700: an executable or object another user could plant there would run as us).
// Executables are entries of the directory itself, parts' objects entries of its `parts/`.
// An entry is named by the SHA-256 (OpenSSL) of its key, 64 hex digits; a compiler in a key
// is known by its files' device, inode, size and modification time (as ccache's default
// compiler check: rebuilding or reinstalling lunaticc changes them, and hashing 100 MB of
// compiler on every run would cost more than a cached run should).
// Entries are written whole to a temporary file and renamed into place, so compilations at
// once (cargo test starts several, make -j more) see an entry complete or not at all, and two
// that make one entry both write the same bytes. Both caches together keep to
// $LUNATICC_CACHE_SIZE (bytes, with an optional K, M or G suffix; 1G by default; 0: no
// bound): after a compilation that added entries, the entries used least recently go (an
// entry is marked used at most once a minute).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct SHA256state_st;  // OpenSSL's SHA256_CTX

namespace lunaticc {

// SHA-256 of what is added, for naming entries and checking their contents.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void add(std::string_view bytes);
  // Adds the path and identity of the file at `path` (device, inode, size, modification
  // time). False, with `error`, if there is no such file.
  bool addFileIdentity(const std::string& path, std::string* error);
  // The digest of what was added; the hash is not to be used after.
  std::array<unsigned char, 32> digest();
  // digest() as 64 lowercase hex digits: an entry's name.
  std::string hexDigest();

 private:
  std::unique_ptr<SHA256state_st> context_;
};

class CacheStore {
 public:
  // The cache the environment names, its directory made if missing. Nullopt with `error`;
  // `unavailable` tells whether that was because the directory cannot be had (no HOME, a
  // read-only file system: a compilation can go on without the cache) rather than a
  // mistake of the user's (LUNATICC_CACHE_SIZE), which is to be reported.
  static std::optional<CacheStore> open(std::string* error, bool* unavailable = nullptr);

  const std::string& directory() const { return directory_; }
  // The directory of the parts' objects (made by open()).
  std::string partsDirectory() const { return directory_ + "/parts"; }

  // Writes `bytes` to `entry`: to a temporary file beside it, then renamed over it. "" or why not.
  static std::string writeEntry(const std::string& entry, std::span<const char> bytes);
  // A temporary file beside `path`, unique to this process and `tag`, which trim() removes
  // if it outlives a compilation (one that died).
  static std::string temporaryPathFor(const std::string& path, std::string_view tag = "");

  // Marks `entry` used now, for the eviction order.
  static void markUsed(const std::string& entry);

  // Removes the least recently used entries of both caches while they are over the size,
  // never `keep`; and temporary files that compilations which died left behind.
  void trim(const std::string& keep = "") const;

 private:
  CacheStore(std::string directory, uint64_t max_bytes) : directory_(std::move(directory)), max_bytes_(max_bytes) {}
  std::string directory_;
  uint64_t max_bytes_;  // 0: no bound
};

}  // namespace lunaticc
