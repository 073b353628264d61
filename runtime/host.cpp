// Lookup in the host function table (host.h).
#include "runtime/host.h"

namespace lunatic::rt {

const HostFunction* findHostFunction(std::string_view module, std::string_view name) {
  for (auto list : {wasiHostFunctions(), lunaticHostFunctions()}) {
    for (const HostFunction& f : list) {
      if (module == f.module && name == f.name) return &f;
    }
  }
  return nullptr;
}

}  // namespace lunatic::rt
