// Reduction charges x86 fuses into one micro-op (see charge_branches.h).
#include "passes/preemption/charge_branches.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>

#include "passes/preemption/charges.h"

namespace lunaticc {
namespace {

class ChargeBranchesPass : public llvm::PassInfoMixin<ChargeBranchesPass> {
 public:
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager&) {
    unsigned kind = f.getContext().getMDKindID(kReductionsYieldMetadata);
    bool changed = false;
    for (llvm::BasicBlock& block : f) {
      if (!isYieldBlock(block, kind)) continue;
      std::optional<Charge> charge = matchCharge(&block);
      std::optional<Subtraction> subtraction = charge ? subtractionOf(*charge) : std::nullopt;
      if (!subtraction) continue;
      auto* condition = llvm::dyn_cast<llvm::ICmpInst>(
          llvm::cast<llvm::BranchInst>(charge->check->getTerminator())->getCondition());
      if (!condition || !condition->hasOneUse()) continue;
      subtraction->add->setHasNoSignedWrap(true);
      condition->setOperand(1, llvm::ConstantInt::get(charge->rest->getType(), 1));
      changed = true;
    }
    if (!changed) return llvm::PreservedAnalyses::all();
    llvm::PreservedAnalyses kept;
    kept.preserveSet<llvm::CFGAnalyses>();
    return kept;
  }
};

}  // namespace

void registerChargeBranches(llvm::PassBuilder& builder) {
  builder.registerOptimizerLastEPCallback([](llvm::ModulePassManager& passes, llvm::OptimizationLevel) {
    passes.addPass(llvm::createModuleToFunctionPassAdaptor(ChargeBranchesPass()));
  });
}

}  // namespace lunaticc
