// lunatic::wasi: the arguments, environment variables and directories a configuration gives
// the processes spawned from it (Capabilities::wasi). A new configuration has none of them,
// as upstream; a directory can only be added from inside the caller's own directories
// (wasi/grants.h), so a process never hands on more of the file system than it has, and it
// is opened as it is added: the config holds the directory itself, not its name (runtime/process/wasi_config.h).
//
// The three functions return nothing (upstream's signatures), so a request that cannot be
// honoured ends the calling process with one line saying why, as bad input does.
#include "runtime/api/api.h"
#include "lunatic/utf8.h"
#include "wasi/grants.h"

namespace lunatic::rt::api {
namespace {

// The string [ptr, ptr + len) of the caller's memory, or the process fails: it must lie in
// memory, be UTF-8 (docs/abi.md) and hold no NUL (WASI hands these strings on as C strings).
std::string_view guestString(lunatic_instance* self, uint32_t ptr, uint32_t len, const char* function) {
  std::string_view text;
  if (!GuestMemory(self).view(ptr, len, &text)) fail(self, function, "a string is outside the process's memory");
  if (!isValidUtf8(text)) fail(self, function, "a string is not UTF-8");
  if (text.find('\0') != std::string_view::npos) fail(self, function, "a string holds a NUL");
  return text;
}

// The config's WASI view, ready to change. Views are shared copy-on-write (every process
// spawned from the config holds the same one), so a view anyone else holds is copied first.
wasi::WasiConfig& changeableView(Capabilities& config) {
  if (config.wasi.use_count() != 1) config.wasi = std::make_shared<wasi::WasiConfig>(*config.wasi);
  // Views are made as non-const objects (make_shared<WasiConfig>), and this one is ours alone.
  return const_cast<wasi::WasiConfig&>(*config.wasi);
}

void config_add_environment_variable(lunatic_instance* self, uint64_t id, uint32_t key_ptr, uint32_t key_len,
                                     uint32_t value_ptr, uint32_t value_len) {
  constexpr const char* kName = "config_add_environment_variable";
  Capabilities& config = configOf(self, id, kName);
  std::string_view key = guestString(self, key_ptr, key_len, kName);
  std::string_view value = guestString(self, value_ptr, value_len, kName);
  if (key.empty() || key.find('=') != std::string_view::npos) fail(self, kName, "the key is empty or holds '='");
  setEnvironmentVariable(changeableView(config), key, value);
}

void config_add_command_line_argument(lunatic_instance* self, uint64_t id, uint32_t argument_ptr,
                                      uint32_t argument_len) {
  constexpr const char* kName = "config_add_command_line_argument";
  Capabilities& config = configOf(self, id, kName);
  std::string_view argument = guestString(self, argument_ptr, argument_len, kName);
  changeableView(config).arguments.emplace_back(argument);
}

// Grants the config the directory [dir_ptr, +dir_len) as the caller names it, opened now,
// beneath the caller's own grant (wasi/grants.h).
void preopen(lunatic_instance* self, uint64_t id, uint32_t dir_ptr, uint32_t dir_len, bool read_only,
             const char* function) {
  Capabilities& config = configOf(self, id, function);
  std::string_view dir = guestString(self, dir_ptr, dir_len, function);
  wasi::PreopenDir granted;
  std::string why = grantDirectory(*callerOf(self).capabilities.wasi, dir, read_only, &granted);
  if (!why.empty()) {
    // fail's trap skips this frame's destructors: leave nothing here holding memory or a
    // descriptor (`granted` is set only on success, and `why` is moved out).
    why.insert(0, std::string(dir) + ": ");
    fail(self, function, std::move(why));
  }
  // The guest name is the path as the caller wrote it, as upstream (where it is also the host path).
  changeableView(config).directories.push_back(std::move(granted));
}

void config_preopen_dir(lunatic_instance* self, uint64_t id, uint32_t dir_ptr, uint32_t dir_len) {
  preopen(self, id, dir_ptr, dir_len, false, "config_preopen_dir");
}

// This runtime's extension: the same, read-only (no write rights to anything beneath it).
void config_preopen_dir_read_only(lunatic_instance* self, uint64_t id, uint32_t dir_ptr, uint32_t dir_len) {
  preopen(self, id, dir_ptr, dir_len, true, "config_preopen_dir_read_only");
}

}  // namespace

}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(wasi, config_add_environment_variable, api::config_add_environment_variable);
LUNATIC_HOST_CODE(wasi, config_add_command_line_argument, api::config_add_command_line_argument);
LUNATIC_HOST_CODE(wasi, config_preopen_dir, api::config_preopen_dir);
LUNATIC_HOST_CODE(wasi, config_preopen_dir_read_only, api::config_preopen_dir_read_only);
