// The runtime's host functions as the compiler sees them: what an executable's module may
// import, and the symbol under which the runtime defines each (abi.h: lunatic_host_function).
#pragma once

#include <string>
#include <string_view>

#include "compiler/frontend/module_info.h"

namespace lunaticc {

struct HostFunction {
  std::string_view module;     // "lunatic::process", "wasi_snapshot_preview1"
  std::string_view name;
  std::string_view signature;  // abi.h signature string, "ii:i"
};

// The host function an import of `module`.`name` names, or null if the runtime has none.
const HostFunction* findHostFunction(std::string_view module, std::string_view name);

// The symbol of its lunatic_host_function: lunatic_host_process_spawn.
std::string hostFunctionSymbol(const HostFunction& function);

// Refuses imports an executable's runtime cannot satisfy; empty string when all are known.
std::string checkExecutableImports(const ModuleInfo& info);

}  // namespace lunaticc
