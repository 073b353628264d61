// Cutting a module into parts compiled on threads of their own (see module_split.h).
#include "compiler/backend/module_split.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/xxhash.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <unordered_map>

#include "compiler/backend/link.h"

namespace lunaticc {
namespace {

// The parts a module is cut into by default: runs of consecutive functions of about
// kPartInstructions (as translated). Small enough that compiling one part again after a
// change to one of its functions takes a fraction of a second at -O2 (about 0.4 s on 2024
// x86-64 cores); large enough that what every part costs, whatever its size (the module's
// declarations read, copies of callees and constants optimised again), stays a few percent
// of a cold compilation.
constexpr size_t kPartInstructions = 16000;
constexpr size_t kMinPartInstructions = kPartInstructions / 2;
constexpr size_t kMaxPartInstructions = kPartInstructions * 5 / 2;
constexpr unsigned kMaxRequestedParts = 64;
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

size_t instructionsOf(const llvm::Function& function) { return function.getInstructionCount() + 1; }

// Whether a run of parts ends after `function`, `run` instructions long with it: at random,
// by the function's name, with a chance in proportion to the function's size, so that runs
// are about kPartInstructions long whatever the sizes of their functions.
bool endsRun(const llvm::Function& function, size_t run) {
  if (run < kMinPartInstructions) return false;
  if (run >= kMaxPartInstructions) return true;
  const uint64_t spread = kPartInstructions - kMinPartInstructions;
  const uint64_t draw = llvm::xxh3_64bits(function.getName()) % spread;
  return draw < instructionsOf(function);
}

// Assigns `functions` to parts first..first+count-1: the largest first, each to the part
// with the fewest instructions so far.
void balance(std::vector<const llvm::Function*> functions, unsigned first, unsigned count, SplitPlan& plan) {
  std::stable_sort(functions.begin(), functions.end(), [](const llvm::Function* a, const llvm::Function* b) {
    return instructionsOf(*a) > instructionsOf(*b);
  });
  std::vector<size_t> load(count, 0);
  for (const llvm::Function* function : functions) {
    auto lightest = std::min_element(load.begin(), load.end());
    plan.part_of[function] = first + unsigned(lightest - load.begin());
    *lightest += instructionsOf(*function);
  }
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
  std::vector<const llvm::Function*> ordinary, oversized;
  size_t ordinary_instructions = 0;
  for (const llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    if (isOversized(f)) {
      oversized.push_back(&f);
    } else {
      ordinary.push_back(&f);
      ordinary_instructions += instructionsOf(f);
    }
  }
  SplitPlan plan;
  plan.parts = 0;
  if (requested) {
    plan.parts = ordinary.empty() ? 0 : std::min(requested, kMaxRequestedParts);
    balance(ordinary, 0, plan.parts, plan);
  } else if (ordinary_instructions < kPartInstructions) {
    // Not worth cutting, but for the oversized functions.
    if (oversized.empty()) return {};
    if (!ordinary.empty()) balance(ordinary, plan.parts++, 1, plan);
  } else {
    size_t run = 0;
    for (const llvm::Function* function : ordinary) {
      plan.part_of[function] = plan.parts;
      run += instructionsOf(*function);
      if (endsRun(*function, run)) {
        ++plan.parts;
        run = 0;
      }
    }
    if (run > 0) ++plan.parts;
  }
  // A module of oversized functions alone: its first part holds the global variables too.
  for (const llvm::Function* function : oversized) plan.part_of[function] = plan.parts++;
  plan.oversized_parts = unsigned(oversized.size());
  return plan;
}

ModuleSplit::ModuleSplit(llvm::Module& module, const SplitPlan& plan, bool import_small_callees)
    : definitions_(plan.parts), imports_(plan.parts), instructions_(plan.parts, 0) {
  const std::string prefix = module.getModuleIdentifier() + ".";
  unsigned unnamed = 0;
  for (llvm::GlobalValue& value : module.global_values()) {
    if (!value.isDeclaration() && value.hasLocalLinkage() && !copiedToEveryPart(value)) {
      externalize(value, prefix, unnamed);
    }
  }
  for (const auto& [function, part] : plan.part_of) {
    definitions_[part].insert(function->getName());
    instructions_[part] += instructionsOf(*function);
    // Oversized functions are not optimised, so copies of callees would be of no use.
    if (!import_small_callees || part >= plan.parts - plan.oversized_parts) continue;
    for (const llvm::Instruction& instruction : llvm::instructions(*function)) {
      const auto* call = llvm::dyn_cast<llvm::CallBase>(&instruction);
      const llvm::Function* callee = call ? call->getCalledFunction() : nullptr;
      if (!callee || callee->isDeclaration() || callee->getInstructionCount() > kMaxImportedInstructions) continue;
      if (plan.part_of.at(callee) != part) imports_[part].insert(callee->getName());
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
  // What the part does not use: declarations, and the copies of constants it was given
  // (those of the whole module), until none is left (a constant may use another).
  for (bool removed = true; removed;) {
    removed = false;
    for (llvm::GlobalValue& value : llvm::make_early_inc_range((*module)->global_values())) {
      if (!value.use_empty() || !(value.isDeclaration() || copiedToEveryPart(value))) continue;
      value.eraseFromParent();
      removed = true;
    }
  }
  return module;
}

std::string joinObjects(const std::vector<std::string>& objects, const std::string& output) {
  std::vector<const char*> args = {"ld.lld", "-r", "-o", output.c_str()};
  for (const std::string& object : objects) args.push_back(object.c_str());
  return runLld(args, "joining the parts' objects");
}

}  // namespace lunaticc
