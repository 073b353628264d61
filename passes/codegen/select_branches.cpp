// Selects on a loop-invariant condition whose one side takes real work become branches.
//
// Wasm has no conditional expression but select, which evaluates both operands, so compilers
// targeting Wasm turn `c = cond ? costly() : c` into a select wherever the costly side is pure
// arithmetic (clang does, for rle's dithering: a multiply, two shifts and a remainder on one
// side). x86 lowers a select to cmov, which also computes both sides every iteration, where
// native code branches around the work. In a loop whose condition does not change, the branch
// is predicted perfectly and costs one instruction, so the work a select computes for nothing
// is a pure loss.
//
// For each scalar select in a loop whose condition is loop-invariant, the instructions that
// compute one side and serve nothing else (same block, no memory access, nothing that may trap
// or have another effect: isSafeToSpeculativelyExecute, here the other way round) move into a
// branch of their own, and a phi joins the sides. Sinking only removes executions of
// instructions that have no effects, so the function computes the same values and traps where
// it did. Run last, after the loop vectoriser, which handles a select better than a branch.
#include "passes/codegen/select_branches.h"

#include <llvm/ADT/SetVector.h>
#include <llvm/Analysis/DomTreeUpdater.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>

#include <vector>

namespace lunaticc {
namespace {

// The fewest instructions a side must take to be worth a branch (which costs one or two).
constexpr size_t kWorthABranch = 3;

// The instructions only `value` (an operand of `select`) needs, in the select's block: `value`
// if the select uses it only there, and those whose every use is another of them, all of them
// skippable without effect.
llvm::SmallSetVector<llvm::Instruction*, 8> ownWork(llvm::Value* value, llvm::SelectInst& select) {
  llvm::SmallSetVector<llvm::Instruction*, 8> work;
  std::vector<llvm::Instruction*> pending;
  auto consider = [&](llvm::Value* operand) {
    auto* inst = llvm::dyn_cast<llvm::Instruction>(operand);
    if (!inst || inst->getParent() != select.getParent() || llvm::isa<llvm::PHINode>(inst) ||
        inst->mayReadOrWriteMemory() || !llvm::isSafeToSpeculativelyExecute(inst) || work.contains(inst)) {
      return;
    }
    // The select may use only `value` itself: an instruction the other side also uses stays.
    for (llvm::User* user : inst->users()) {
      if (user == &select ? inst != value || select.getTrueValue() == select.getFalseValue()
                          : !work.contains(llvm::cast<llvm::Instruction>(user))) {
        return;
      }
    }
    work.insert(inst);
    pending.push_back(inst);
  };
  consider(value);
  // A use seen before its user joined the work is looked at again when the user joins.
  while (!pending.empty()) {
    llvm::Instruction* inst = pending.back();
    pending.pop_back();
    for (llvm::Value* operand : inst->operands()) consider(operand);
  }
  return work;
}

// Moves `work` (in block order) to before `at`.
void sink(const llvm::SmallSetVector<llvm::Instruction*, 8>& work, llvm::BasicBlock& from, llvm::Instruction* at) {
  std::vector<llvm::Instruction*> ordered;
  for (llvm::Instruction& inst : from) {
    if (work.contains(&inst)) ordered.push_back(&inst);
  }
  for (llvm::Instruction* inst : ordered) inst->moveBefore(at);
}

bool branchOn(llvm::SelectInst& select, llvm::DominatorTree& dt, llvm::LoopInfo& li) {
  auto own_true = ownWork(select.getTrueValue(), select);
  auto own_false = ownWork(select.getFalseValue(), select);
  bool sink_true = own_true.size() >= kWorthABranch, sink_false = own_false.size() >= kWorthABranch;
  if (!sink_true && !sink_false) return false;
  llvm::BasicBlock* from = select.getParent();
  llvm::Instruction *then_end = nullptr, *else_end = nullptr;
  llvm::DomTreeUpdater updater(dt, llvm::DomTreeUpdater::UpdateStrategy::Eager);
  llvm::SplitBlockAndInsertIfThenElse(select.getCondition(), select.getIterator(), &then_end, &else_end,
                                      nullptr, &updater, &li);
  if (sink_true) sink(own_true, *from, then_end);
  if (sink_false) sink(own_false, *from, else_end);
  auto* joined = llvm::PHINode::Create(select.getType(), 2, select.getName());
  joined->insertBefore(select.getIterator());
  joined->addIncoming(select.getTrueValue(), then_end->getParent());
  joined->addIncoming(select.getFalseValue(), else_end->getParent());
  select.replaceAllUsesWith(joined);
  select.eraseFromParent();
  return true;
}

class SelectBranchesPass : public llvm::PassInfoMixin<SelectBranchesPass> {
 public:
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& fam) {
    auto& li = fam.getResult<llvm::LoopAnalysis>(f);
    auto& dt = fam.getResult<llvm::DominatorTreeAnalysis>(f);
    std::vector<llvm::SelectInst*> candidates;
    for (llvm::BasicBlock& block : f) {
      llvm::Loop* loop = li.getLoopFor(&block);
      if (!loop) continue;
      for (llvm::Instruction& inst : block) {
        auto* select = llvm::dyn_cast<llvm::SelectInst>(&inst);
        if (select && !select->getType()->isVectorTy() && select->getCondition()->getType()->isIntegerTy(1) &&
            !llvm::isa<llvm::Constant>(select->getCondition()) && loop->isLoopInvariant(select->getCondition())) {
          candidates.push_back(select);
        }
      }
    }
    bool changed = false;
    for (llvm::SelectInst* select : candidates) changed |= branchOn(*select, dt, li);
    if (!changed) return llvm::PreservedAnalyses::all();
    llvm::PreservedAnalyses kept;
    kept.preserve<llvm::DominatorTreeAnalysis>();
    kept.preserve<llvm::LoopAnalysis>();
    return kept;
  }
};

}  // namespace

void registerSelectBranches(llvm::PassBuilder& builder) {
  builder.registerOptimizerLastEPCallback([](llvm::ModulePassManager& passes, llvm::OptimizationLevel) {
    passes.addPass(llvm::createModuleToFunctionPassAdaptor(SelectBranchesPass()));
  });
}

}  // namespace lunaticc
