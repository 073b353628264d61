// What lunaticc's caches share (cache_store.h). Apart from the compiler, which needs LLVM:
// lunaticc's driver uses it without loading LLVM (library lunaticc_options).
#include "compiler/backend/cache_store.h"

#include <dirent.h>
#include <fcntl.h>
// SHA-256 through OpenSSL's own functions rather than EVP: deprecated, but EVP brings the
// provider machinery (6 MB linked statically, or libcrypto.so loaded at every start of the
// driver, about 2% of a small compile); these are 40 KB of the same assembly.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

namespace lunaticc {
namespace {

constexpr uint64_t kDefaultMaxBytes = uint64_t(1) << 30;
constexpr std::string_view kTemporaryMarker = ".lunaticc-tmp.";
constexpr time_t kTemporaryLifetime = 3600;  // a compilation still writing is younger than this
constexpr time_t kUseMarkInterval = 60;      // an entry is marked used at most this often

std::string environmentVariable(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The cache directory the environment names, or "".
std::string cacheDirectory() {
  if (std::string dir = environmentVariable("LUNATICC_CACHE_DIR"); !dir.empty()) return dir;
  // The XDG base directory specification ignores relative paths.
  if (std::string xdg = environmentVariable("XDG_CACHE_HOME"); xdg.starts_with('/')) return xdg + "/lunaticc";
  std::string home = environmentVariable("HOME");
  if (home.empty()) {
    if (const passwd* user = getpwuid(getuid()); user && user->pw_dir) home = user->pw_dir;
  }
  return home.empty() ? "" : home + "/.cache/lunaticc";
}

// Makes `path` and its missing parents (mode 0700), unless it is there. "" or why not.
std::string makeDirectories(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) return {};
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return "cannot make the cache directory " + prefix + ": " + std::strerror(errno);
    }
    if (slash == std::string::npos) break;
  }
  if (stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return "the cache directory " + path + " is not a directory";
  return {};
}

// LUNATICC_CACHE_SIZE: bytes, with an optional K, M or G (binary multiples).
bool readSize(const std::string& text, uint64_t* bytes) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return false;
  uint64_t value = std::strtoull(text.substr(0, digits).c_str(), nullptr, 10);
  std::string suffix = text.substr(digits);
  int shift = 0;
  if (suffix == "K" || suffix == "k") shift = 10;
  else if (suffix == "M" || suffix == "m") shift = 20;
  else if (suffix == "G" || suffix == "g") shift = 30;
  else if (!suffix.empty()) return false;
  *bytes = value << shift;
  return true;
}

bool isEntryName(std::string_view name) {
  return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

Sha256::Sha256() : context_(std::make_unique<SHA256_CTX>()) { SHA256_Init(context_.get()); }
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::add(std::string_view bytes) { SHA256_Update(context_.get(), bytes.data(), bytes.size()); }

bool Sha256::addFileIdentity(const std::string& path, std::string* error) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    *error = "cannot find " + path + ": " + std::strerror(errno);
    return false;
  }
  const uint64_t identity[] = {uint64_t(info.st_dev), uint64_t(info.st_ino), uint64_t(info.st_size),
                               uint64_t(info.st_mtim.tv_sec), uint64_t(info.st_mtim.tv_nsec)};
  add(path);
  add({reinterpret_cast<const char*>(identity), sizeof identity});
  return true;
}

std::array<unsigned char, 32> Sha256::digest() {
  static_assert(SHA256_DIGEST_LENGTH == 32);
  std::array<unsigned char, 32> hash;
  SHA256_Final(hash.data(), context_.get());
  return hash;
}

std::string Sha256::hexDigest() {
  static const char kHex[] = "0123456789abcdef";
  std::string name;
  for (unsigned char byte : digest()) {
    name += kHex[byte >> 4];
    name += kHex[byte & 15];
  }
  return name;
}

std::optional<CacheStore> CacheStore::open(std::string* error, bool* unavailable) {
  if (unavailable) *unavailable = false;
  uint64_t max_bytes = kDefaultMaxBytes;
  if (std::string size = environmentVariable("LUNATICC_CACHE_SIZE"); !size.empty() && !readSize(size, &max_bytes)) {
    *error = "LUNATICC_CACHE_SIZE wants a number of bytes, with K, M or G if you like (500M, 2G), not '" + size + "'";
    return std::nullopt;
  }
  std::string directory = cacheDirectory();
  if (directory.empty()) {
    *error = "no cache directory: HOME is not set (set LUNATICC_CACHE_DIR)";
  } else if (*error = makeDirectories(directory + "/parts"); error->empty()) {
    return CacheStore(std::move(directory), max_bytes);
  }
  if (unavailable) *unavailable = true;
  return std::nullopt;
}

std::string CacheStore::temporaryPathFor(const std::string& path, std::string_view tag) {
  std::string temporary = path;
  temporary.append(kTemporaryMarker).append(std::to_string(getpid()));
  if (!tag.empty()) temporary.append(1, '.').append(tag);
  return temporary;
}

std::string CacheStore::writeEntry(const std::string& entry, std::span<const char> bytes) {
  const std::string temporary = temporaryPathFor(entry, std::to_string(gettid()));
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write " + temporary + ": " + std::strerror(errno);
  std::string error;
  for (size_t done = 0; done < bytes.size() && error.empty();) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += size_t(n);
    } else if (n < 0 && errno != EINTR) {
      error = "cannot write " + temporary + ": " + std::strerror(errno);
    }
  }
  if (close(fd) != 0 && error.empty()) error = "cannot write " + temporary + ": " + std::strerror(errno);
  if (error.empty() && rename(temporary.c_str(), entry.c_str()) != 0) {
    error = "cannot write " + entry + ": " + std::strerror(errno);
  }
  if (!error.empty()) unlink(temporary.c_str());
  return error;
}

void CacheStore::markUsed(const std::string& entry) {
  struct stat info;
  if (stat(entry.c_str(), &info) == 0 && std::time(nullptr) - info.st_mtime > kUseMarkInterval) {
    utimensat(AT_FDCWD, entry.c_str(), nullptr, 0);
  }
}

void CacheStore::trim(const std::string& keep) const {
  struct Entry {
    std::string path;
    uint64_t bytes;
    timespec used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  const time_t now = std::time(nullptr);
  for (const std::string& folder : {directory_, partsDirectory()}) {
    std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(folder.c_str()), &closedir);
    if (!dir) continue;
    while (const dirent* item = readdir(dir.get())) {
      std::string_view name = item->d_name;
      std::string path = folder + "/" + std::string(name);
      struct stat info;
      if (lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
      if (name.find(kTemporaryMarker) != std::string_view::npos) {
        if (now - info.st_mtime > kTemporaryLifetime) unlink(path.c_str());
      } else if (isEntryName(name)) {
        entries.push_back({std::move(path), uint64_t(info.st_size), info.st_mtim});
        total += uint64_t(info.st_size);
      }
    }
  }
  if (max_bytes_ == 0 || total <= max_bytes_) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.used.tv_sec != b.used.tv_sec ? a.used.tv_sec < b.used.tv_sec : a.used.tv_nsec < b.used.tv_nsec;
  });
  for (const Entry& entry : entries) {
    if (total <= max_bytes_) break;
    if (entry.path == keep) continue;
    // A compilation about to use this entry then finds it gone and compiles it again.
    if (unlink(entry.path.c_str()) == 0 || errno == ENOENT) total -= entry.bytes;
  }
}

}  // namespace lunaticc
