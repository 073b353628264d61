// Recognising reduction charges in LLVM IR (see charges.h).
#include "passes/preemption/charges.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/PatternMatch.h>

namespace lunaticc {

bool isYieldBlock(const llvm::BasicBlock& block, unsigned kind) {
  for (const llvm::Instruction& inst : block) {
    if (llvm::isa<llvm::CallBase>(inst) && inst.getMetadata(kind)) return true;
  }
  return false;
}

std::optional<Charge> matchCharge(llvm::BasicBlock* yield) {
  using namespace llvm::PatternMatch;
  llvm::BasicBlock* check = yield->getSinglePredecessor();
  llvm::BasicBlock* run = yield->getSingleSuccessor();
  auto* exit = llvm::dyn_cast<llvm::BranchInst>(yield->getTerminator());
  if (!check || !run || !exit || exit->isConditional()) return std::nullopt;
  auto* branch = llvm::dyn_cast<llvm::BranchInst>(check->getTerminator());
  if (!branch || !branch->isConditional()) return std::nullopt;
  llvm::Value* rest = nullptr;
  llvm::ICmpInst::Predicate predicate;
  if (!match(branch->getCondition(), m_ICmp(predicate, m_Value(rest), m_Zero())) ||
      predicate != llvm::ICmpInst::ICMP_SLT || branch->getSuccessor(0) != yield || branch->getSuccessor(1) != run) {
    return std::nullopt;
  }
  return Charge{check, yield, run, rest};
}

std::optional<Subtraction> subtractionOf(const Charge& charge) {
  using namespace llvm::PatternMatch;
  llvm::Value* budget = nullptr;
  const llvm::APInt* amount = nullptr;
  if (!match(charge.rest, m_Add(m_Value(budget), m_APInt(amount))) || !amount->isNegative()) return std::nullopt;
  return Subtraction{llvm::cast<llvm::BinaryOperator>(charge.rest), budget, uint64_t(-amount->getSExtValue())};
}

}  // namespace lunaticc
