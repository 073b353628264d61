// Bounds checks compare an address with a limit computed once.
//
// Bounds-checked, an access of `bytes` bytes at Wasm address a + offset traps when
// zext(a) + offset + bytes > size (compiler/translate/memory.cpp). On x86 that is three
// instructions per access: the end's lea, the compare, the branch. Where a check remains
// after LLVM's own optimisations, this pass rewrites `X + C  <pred>  S` (an unsigned compare
// that alone decides a branch to a trap, C a positive constant) into `X  <signed pred>  S - C`, and
// computes S - C once, where S is defined: outside the loops that test it, and shared by
// every check of the same C. The check is then a compare and a branch.
//
// Why it keeps the meaning: when X, C and S are each below 2^62 (X a zero-extended i32 plus
// at most a u32 offset, the size at most 4 GiB, LUNATIC_MAX_PAGES: the translator marks the
// size's loads and arguments, kMemorySizeMarker), neither X + C nor S - C wraps in 64 bits, so both
// compares are exact comparisons of integers, X + C > S if and only if X > S - C, and S - C,
// negative when the memory is smaller than C (an empty memory), is compared signed. Every
// such value is proven in range by LLVM's known bits (for S, of each value its phis merge),
// or the check stays as it was.
#include "passes/memory/check_limits.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/PatternMatch.h>
#include <llvm/Passes/PassBuilder.h>

#include <map>
#include <utility>
#include <vector>

#include "passes/loop_utils.h"

namespace lunaticc {
namespace {

// Values below 2^62: sums and differences of two of them fit a signed i64.
bool small(const llvm::Value* value, const llvm::DataLayout& layout) {
  return llvm::computeKnownBits(value, layout).countMinLeadingZeros() >= 2;
}

// Whether `value` is a memory's size, as the translator marks them (kMemorySizeMarker).
bool memorySize(const llvm::Value* value) {
  if (auto* load = llvm::dyn_cast<llvm::LoadInst>(value)) return load->getMetadata(kMemorySizeMarker) != nullptr;
  auto* argument = llvm::dyn_cast<llvm::Argument>(value);
  return argument && argument->getParent()->getAttributes().hasParamAttr(argument->getArgNo(), kMemorySizeMarker);
}

// Whether `value` is below 2^62 by its known bits or as a memory's size, or is a phi whose
// every incoming value is (those of other phis too, however deep: the size the function
// keeps goes round its loops through phis, beyond the depth known bits look at).
bool smallThroughPhis(const llvm::Value* value, const llvm::DataLayout& layout) {
  llvm::SmallPtrSet<const llvm::Value*, 16> seen;
  llvm::SmallVector<const llvm::Value*, 16> pending{value};
  while (!pending.empty()) {
    const llvm::Value* next = pending.pop_back_val();
    if (!seen.insert(next).second) continue;
    if (auto* phi = llvm::dyn_cast<llvm::PHINode>(next)) {
      if (seen.size() > 64) return false;
      pending.append(phi->value_op_begin(), phi->value_op_end());
    } else if (!memorySize(next) && !small(next, layout)) {
      return false;
    }
  }
  return true;
}

// Whether `compare` is the condition of branches to a trap, and nothing else: the check of
// one access, as the translator emits it, or of one loop-invariant access that LICM hoisted
// out of a loop whose copies (and unrolled iterations) each branch on it. Checks merged into
// one condition, and the range checks a loop's copies are chosen by (address_widening.cpp),
// run once where this pass would save nothing.
bool branchesToTrap(const llvm::ICmpInst& compare) {
  if (compare.use_empty()) return false;
  return llvm::all_of(compare.users(), [](const llvm::User* user) {
    auto* branch = llvm::dyn_cast<llvm::BranchInst>(user);
    return branch && branch->isConditional() &&
           (leadsToTrap(branch->getSuccessor(0)) || leadsToTrap(branch->getSuccessor(1)));
  });
}

class CheckLimitsPass : public llvm::PassInfoMixin<CheckLimitsPass> {
 public:
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager&) {
    const llvm::DataLayout& layout = f.getDataLayout();
    std::vector<llvm::ICmpInst*> checks;
    for (llvm::BasicBlock& block : f) {
      for (llvm::Instruction& inst : block) {
        auto* compare = llvm::dyn_cast<llvm::ICmpInst>(&inst);
        if (compare && compare->isUnsigned() && compare->getOperand(0)->getType()->isIntegerTy(64) &&
            branchesToTrap(*compare)) {
          checks.push_back(compare);
        }
      }
    }
    bool changed = false;
    for (llvm::ICmpInst* compare : checks) changed |= rewrite(*compare, layout);
    limits_.clear();
    if (!changed) return llvm::PreservedAnalyses::all();
    llvm::PreservedAnalyses kept;
    kept.preserveSet<llvm::CFGAnalyses>();
    return kept;
  }

 private:
  bool rewrite(llvm::ICmpInst& compare, const llvm::DataLayout& layout) {
    using namespace llvm::PatternMatch;
    // As (X + C) PREDICATE S.
    for (unsigned side = 0; side < 2; ++side) {
      llvm::Value* end = compare.getOperand(side);
      llvm::Value* size = compare.getOperand(1 - side);
      llvm::Value* address = nullptr;
      const llvm::APInt* constant = nullptr;
      if (!end->hasOneUse() || !match(end, m_AddLike(m_Value(address), m_APInt(constant)))) continue;
      if (constant->isNegative() || constant->isZero() || constant->getActiveBits() > 62) continue;
      if (!small(address, layout) || !smallThroughPhis(size, layout)) continue;
      llvm::Value* bound = limit(*size, constant->getZExtValue());
      if (!bound) continue;
      // Both sides lose C: the order of the operands, and so the predicate, stays.
      compare.setPredicate(llvm::ICmpInst::getSignedPredicate(compare.getPredicate()));
      compare.setOperand(side, address);
      compare.setOperand(1 - side, bound);
      if (end->use_empty()) llvm::cast<llvm::Instruction>(end)->eraseFromParent();
      return true;
    }
    return false;
  }

  // size - constant, computed once where `size` (an instruction or an argument) is defined;
  // or null.
  llvm::Value* limit(llvm::Value& size, uint64_t constant) {
    llvm::Value*& limit = limits_[{&size, constant}];
    if (limit) return limit;
    llvm::Instruction* at = nullptr;
    if (auto* inst = llvm::dyn_cast<llvm::Instruction>(&size)) {
      if (inst->isTerminator()) return nullptr;
      at = llvm::isa<llvm::PHINode>(inst) ? &*inst->getParent()->getFirstInsertionPt() : inst->getNextNode();
    } else if (auto* argument = llvm::dyn_cast<llvm::Argument>(&size)) {
      at = &*argument->getParent()->getEntryBlock().getFirstInsertionPt();
    } else {
      return nullptr;
    }
    llvm::IRBuilder<> b(at);
    limit = b.CreateNSWSub(&size, b.getInt64(constant), "memory.limit");
    return limit;
  }

  std::map<std::pair<llvm::Value*, uint64_t>, llvm::Value*> limits_;
};

}  // namespace

void registerCheckLimits(llvm::PassBuilder& builder) {
  builder.registerOptimizerLastEPCallback([](llvm::ModulePassManager& passes, llvm::OptimizationLevel) {
    passes.addPass(llvm::createModuleToFunctionPassAdaptor(CheckLimitsPass()));
  });
}

}  // namespace lunaticc
