// The host function table (host.h), made from the ABI's lists, and lookups in it.
#include "runtime/host.h"

namespace lunatic::rt {

std::span<const HostFunction> hostFunctions() {
  // Built on first use, after every slot's initializer has run.
  static const HostFunction table[] = {
#define LUNATIC_HOST_FUNCTION(module, name, signature) \
  {"lunatic::" #module, #name, signature, host_code::module##_##name.code},
#include "lunatic/lunatic_functions.def"
#undef LUNATIC_HOST_FUNCTION
#define LUNATIC_WASI_FUNCTION(name, signature) \
  {"wasi_snapshot_preview1", #name, signature, host_code::wasi_snapshot_preview1_##name.code},
#include "lunatic/wasi_functions.def"
#undef LUNATIC_WASI_FUNCTION
  };
  return table;
}

const HostFunction* findHostFunction(std::string_view module, std::string_view name) {
  for (const HostFunction& f : hostFunctions()) {
    if (module == f.module && name == f.name) return &f;
  }
  return nullptr;
}

}  // namespace lunatic::rt
