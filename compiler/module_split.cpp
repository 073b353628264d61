// Cutting a module into parts compiled on threads of their own (see module_split.h).
#include "module_split.h"

#include <lld/Common/Driver.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Threading.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <algorithm>
#include <unordered_map>

LLD_HAS_DRIVER(elf)

namespace lunaticc {
namespace {

// Below this, a part's thread and bitcode round trip cost more than compiling it apart saves.
constexpr size_t kMinInstructionsPerPart = 20000;
constexpr unsigned kMaxParts = 64;

size_t instructionCount(const llvm::Module& module) {
  size_t count = 0;
  for (const llvm::Function& f : module) count += f.getInstructionCount();
  return count;
}

// A constant nobody can write, nor compare the address of: each part may have a copy.
bool copiedToEveryPart(const llvm::GlobalValue& value) {
  const auto* variable = llvm::dyn_cast<llvm::GlobalVariable>(&value);
  return variable && variable->hasLocalLinkage() && variable->isConstant() &&
         variable->hasInitializer() && variable->hasGlobalUnnamedAddr();
}

// Makes a symbol of the module visible to the other parts and to nothing beyond the module:
// hidden, and named uniquely to the module.
void externalize(llvm::GlobalValue& value, const std::string& prefix, unsigned& unnamed) {
  std::string name = value.hasName() ? value.getName().str() : "unnamed." + std::to_string(unnamed++);
  value.setName(prefix + name);
  value.setLinkage(llvm::GlobalValue::ExternalLinkage);
  value.setVisibility(llvm::GlobalValue::HiddenVisibility);
}

// Which part each function goes to: the largest first, each to the part with the fewest
// instructions so far. Whatever is not in the map goes to part 0.
std::unordered_map<const llvm::GlobalValue*, unsigned> assignFunctions(llvm::Module& module, unsigned parts) {
  std::vector<std::pair<size_t, llvm::Function*>> functions;
  for (llvm::Function& f : module) {
    if (!f.isDeclaration()) functions.emplace_back(f.getInstructionCount(), &f);
  }
  std::stable_sort(functions.begin(), functions.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<size_t> load(parts, 0);
  std::unordered_map<const llvm::GlobalValue*, unsigned> part_of;
  for (const auto& [size, function] : functions) {
    auto lightest = std::min_element(load.begin(), load.end());
    part_of[function] = unsigned(lightest - load.begin());
    *lightest += size + 1;
  }
  return part_of;
}

}  // namespace

unsigned codegenParts(const llvm::Module& module, unsigned requested) {
  for (const llvm::GlobalVariable& variable : module.globals()) {
    if (variable.hasAppendingLinkage()) return 1;
  }
  if (requested) return std::min(requested, kMaxParts);
  size_t cores = llvm::hardware_concurrency().compute_thread_count();
  size_t worth = instructionCount(module) / kMinInstructionsPerPart;
  return unsigned(std::clamp<size_t>(std::min(cores, worth), 1, kMaxParts));
}

std::vector<llvm::SmallVector<char, 0>> splitModule(llvm::Module& module, unsigned parts) {
  const std::string prefix = module.getModuleIdentifier() + ".";
  unsigned unnamed = 0;
  for (llvm::GlobalValue& value : module.global_values()) {
    if (!value.isDeclaration() && value.hasLocalLinkage() && !copiedToEveryPart(value)) {
      externalize(value, prefix, unnamed);
    }
  }
  const std::unordered_map<const llvm::GlobalValue*, unsigned> part_of = assignFunctions(module, parts);
  std::vector<llvm::SmallVector<char, 0>> bitcode(parts);
  for (unsigned part = 0; part < parts; ++part) {
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> clone = llvm::CloneModule(module, map, [&](const llvm::GlobalValue* value) {
      if (copiedToEveryPart(*value)) return true;
      auto it = part_of.find(value);
      return (it == part_of.end() ? 0 : it->second) == part;
    });
    llvm::raw_svector_ostream out(bitcode[part]);
    llvm::WriteBitcodeToFile(*clone, out);
  }
  return bitcode;
}

std::string joinObjects(const std::vector<std::string>& objects, const std::string& output) {
  std::vector<const char*> args = {"ld.lld", "-r", "-o", output.c_str()};
  for (const std::string& object : objects) args.push_back(object.c_str());
  std::string messages;
  llvm::raw_string_ostream out(messages), err(messages);
  lld::Result result = lld::lldMain(args, out, err, {{lld::Gnu, &lld::elf::link}});
  if (result.retCode == 0) return {};
  std::string first = messages.substr(0, messages.find('\n'));
  return first.empty() ? "joining the parts' objects failed" : "joining the parts' objects failed: " + first;
}

}  // namespace lunaticc
