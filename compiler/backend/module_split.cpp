// Cutting a module into parts compiled on threads of their own (see module_split.h).
#include "compiler/backend/module_split.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Threading.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <unordered_map>

#include "compiler/backend/link.h"

namespace lunaticc {
namespace {

// Below this many instructions (as translated, before any optimisation), a part's thread
// costs more than compiling it apart saves.
constexpr size_t kMinInstructionsPerPart = 40000;
constexpr unsigned kMaxParts = 64;
// Callees up to this size (as translated) that a part calls in another part are copied into
// it for the inliner to consider: LLVM inlines little that is larger.
constexpr size_t kMaxImportedInstructions = 100;

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

// Which part each function goes to: ordinary functions to the parts before
// `plan.parts - plan.oversized_parts`, oversized ones to the parts after; the largest first,
// each to the part of its kind with the fewest instructions so far.
std::unordered_map<const llvm::Function*, unsigned> assignFunctions(llvm::Module& module, SplitPlan plan) {
  std::vector<std::pair<size_t, llvm::Function*>> functions;
  for (llvm::Function& f : module) {
    if (!f.isDeclaration()) functions.emplace_back(f.getInstructionCount(), &f);
  }
  std::stable_sort(functions.begin(), functions.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  const unsigned first_oversized = plan.parts - plan.oversized_parts;
  std::vector<size_t> load(plan.parts, 0);
  std::unordered_map<const llvm::Function*, unsigned> part_of;
  for (const auto& [size, function] : functions) {
    auto begin = load.begin() + (isOversized(*function) ? first_oversized : 0);
    auto end = isOversized(*function) ? load.end() : load.begin() + first_oversized;
    auto lightest = std::min_element(begin, end);
    part_of[function] = unsigned(lightest - load.begin());
    *lightest += size + 1;
  }
  return part_of;
}

}  // namespace

bool isOversized(const llvm::Function& function) {
  return function.getInstructionCount() > kOversizedFunctionInstructions;
}

SplitPlan planSplit(const llvm::Module& module, unsigned requested) {
  for (const llvm::GlobalVariable& variable : module.globals()) {
    if (variable.hasAppendingLinkage()) return {};
  }
  if (!module.alias_empty() || !module.ifunc_empty()) return {};
  size_t cores = llvm::hardware_concurrency().compute_thread_count();
  size_t ordinary_instructions = 0, oversized = 0;
  for (const llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    if (isOversized(f)) {
      ++oversized;
    } else {
      ordinary_instructions += f.getInstructionCount();
    }
  }
  size_t worth = ordinary_instructions / kMinInstructionsPerPart;
  unsigned ordinary_parts =
      requested ? std::min(requested, kMaxParts) : unsigned(std::clamp<size_t>(std::min(cores, worth), 1, kMaxParts));
  // A module of oversized functions alone: its first part holds the global variables too.
  if (oversized && !ordinary_instructions) ordinary_parts = 0;
  unsigned oversized_parts = unsigned(std::min<size_t>({oversized, cores, kMaxParts}));
  return {ordinary_parts + oversized_parts, oversized_parts};
}

ModuleSplit::ModuleSplit(llvm::Module& module, SplitPlan plan, bool import_small_callees)
    : definitions_(plan.parts), imports_(plan.parts) {
  const std::string prefix = module.getModuleIdentifier() + ".";
  unsigned unnamed = 0;
  for (llvm::GlobalValue& value : module.global_values()) {
    if (!value.isDeclaration() && value.hasLocalLinkage() && !copiedToEveryPart(value)) {
      externalize(value, prefix, unnamed);
    }
  }
  const std::unordered_map<const llvm::Function*, unsigned> part_of = assignFunctions(module, plan);
  for (const auto& [function, part] : part_of) {
    definitions_[part].insert(function->getName());
    // Oversized functions are not optimised, so copies of callees would be of no use.
    if (!import_small_callees || part >= plan.parts - plan.oversized_parts) continue;
    for (const llvm::Instruction& instruction : llvm::instructions(*function)) {
      const auto* call = llvm::dyn_cast<llvm::CallBase>(&instruction);
      const llvm::Function* callee = call ? call->getCalledFunction() : nullptr;
      if (!callee || callee->isDeclaration() || callee->getInstructionCount() > kMaxImportedInstructions) continue;
      if (part_of.at(callee) != part) imports_[part].insert(callee->getName());
    }
  }
  llvm::raw_svector_ostream out(bitcode_);
  llvm::WriteBitcodeToFile(module, out);
}

llvm::Expected<std::unique_ptr<llvm::Module>> ModuleSplit::readPart(unsigned part, llvm::LLVMContext& context) const {
  // Lazily: only the bodies the part keeps are ever read.
  llvm::Expected<std::unique_ptr<llvm::Module>> module = llvm::getLazyBitcodeModule(
      llvm::MemoryBufferRef(llvm::StringRef(bitcode_.data(), bitcode_.size()), "part"), context);
  if (!module) return module;
  for (llvm::Function& f : **module) {
    if (f.isDeclaration() || definitions_[part].contains(f.getName())) continue;
    if (imports_[part].contains(f.getName())) {
      // The inliner may use this copy; nothing else of it is emitted.
      f.setLinkage(llvm::GlobalValue::AvailableExternallyLinkage);
    } else {
      f.deleteBody();  // unread, it becomes a declaration of the other part's definition
    }
  }
  // Variables live in the first part; the others declare them.
  for (llvm::GlobalVariable& variable : (*module)->globals()) {
    if (part == 0 || variable.isDeclaration() || copiedToEveryPart(variable)) continue;
    variable.setInitializer(nullptr);
    variable.setLinkage(llvm::GlobalValue::ExternalLinkage);
    variable.setComdat(nullptr);
  }
  if (llvm::Error error = (*module)->materializeAll()) return error;
  return module;
}

std::string joinObjects(const std::vector<std::string>& objects, const std::string& output) {
  std::vector<const char*> args = {"ld.lld", "-r", "-o", output.c_str()};
  for (const std::string& object : objects) args.push_back(object.c_str());
  return runLld(args, "joining the parts' objects");
}

}  // namespace lunaticc
