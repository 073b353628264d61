// Modules as values: lunatic::process::compile_module and drop_module, and
// lunatic::message::push_module and take_module. A program cannot compile code at run time,
// so compile_module finds, by the SHA-256 of the bytes it is given, a module lunaticc
// compiled into the executable (`--module`, abi.h: lunatic_main_module_table); a handle is
// that module's image (process/module_image.h), made on first use and kept for the program's
// lifetime, so handles own nothing and copying one costs nothing. Only an executable whose
// module imports these functions links this file, and with it OpenSSL's SHA-256.
// SHA-256 through OpenSSL's own functions, not EVP (nor SHA256(), which goes through EVP):
// deprecated, but EVP would bring OpenSSL's providers and configuration into the executable.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <string>
#include <utility>

#include "runtime/api/api.h"
#include "runtime/io/io.h"
#include "runtime/process/module_image.h"

// Emitted by lunaticc only for an executable of several modules (abi.h).
extern "C" __attribute__((weak)) const lunatic_module_table lunatic_main_module_table;

namespace lunatic::rt::api {
namespace {

// What a handle holds, as the process's host memory budget counts it.
constexpr uint64_t kModuleHandleBytes = sizeof(std::pair<const uint64_t, ModuleImage*>) + kHashNodeOverhead;

// Bytes hashed on the worker itself, in well under a millisecond; more go to the blocking
// pool, so that the worker runs other processes while a large module is hashed.
constexpr size_t kHashOnWorkerBytes = 256 << 10;

constexpr const char* kNotCompiledIn =
    "compile_module: these bytes are not a module compiled into this executable (a program "
    "compiled by lunaticc cannot compile code at run time: pass the module to lunaticc with "
    "--module FILE when building the program)";

// The modules compiled into the executable, each with the SHA-256 of its bytes.
std::span<const lunatic_compiled_module> compiledModules() {
  if (!&lunatic_main_module_table) return {};
  return {lunatic_main_module_table.modules, lunatic_main_module_table.count};
}

uint64_t addHandle(lunatic_instance* self, Process& p, ModuleImage* image, const char* function) {
  holdHostMemory(self, p, kModuleHandleBytes, function);
  ProcessResources& r = p.ownResources();
  uint64_t id = r.next_id++;
  r.modules.emplace(id, image);
  return id;
}

// 0 and a module id, 1 and an error id (bytes not compiled in), or -1 if the caller may not
// compile modules, as upstream.
int32_t compile_module(lunatic_instance* self, uint32_t data_ptr, uint32_t data_len, uint32_t id_ptr) {
  Process& p = callerOf(self);
  if (!p.capabilities.can_compile_modules) return -1;
  GuestMemory memory(self);
  std::string_view bytes;
  if (!memory.view(data_ptr, data_len, &bytes) || !memory.at(id_ptr, 8)) {
    fail(self, "compile_module", "a pointer is outside the process's memory");
  }
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest;
  auto hash = [&] {
    SHA256_CTX sha256;
    SHA256_Init(&sha256);
    SHA256_Update(&sha256, bytes.data(), bytes.size());
    SHA256_Final(digest.data(), &sha256);
    return int64_t(0);
  };
  if (bytes.size() > kHashOnWorkerBytes) {
    io::offload(hash);  // the process is parked meanwhile: nothing else writes its memory
  } else {
    // A few cycles a byte: charged as about as many instructions, so a loop of calls yields.
    self->reductions_left -= int64_t(bytes.size());
    hash();
  }
  std::span<const lunatic_compiled_module> modules = compiledModules();
  auto found = std::find_if(modules.begin(), modules.end(), [&](const lunatic_compiled_module& m) {
    return std::memcmp(m.sha256, digest.data(), digest.size()) == 0;
  });
  if (found == modules.end()) {
    memory.store64(id_ptr, newError(p, kNotCompiledIn));
    return 1;
  }
  std::string error;
  ModuleImage* image = ModuleImage::of(found->module, &error);
  if (!image) {
    memory.store64(id_ptr, newError(p, "compile_module: " + error));
    return 1;
  }
  memory.store64(id_ptr, addHandle(self, p, image, "compile_module"));
  return 0;
}

// Processes already spawned from the module are not affected.
void drop_module(lunatic_instance* self, uint64_t id) {
  Process& p = callerOf(self);
  if (!p.resources || p.resources->modules.erase(id) == 0) fail(self, "drop_module", "no such module");
  p.releaseOwn(kModuleHandleBytes);
}

// Puts a copy of the handle into the message in the slot: the module stays the sender's
// too, as upstream's.
uint64_t push_module(lunatic_instance* self, uint64_t id) {
  ModuleImage* image = heldModule(callerOf(self), id);
  if (!image) fail(self, "push_module", "no such module");
  Message& message = dataMessageInSlot(self, "push_module");
  if (!message.sockets) message.sockets = std::make_unique<std::vector<Message::CarriedSocket>>();
  message.sockets->push_back({Message::CarriedSocket::Kind::Module, nullptr, image});
  return message.sockets->size() - 1;
}

uint64_t take_module(lunatic_instance* self, uint64_t index) {
  Message& message = dataMessageInSlot(self, "take_module");
  Message::CarriedSocket* carried =
      message.sockets && index < message.sockets->size() ? &(*message.sockets)[index] : nullptr;
  if (!carried || carried->kind != Message::CarriedSocket::Kind::Module || !carried->module) {
    fail(self, "take_module", "the message holds no module at index " + std::to_string(index));
  }
  ModuleImage* image = std::exchange(carried->module, nullptr);
  return addHandle(self, callerOf(self), image, "take_module");
}

}  // namespace
}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(process, compile_module, api::compile_module);
LUNATIC_HOST_CODE(process, drop_module, api::drop_module);
LUNATIC_HOST_CODE(message, push_module, api::push_module);
LUNATIC_HOST_CODE(message, take_module, api::take_module);
