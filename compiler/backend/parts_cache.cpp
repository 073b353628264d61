// The parts cache (parts_cache.h).
#include "compiler/backend/parts_cache.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <llvm/Support/TargetSelect.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace lunaticc {
namespace {

// Changes when the layout of a key or an entry changes, so that old entries are not taken
// for new ones.
constexpr std::string_view kKeyVersion = "lunaticc parts cache 1\n";
// An entry: this, the object's length (8 bytes, little-endian), its SHA-256, the object.
constexpr std::string_view kEntryMagic = "lunaticc part 1\n";
constexpr size_t kHeaderBytes = kEntryMagic.size() + 8 + 32;

std::array<unsigned char, 32> sha256(std::string_view bytes) {
  Sha256 hash;
  hash.add(bytes);
  return hash.digest();
}

// The identity of this compiler: the SHA-256 of lunaticc-compile's and LLVM's identities
// (the file that holds LLVM's code generator, its shared library or, linked statically, the
// executable again). "" with `error` if either cannot be found.
std::string compilerIdentity(std::string* error) {
  Dl_info llvm;
  if (dladdr(reinterpret_cast<void*>(&LLVMInitializeX86Target), &llvm) == 0 || !llvm.dli_fname) {
    *error = "cannot find the LLVM library";
    return {};
  }
  Sha256 identity;
  for (const std::string& file : {std::string("/proc/self/exe"), std::string(llvm.dli_fname)}) {
    if (!identity.addFileIdentity(file, error)) return {};
  }
  return identity.hexDigest();
}

// The whole file at `path`, or nullopt.
std::optional<std::string> readWhole(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> bytes;
  struct stat info;
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
    bytes.emplace(size_t(info.st_size), '\0');
    for (size_t done = 0; done < bytes->size();) {
      ssize_t n = read(fd, bytes->data() + done, bytes->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        bytes.reset();
        break;
      }
      done += size_t(n);
    }
  }
  close(fd);
  return bytes;
}

}  // namespace

std::optional<PartsCache> PartsCache::open(std::string* error, bool* unavailable) {
  std::optional<CacheStore> store = CacheStore::open(error, unavailable);
  if (!store) return std::nullopt;
  std::string compiler = compilerIdentity(error);
  if (compiler.empty()) {
    *unavailable = true;
    return std::nullopt;
  }
  return PartsCache(std::move(*store), std::move(compiler));
}

std::string PartsCache::entryFor(std::string_view bitcode, std::string_view fingerprint) const {
  Sha256 key;
  key.add(kKeyVersion);
  key.add(compiler_);
  key.add(std::to_string(fingerprint.size()));
  key.add(":");
  key.add(fingerprint);
  key.add(bitcode);
  return store_.partsDirectory() + "/" + key.hexDigest();
}

std::optional<std::string> PartsCache::load(const std::string& entry) {
  std::optional<std::string> bytes = readWhole(entry);
  if (!bytes || bytes->size() < kHeaderBytes || !bytes->starts_with(kEntryMagic)) return std::nullopt;
  uint64_t length = 0;
  std::memcpy(&length, bytes->data() + kEntryMagic.size(), 8);
  if (length != bytes->size() - kHeaderBytes) return std::nullopt;
  std::string_view object = std::string_view(*bytes).substr(kHeaderBytes);
  const std::array<unsigned char, 32> digest = sha256(object);
  if (std::memcmp(digest.data(), bytes->data() + kEntryMagic.size() + 8, 32) != 0) return std::nullopt;
  CacheStore::markUsed(entry);
  bytes->erase(0, kHeaderBytes);
  return bytes;
}

void PartsCache::store(const std::string& entry, std::string_view object) {
  std::string bytes(kEntryMagic);
  const uint64_t length = object.size();
  bytes.append(reinterpret_cast<const char*>(&length), 8);
  const std::array<unsigned char, 32> digest = sha256(object);
  bytes.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  bytes.append(object);
  CacheStore::writeEntry(entry, bytes);
}

}  // namespace lunaticc
