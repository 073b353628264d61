// The compile cache of `lunaticc run` (compile_cache.h).
#include "tools/compile_cache.h"

#include <string_view>
#include <vector>

#include "compiler/backend/link.h"
#include "compiler/backend/targets.h"
#include "tools/compiler_process.h"

namespace lunaticc {
namespace {

// Changes when the layout of the key changes, so that old entries are not mistaken for new.
constexpr std::string_view kKeyVersion = "lunaticc compile cache 2\n";

}  // namespace

std::optional<CompileCache> CompileCache::open(std::string* error) {
  std::optional<CacheStore> store = CacheStore::open(error);
  if (!store) return std::nullopt;
  return CompileCache(std::move(*store));
}

std::string CompileCache::entryFor(std::span<const std::vector<char>> modules, const CompileOptions& options,
                                   std::string* error) const {
  Sha256 key;
  key.add(kKeyVersion);
  const Target* target = findTarget(options.target);
  if (!target) {
    *error = "unknown target " + options.target;
    return {};
  }
  std::vector<std::string> compiler = runtimeArchives(*target, options.serve);
  compiler.insert(compiler.begin(), {"/proc/self/exe", compilerPath()});  // the driver, the compiler proper
  for (const std::string& file : compiler) {
    if (!key.addFileIdentity(file, error)) return {};
  }
  key.add(optionsFingerprint(options));
  for (const std::vector<char>& module : modules) {
    // Each module's length first, so that no two lists of modules read alike.
    key.add("\n" + std::to_string(module.size()) + "\n");
    key.add({module.data(), module.size()});
  }
  return store_.directory() + "/" + key.hexDigest();
}

}  // namespace lunaticc
