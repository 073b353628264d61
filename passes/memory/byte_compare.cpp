// Byte-compare loops that skip equal 16-byte blocks (see byte_compare.h).
//
// wasi-libc's memcmp, like any naive memcmp a C program brings along, is a loop over bytes:
// while n and *l == *r: n--, l++, r++. LLVM vectorises no loop with an early exit, so it
// runs a byte per iteration, where glibc's memcmp natively takes 32 at a time (base64's
// round-trip check spent a quarter of its time there). This pass gives each iteration a
// way to do sixteen at once:
//
//   iteration j, after the header's reduction charge:
//   skip.check:  the loop would take its backedge at least 16 more times (the latch's
//                induction variable is 16 or more steps from its exit value), and both
//                16-byte blocks can be read without a fault where the loop has none
//   skip.load:   load both blocks; if they are equal, iterations j to j + 15 would each
//                find equal bytes and go round: go straight to the header of iteration
//                j + 16, every header phi advanced by 16 steps
//   otherwise:   the blocks first differ at byte k (k < 16); iterations j to j + k - 1
//                would each find equal bytes and go round, and iteration j + k leaves the
//                loop. k = 0: iteration j as it was. Else go to the header of iteration
//                j + k, every header phi advanced by k steps, with skipping off there: that
//                iteration finds the difference in its own byte compare and leaves. So a
//                mismatch costs one block compare, not one per remaining byte.
//
// The loop must do nothing but the compare (no stores, no calls but the charge's yield),
// leave only on a mismatch or at the latch, and have only affine header phis, so that
// "16 iterations later" is known without running them. The skipped iterations are
// charged at once: the budget drops by 16 (or k) charges, and the next header check yields
// if that spent it, so a time slice still ends within 16 iterations of where it would have.
//
// Reading a block cannot fault where the loop would not: iteration j reads each block's
// first byte itself. With guard pages, a block within one 4 KiB page of that byte is
// readable whenever the byte is (a memory is whole pages, page-aligned). With bounds
// checks, bytes past the memory's size may be mapped but are not Wasm's, so the block
// must end within the size instead.
#include "passes/memory/byte_compare.h"

#include "passes/loop_utils.h"
#include "passes/preemption/charges.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/PatternMatch.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Utils/ScalarEvolutionExpander.h>

#include <optional>
#include <vector>

namespace lunaticc {
namespace {

using llvm::BasicBlock;
using llvm::SCEV;
using llvm::Value;

constexpr unsigned kBlock = 16;     // bytes compared at once
constexpr uint64_t kPage = 4096;   // the smallest page a guard can be

// A byte loaded in the loop from linear memory: memory's base + zext(address) [+ offset].
struct ByteLoad {
  llvm::LoadInst* load;
  llvm::ZExtInst* address;  // the Wasm address, zero-extended
  const SCEV* index;        // i64, base to byte
};

// What the pass found in a loop it can transform.
struct CompareLoop {
  BasicBlock* compare;  // holds the loads and the compare; leaves the loop on a mismatch
  ByteLoad bytes[2];
  Value* base;
  Value* size = nullptr;                 // the memory's size (bounds-checked mode)
  const llvm::SCEVAddRecExpr* counter;   // the latch's induction variable, step 1 or -1
  Value* exit_value;                     // the loop leaves at the latch when counter equals it
  llvm::PHINode* budget = nullptr;       // the header's reduction budget, if the loop is charged
  Value* charged = nullptr;              // the budget after the header's charge (and yield)
  int64_t cost = 0;                      // what one iteration charges
};

// The loop's one reduction charge (in its header), if it has one: its budget phi and cost.
// False if its charges have another shape.
bool findCharge(const llvm::Loop& loop, unsigned kind, CompareLoop& found) {
  std::optional<Charge> charge;
  for (BasicBlock* block : loop.blocks()) {
    if (!isYieldBlock(*block, kind)) continue;
    if (charge) return false;
    charge = matchCharge(block);
    if (!charge || charge->check != loop.getHeader()) return false;
  }
  if (!charge) return true;
  std::optional<Subtraction> subtraction = subtractionOf(*charge);
  if (!subtraction) return false;
  found.budget = llvm::dyn_cast<llvm::PHINode>(subtraction->budget);
  found.cost = int64_t(subtraction->cost);
  for (llvm::PHINode& phi : charge->run->phis()) {
    if (phi.getBasicBlockIndex(charge->check) >= 0 && phi.getIncomingValueForBlock(charge->check) == charge->rest) {
      found.charged = &phi;
    }
  }
  return found.budget && found.budget->getParent() == loop.getHeader() && found.charged;
}

// Whether `condition` is one of `checks`, or built of them with and, or and select alone.
bool madeOf(Value* condition, const llvm::SmallPtrSetImpl<Value*>& checks, int depth = 0) {
  if (checks.contains(condition)) return true;
  auto* inst = llvm::dyn_cast<llvm::Instruction>(condition);
  if (!inst || depth > 8) return false;
  bool combines = llvm::isa<llvm::SelectInst>(inst) ||
                  (llvm::isa<llvm::BinaryOperator>(inst) && (inst->getOpcode() == llvm::Instruction::And ||
                                                              inst->getOpcode() == llvm::Instruction::Or));
  if (!combines) return false;
  for (Value* operand : inst->operands()) {
    if (!llvm::isa<llvm::Constant>(operand) && !madeOf(operand, checks, depth + 1)) return false;
  }
  return true;
}

// Branches to the header of the iteration some steps (1 to 16) after j, every header phi
// advanced by as many steps. Iteration j's charge is paid, so the budget pays for the
// steps - 1 iterations between.
struct Advance {
  BasicBlock* header;
  const CompareLoop& found;
  const std::vector<std::pair<llvm::PHINode*, llvm::APInt>>& steps;  // of the affine phis
  llvm::PHINode* may_skip;

  void from(llvm::IRBuilder<>& b, BasicBlock* block, Value* count, Value* skip_there) const {
    b.SetInsertPoint(block);
    for (const auto& [phi, step] : steps) {
      Value* distance = b.CreateMul(b.CreateZExtOrTrunc(count, phi->getType()), llvm::ConstantInt::get(phi->getType(), step));
      phi->addIncoming(b.CreateAdd(phi, distance, phi->getName() + ".skip"), block);
    }
    if (found.budget) {
      Value* between = b.CreateZExt(b.CreateSub(count, llvm::ConstantInt::get(count->getType(), 1)), b.getInt64Ty());
      found.budget->addIncoming(
          b.CreateSub(found.charged, b.CreateMul(between, b.getInt64(found.cost)), "skip.budget"), block);
    }
    may_skip->addIncoming(skip_there, block);
    b.CreateBr(header);
  }
};

class ByteCompare {
 public:
  ByteCompare(llvm::Function& f, llvm::FunctionAnalysisManager& fam, bool bounds_checked)
      : f_(f),
        bounds_checked_(bounds_checked),
        yield_kind_(f.getContext().getMDKindID(kReductionsYieldMetadata)),
        li_(fam.getResult<llvm::LoopAnalysis>(f)),
        dt_(fam.getResult<llvm::DominatorTreeAnalysis>(f)),
        se_(fam.getResult<llvm::ScalarEvolutionAnalysis>(f)),
        ac_(fam.getResult<llvm::AssumptionAnalysis>(f)) {}

  bool run() {
    std::vector<llvm::Loop*> candidates;
    for (llvm::Loop* loop : li_.getLoopsInPreorder()) {
      if (loop->isInnermost()) candidates.push_back(loop);
    }
    bool changed = false;
    for (llvm::Loop* loop : candidates) {
      if (!loop->isLoopSimplifyForm()) simplifyLoop(loop, &dt_, &li_, &se_, &ac_, nullptr, false);
      if (!loop->isLoopSimplifyForm()) continue;
      if (std::optional<CompareLoop> found = recognise(*loop)) {
        transform(*loop, *found);
        changed = true;
      }
    }
    return changed;
  }

 private:
  // A load of one byte at memory's base + zext(a) [+ offset], a an i32 recurrence of the
  // loop that steps by 1.
  std::optional<ByteLoad> matchByte(Value* value, const llvm::Loop& loop, Value*& base) {
    auto* load = llvm::dyn_cast<llvm::LoadInst>(value);
    if (!load || !load->getType()->isIntegerTy(8) || !loop.contains(load)) return std::nullopt;
    auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(load->getPointerOperand());
    if (!gep || gep->getNumIndices() != 1 || !gep->getSourceElementType()->isIntegerTy(8) ||
        !loop.isLoopInvariant(gep->getPointerOperand()) || (base && base != gep->getPointerOperand())) {
      return std::nullopt;
    }
    using namespace llvm::PatternMatch;
    Value* address = nullptr;
    if (!match(gep->getOperand(1), m_ZExt(m_Value(address))) &&
        !match(gep->getOperand(1), m_Add(m_ZExt(m_Value(address)), m_ConstantInt()))) {
      return std::nullopt;
    }
    auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(se_.getSCEV(address));
    if (!address->getType()->isIntegerTy(32) || !rec || rec->getLoop() != &loop || !rec->isAffine() ||
        !rec->getStepRecurrence(se_)->isOne()) {
      return std::nullopt;
    }
    base = gep->getPointerOperand();
    Value* index = gep->getOperand(1);
    auto* zext = llvm::dyn_cast<llvm::ZExtInst>(index);
    if (!zext) zext = llvm::cast<llvm::ZExtInst>(llvm::cast<llvm::User>(index)->getOperand(0));
    return ByteLoad{load, zext, se_.getSCEV(gep->getOperand(1))};
  }

  std::optional<CompareLoop> recognise(llvm::Loop& loop) {
    BasicBlock* header = loop.getHeader();
    BasicBlock* latch = loop.getLoopLatch();
    if (!latch) return std::nullopt;
    // Exits: the latch's, the compare's, and traps (checked below to be the bytes' bounds
    // checks: a skip must not pass over any other trap).
    CompareLoop found{};
    llvm::SmallVector<BasicBlock*, 4> exiting, trap_exits;
    loop.getExitingBlocks(exiting);
    for (BasicBlock* block : exiting) {
      if (block == latch) continue;
      bool to_trap = true;
      for (BasicBlock* next : llvm::successors(block)) to_trap = to_trap && (loop.contains(next) || leadsToTrap(next));
      if (to_trap) {
        trap_exits.push_back(block);
        continue;
      }
      if (found.compare) return std::nullopt;
      found.compare = block;
    }
    if (!found.compare || !dt_.dominates(found.compare, latch)) return std::nullopt;

    // The latch: leaves when a counter stepping by one reaches an invariant value.
    using namespace llvm::PatternMatch;
    Value *counter = nullptr, *exit_value = nullptr;
    llvm::ICmpInst::Predicate predicate;
    BasicBlock *if_true = nullptr, *if_false = nullptr;
    if (!match(latch->getTerminator(),
               m_Br(m_ICmp(predicate, m_Value(counter), m_Value(exit_value)), if_true, if_false)) ||
        !loop.isLoopInvariant(exit_value)) {
      return std::nullopt;
    }
    bool leaves_when_equal = (predicate == llvm::ICmpInst::ICMP_EQ && if_false == header) ||
                             (predicate == llvm::ICmpInst::ICMP_NE && if_true == header);
    auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(se_.getSCEV(counter));
    if (!leaves_when_equal || !rec || rec->getLoop() != &loop || !rec->isAffine() ||
        !counter->getType()->isIntegerTy()) {
      return std::nullopt;
    }
    auto* step = llvm::dyn_cast<llvm::SCEVConstant>(rec->getStepRecurrence(se_));
    if (!step || !(step->getAPInt().isOne() || step->getAPInt().isAllOnes())) return std::nullopt;
    found.counter = rec;
    found.exit_value = exit_value;

    // The compare: leaves the loop when two bytes differ.
    Value *left = nullptr, *right = nullptr;
    if (!match(found.compare->getTerminator(),
               m_Br(m_ICmp(predicate, m_Value(left), m_Value(right)), if_true, if_false))) {
      return std::nullopt;
    }
    bool leaves_on_difference = (predicate == llvm::ICmpInst::ICMP_EQ && !loop.contains(if_false)) ||
                                (predicate == llvm::ICmpInst::ICMP_NE && !loop.contains(if_true));
    if (!leaves_on_difference) return std::nullopt;
    std::optional<ByteLoad> l = matchByte(left, loop, found.base);
    std::optional<ByteLoad> r = matchByte(right, loop, found.base);
    if (!l || !r || l->load->getParent() != found.compare || r->load->getParent() != found.compare) {
      return std::nullopt;
    }
    found.bytes[0] = *l;
    found.bytes[1] = *r;
    llvm::SmallPtrSet<Value*, 8> byte_checks;
    for (const ByteLoad& byte : found.bytes) {
      for (const BoundsCheck& check : boundsChecksOf(*byte.address, loop)) {
        byte_checks.insert(check.compare);
        if (found.size && found.size != check.size) return std::nullopt;
        found.size = check.size;
      }
    }
    if (bounds_checked_ && !found.size) return std::nullopt;
    for (BasicBlock* block : trap_exits) {
      auto* branch = llvm::dyn_cast<llvm::BranchInst>(block->getTerminator());
      if (!branch || !branch->isConditional() || !madeOf(branch->getCondition(), byte_checks)) return std::nullopt;
    }

    // Nothing else happens: no stores or calls outside the charge's yield block.
    if (!findCharge(loop, yield_kind_, found) ||
        (found.charged && !dt_.dominates(llvm::cast<llvm::Instruction>(found.charged)->getParent(), found.compare))) {
      return std::nullopt;
    }
    // and no other loads: a skipped iteration may trap nowhere but at the compared bytes.
    for (BasicBlock* block : loop.blocks()) {
      if (isYieldBlock(*block, yield_kind_)) continue;
      for (llvm::Instruction& inst : *block) {
        if (inst.mayWriteToMemory() || llvm::isa<llvm::CallBase>(inst)) return std::nullopt;
        if (llvm::isa<llvm::LoadInst>(inst) && &inst != found.bytes[0].load && &inst != found.bytes[1].load) {
          return std::nullopt;
        }
      }
    }
    // Every header phi but the budget steps by a constant, so 16 iterations on is known.
    for (llvm::PHINode& phi : header->phis()) {
      if (&phi == found.budget) continue;
      auto* phi_rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(se_.getSCEV(&phi));
      if (!phi.getType()->isIntegerTy() || !phi_rec || phi_rec->getLoop() != &loop || !phi_rec->isAffine() ||
          !llvm::isa<llvm::SCEVConstant>(phi_rec->getStepRecurrence(se_))) {
        return std::nullopt;
      }
    }
    return found;
  }

  void transform(llvm::Loop& loop, const CompareLoop& found) {
    BasicBlock* header = loop.getHeader();
    BasicBlock* compare = found.compare;
    llvm::LLVMContext& context = f_.getContext();
    BasicBlock* rest = SplitBlock(compare, compare->getFirstNonPHI(), &dt_, &li_, nullptr,
                                  compare->getName() + ".bytes");
    BasicBlock* load = BasicBlock::Create(context, compare->getName() + ".skip.load", &f_, rest);
    BasicBlock* take = BasicBlock::Create(context, compare->getName() + ".skip", &f_, rest);
    BasicBlock* differ_at = BasicBlock::Create(context, compare->getName() + ".skip.differ", &f_, rest);
    BasicBlock* partial = BasicBlock::Create(context, compare->getName() + ".skip.partial", &f_, rest);
    for (BasicBlock* block : {load, take, differ_at, partial}) loop.addBasicBlockToLoop(block, li_);

    // Whether iteration j may skip: false only after a partial skip, whose iteration leaves.
    llvm::IRBuilder<> b(header, header->getFirstNonPHIIt());
    llvm::PHINode* may_skip = llvm::PHINode::Create(b.getInt1Ty(), 0, "skip.allowed");
    may_skip->insertBefore(header->getFirstNonPHIIt());
    for (BasicBlock* predecessor : llvm::predecessors(header)) may_skip->addIncoming(b.getTrue(), predecessor);

    // skip.check, at the end of `compare` (iteration j's values, before its own work)
    llvm::Instruction* at = compare->getTerminator();
    llvm::SCEVExpander expander(se_, f_.getDataLayout(), "skip");
    b.SetInsertPoint(at);
    Value* counter = expander.expandCodeFor(found.counter, nullptr, at);
    bool up = found.counter->getStepRecurrence(se_)->isOne();
    Value* steps_left = up ? b.CreateSub(found.exit_value, counter) : b.CreateSub(counter, found.exit_value);
    Value* go = b.CreateICmpUGE(steps_left, llvm::ConstantInt::get(counter->getType(), kBlock), "skip.room");
    go = b.CreateAnd(may_skip, go);
    Value* blocks[2];
    for (int i = 0; i < 2; ++i) {
      Value* index = expander.expandCodeFor(found.bytes[i].index, b.getInt64Ty(), at);
      blocks[i] = b.CreateGEP(b.getInt8Ty(), found.base, index, "skip.block");
      Value* readable;
      if (found.size) {
        readable = b.CreateICmpULE(b.CreateAdd(index, b.getInt64(kBlock)), found.size);
      } else {
        Value* in_page = b.CreateAnd(b.CreatePtrToInt(blocks[i], b.getInt64Ty()), b.getInt64(kPage - 1));
        readable = b.CreateICmpULE(in_page, b.getInt64(kPage - kBlock));
      }
      go = b.CreateAnd(go, readable);
    }
    b.CreateCondBr(go, load, rest);
    at->eraseFromParent();

    // Each header phi's step (the expander's counter among them), read before new edges into
    // the header change what SCEV sees.
    std::vector<std::pair<llvm::PHINode*, llvm::APInt>> steps;
    for (llvm::PHINode& phi : header->phis()) {
      if (&phi == found.budget || &phi == may_skip) continue;
      auto* rec = llvm::cast<llvm::SCEVAddRecExpr>(se_.getSCEV(&phi));
      steps.emplace_back(&phi, llvm::cast<llvm::SCEVConstant>(rec->getStepRecurrence(se_))->getAPInt());
    }

    // skip.load: both blocks, equal or not
    b.SetInsertPoint(load);
    auto* vector = llvm::FixedVectorType::get(b.getInt8Ty(), kBlock);
    Value* differ = b.CreateICmpNE(b.CreateAlignedLoad(vector, blocks[0], llvm::Align(1)),
                                   b.CreateAlignedLoad(vector, blocks[1], llvm::Align(1)));
    Value* differ_mask = b.CreateBitCast(differ, b.getIntNTy(kBlock), "skip.mask");
    b.CreateCondBr(b.CreateICmpNE(differ_mask, b.getIntN(kBlock, 0)), differ_at, take);

    // skip.differ: the first differing byte k; k = 0 is iteration j's own
    b.SetInsertPoint(differ_at);
    Value* equal_run = b.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, differ_mask, b.getTrue(), nullptr, "skip.equal");
    b.CreateCondBr(b.CreateICmpEQ(equal_run, b.getIntN(kBlock, 0)), rest, partial);

    // skip: the header of iteration j + 16; skip.partial: that of iteration j + k
    Advance advance{header, found, steps, may_skip};
    advance.from(b, take, b.getIntN(kBlock, kBlock), b.getTrue());
    advance.from(b, partial, equal_run, b.getFalse());

    dt_.addNewBlock(load, compare);
    dt_.addNewBlock(take, load);
    dt_.addNewBlock(differ_at, load);
    dt_.addNewBlock(partial, differ_at);
    // `rest` is now reached from `compare` and from skip.differ, which `compare` dominates.
    se_.forgetLoop(&loop);
    se_.forgetBlockAndLoopDispositions();
  }

  llvm::Function& f_;
  bool bounds_checked_;
  unsigned yield_kind_;
  llvm::LoopInfo& li_;
  llvm::DominatorTree& dt_;
  llvm::ScalarEvolution& se_;
  llvm::AssumptionCache& ac_;
};

class ByteComparePass : public llvm::PassInfoMixin<ByteComparePass> {
 public:
  explicit ByteComparePass(bool bounds_checked) : bounds_checked_(bounds_checked) {}

  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& fam) {
    if (!ByteCompare(f, fam, bounds_checked_).run()) return llvm::PreservedAnalyses::all();
    return llvm::PreservedAnalyses::none();
  }

 private:
  bool bounds_checked_;
};

}  // namespace

void registerByteCompare(llvm::PassBuilder& builder, bool bounds_checked) {
  builder.registerVectorizerStartEPCallback([bounds_checked](llvm::FunctionPassManager& passes, llvm::OptimizationLevel) {
    passes.addPass(ByteComparePass(bounds_checked));
  });
}

}  // namespace lunaticc
