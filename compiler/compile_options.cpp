// The compile options as one string (compile.h: optionsFingerprint). Apart from the
// pipeline, which needs LLVM and Binaryen: lunaticc's driver uses it without loading them.
#include "compiler/compile.h"

namespace lunaticc {

std::string optionsFingerprint(const CompileOptions& options) {
  std::string fingerprint;
  // Each value with its length first, so that no two sets of options read alike.
  auto add = [&](std::string_view name, std::string_view value) {
    fingerprint.append(name).append(1, '=').append(std::to_string(value.size())).append(1, ':').append(value);
    fingerprint.push_back(';');
  };
  add("opt", std::to_string(options.opt_level));
  add("entry", options.entry);
  add("object", options.object_only ? "1" : "0");
  add("symbol", options.module_symbol);
  add("memory", std::to_string(options.memory_mode));
  add("target", options.target);
  add("cpu", options.cpu);
  add("strip", options.strip ? "1" : "0");
  add("debug", options.debug ? "1" : "0");
  add("llvm", options.emit_llvm ? "1" : "0");
  add("preempt", options.preempt ? "1" : "0");
  add("parts", std::to_string(options.codegen_parts));
  add("serve", options.serve ? "1" : "0");
  add("static", options.static_link ? "1" : "0");
  for (const std::string& module : options.modules) add("module", module);
  for (const auto& [key, value] : options.environment) add("env", std::string(key).append(1, '\0').append(value));
  for (const DirectoryGrant& dir : options.directories) add("dir", std::string(dir.host).append(1, '\0').append(dir.guest));
  return fingerprint;
}

}  // namespace lunaticc
