// Validation of a decoded module by the rules of the WebAssembly 2.0 specification, function
// bodies included. Binaryen's validator is looser (it skips unreachable code, for one), and
// lunaticc must refuse every invalid module with a clear message before compiling it.
#pragma once

#include <string>

#include "module_info.h"

namespace lunaticc {

// Returns an empty string for a valid module, else one line naming the first problem.
std::string validateModule(const ModuleInfo& info);

}  // namespace lunaticc
