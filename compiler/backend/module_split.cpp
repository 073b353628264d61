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

// A function and its size, as translated, plus one (so that none is empty).
struct Sized {
  const llvm::Function* function;
  size_t instructions;
};

// Whether a run of parts ends after `function`, `run` instructions long with it: at random,
// by the function's name, with a chance in proportion to the function's size, so that runs
// are about kPartInstructions long whatever the sizes of their functions.
bool endsRun(const Sized& function, size_t run) {
  if (run < kMinPartInstructions) return false;
  if (run >= kMaxPartInstructions) return true;
  const uint64_t spread = kPartInstructions - kMinPartInstructions;
  return llvm::xxh3_64bits(function.function->getName()) % spread < function.instructions;
}

// Assigns `functions` to parts first..first+count-1: the largest first, each to the part
// with the fewest instructions so far.
void balance(std::vector<Sized> functions, unsigned first, unsigned count, SplitPlan& plan) {
  std::stable_sort(functions.begin(), functions.end(),
                   [](const Sized& a, const Sized& b) { return a.instructions > b.instructions; });
  std::vector<size_t> load(count, 0);
  for (const Sized& sized : functions) {
    auto lightest = std::min_element(load.begin(), load.end());
    plan.placement[sized.function] = {first + unsigned(lightest - load.begin()), sized.instructions};
    *lightest += sized.instructions;
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
  std::vector<Sized> ordinary, oversized;
  size_t ordinary_instructions = 0;
  for (const llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    const size_t instructions = f.getInstructionCount();
    if (instructions > kOversizedFunctionInstructions) {
      oversized.push_back({&f, instructions + 1});
    } else {
      ordinary.push_back({&f, instructions + 1});
      ordinary_instructions += instructions + 1;
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
    for (const Sized& sized : ordinary) {
      plan.placement[sized.function] = {plan.parts, sized.instructions};
      run += sized.instructions;
      if (endsRun(sized, run)) {
        ++plan.parts;
        run = 0;
      }
    }
    if (run > 0) ++plan.parts;
  }
  // A module of oversized functions alone: its first part holds the global variables too.
  for (const Sized& sized : oversized) plan.placement[sized.function] = {plan.parts++, sized.instructions};
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
  for (const auto& [function, placement] : plan.placement) {
    const unsigned part = placement.part;
    definitions_[part].insert(function->getName());
    instructions_[part] += placement.instructions;
    // Oversized functions are not optimised, so copies of callees would be of no use.
    if (!import_small_callees || part >= plan.parts - plan.oversized_parts) continue;
    for (const llvm::Instruction& instruction : llvm::instructions(*function)) {
      const auto* call = llvm::dyn_cast<llvm::CallBase>(&instruction);
      const llvm::Function* callee = call ? call->getCalledFunction() : nullptr;
      if (!callee || callee->isDeclaration()) continue;
      const SplitPlan::Placement& callee_placement = plan.placement.at(callee);
      if (callee_placement.part != part && callee_placement.instructions <= kMaxImportedInstructions + 1) {
        imports_[part].insert(callee->getName());
      }
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
      if (!(value.isDeclaration() || copiedToEveryPart(value))) continue;
      value.removeDeadConstantUsers();  // such as the initializers taken from variables above
      if (!value.use_empty()) continue;
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
