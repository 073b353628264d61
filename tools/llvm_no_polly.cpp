// The Polly extension LLVM's LTO back end registers, for a static LLVM without Polly
// (tools/llvm.cmake says why): an extension that adds no passes.
#include <llvm/Passes/PassPlugin.h>

llvm::PassPluginLibraryInfo getPollyPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "Polly (absent)", "0", [](llvm::PassBuilder&) {}};
}
