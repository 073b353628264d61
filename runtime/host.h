// Host functions that guests import, in one table used both by the embedding linker
// (embed.h) and by processes, which resolve their imports once per module.
#pragma once

#include <span>
#include <string_view>

namespace lunatic::rt {

struct HostFunction {
  const char* module;
  const char* name;
  const char* signature;  // abi.h signature string, e.g. "ii:i"
  const void* code;       // R code(lunatic_instance* caller, P...)
};

// Each host API contributes its list (defined next to its functions).
std::span<const HostFunction> wasiHostFunctions();
std::span<const HostFunction> lunaticHostFunctions();

// Null if no host function has that module and name.
const HostFunction* findHostFunction(std::string_view module, std::string_view name);

}  // namespace lunatic::rt
