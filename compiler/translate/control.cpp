// Control instructions (function.h): block, loop, if, br, br_if, br_table, return and
// unreachable, lowered to LLVM blocks with a slot per label that carries values.
#include "compiler/translate/function.h"

#include <llvm/IR/CFG.h>

#include <algorithm>
#include <map>

namespace lunaticc {

using llvm::BasicBlock;
using llvm::Value;

Value* FunctionTranslator::lowerBlock(BinaryenExpressionRef e) {
  const char* name = BinaryenBlockGetName(e);
  BinaryenType type = BinaryenExpressionGetType(e);
  BasicBlock* exit = name ? newBlock("block.end") : nullptr;
  llvm::AllocaInst* slot = name && hasValue(type) ? entryAlloca(typeOf(type), "block.value") : nullptr;
  if (name) labels_.push_back({name, exit, slot, loop_depth_});
  Value* last = nullptr;
  for (BinaryenIndex i = 0, n = BinaryenBlockGetNumChildren(e); i < n && !dead_ && error_.empty(); ++i) {
    last = lower(BinaryenBlockGetChildAt(e, i));
  }
  if (name) labels_.pop_back();
  if (!exit) return dead_ ? nullptr : last;
  if (!dead_) {
    if (slot) b_.CreateStore(last, slot);
    b_.CreateBr(exit);
  }
  return continueAt(exit, slot);
}

Value* FunctionTranslator::continueAt(BasicBlock* merge, llvm::AllocaInst* slot) {
  if (llvm::pred_empty(merge)) {
    merge->eraseFromParent();
    if (!dead_) startDeadCode();
    dead_ = true;
    return nullptr;
  }
  b_.SetInsertPoint(merge);
  dead_ = false;
  return slot ? b_.CreateLoad(slot->getAllocatedType(), slot) : nullptr;
}

Value* FunctionTranslator::lowerLoop(BinaryenExpressionRef e) {
  if (loop_depth_ == 0) reloadBudget();  // into a register for the loop (see calls.cpp)
  BasicBlock* header = newBlock("loop");
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  const char* name = BinaryenLoopGetName(e);
  ++loop_depth_;
  if (name) labels_.push_back({name, header, nullptr, loop_depth_});
  Value* value = lower(BinaryenLoopGetBody(e));
  if (name) labels_.pop_back();
  --loop_depth_;
  if (dead_) return nullptr;
  if (loop_depth_ == 0) flushBudget();
  return value;
}

// Where a branch to `label` goes: its target, or, when the branch leaves the outermost
// loop around it, a block on the way that first stores the budget back (a block of its
// own, so that the path that stays in the loop stores nothing).
BasicBlock* FunctionTranslator::branchTarget(const Label& label) {
  if (!budgetInRegister() || label.loop_depth > 0) return label.target;
  BasicBlock* here = b_.GetInsertBlock();
  BasicBlock* exit = newBlock("loop.exit");
  b_.SetInsertPoint(exit);
  flushBudget();
  b_.CreateBr(label.target);
  b_.SetInsertPoint(here);
  return exit;
}

Value* FunctionTranslator::lowerIf(BinaryenExpressionRef e) {
  Value* condition = lower(BinaryenIfGetCondition(e));
  if (dead_) return nullptr;
  BinaryenType type = BinaryenExpressionGetType(e);
  llvm::AllocaInst* slot = hasValue(type) ? entryAlloca(typeOf(type), "if.value") : nullptr;
  BasicBlock* then_block = newBlock("then");
  BasicBlock* else_block = newBlock("else");
  BasicBlock* merge = newBlock("if.end");
  b_.CreateCondBr(b_.CreateICmpNE(condition, b_.getInt32(0)), then_block, else_block);
  auto arm = [&](BasicBlock* block, BinaryenExpressionRef body) {
    b_.SetInsertPoint(block);
    dead_ = false;
    Value* value = body ? lower(body) : nullptr;
    if (dead_ || !error_.empty()) return;
    if (slot) b_.CreateStore(value, slot);
    b_.CreateBr(merge);
  };
  arm(then_block, BinaryenIfGetIfTrue(e));
  arm(else_block, BinaryenIfGetIfFalse(e));
  dead_ = true;  // both arms ended; the merge decides
  return continueAt(merge, slot);
}

Value* FunctionTranslator::lowerBreak(BinaryenExpressionRef e) {
  Value* value = nullptr;
  if (BinaryenExpressionRef v = BinaryenBreakGetValue(e)) {
    value = lower(v);
    if (dead_) return nullptr;
  }
  Value* condition = nullptr;
  if (BinaryenExpressionRef c = BinaryenBreakGetCondition(e)) {
    condition = lower(c);
    if (dead_) return nullptr;
  }
  // Looked up only now: lowering the operands may push labels and move the vector.
  const Label* label = findLabel(BinaryenBreakGetName(e));
  if (!label) return nullptr;
  if (label->slot && value) b_.CreateStore(value, label->slot);
  BasicBlock* target = branchTarget(*label);
  if (!condition) {
    b_.CreateBr(target);
    startDeadCode();
    return nullptr;
  }
  BasicBlock* next = newBlock("br_if.else");
  b_.CreateCondBr(b_.CreateICmpNE(condition, b_.getInt32(0)), target, next);
  b_.SetInsertPoint(next);
  return value;  // br_if passes its value on when it does not branch
}

Value* FunctionTranslator::lowerSwitch(BinaryenExpressionRef e) {
  Value* value = nullptr;
  if (BinaryenExpressionRef v = BinaryenSwitchGetValue(e)) {
    value = lower(v);
    if (dead_) return nullptr;
  }
  Value* index = lower(BinaryenSwitchGetCondition(e));
  if (dead_) return nullptr;
  const Label* fallback = findLabel(BinaryenSwitchGetDefaultName(e));
  if (!fallback) return nullptr;
  std::vector<const Label*> targets;
  for (BinaryenIndex i = 0, n = BinaryenSwitchGetNumNames(e); i < n; ++i) {
    const Label* target = findLabel(BinaryenSwitchGetNameAt(e, i));
    if (!target) return nullptr;
    targets.push_back(target);
  }
  if (value) {
    // Every possible target receives the value; only the taken one reads it.
    std::vector<llvm::AllocaInst*> stored;
    for (const Label* target : targets) {
      if (target->slot && std::find(stored.begin(), stored.end(), target->slot) == stored.end()) {
        b_.CreateStore(value, target->slot);
        stored.push_back(target->slot);
      }
    }
    if (fallback->slot && std::find(stored.begin(), stored.end(), fallback->slot) == stored.end()) {
      b_.CreateStore(value, fallback->slot);
    }
  }
  // One way out per label, however many entries name it.
  std::map<const Label*, BasicBlock*> ways;
  auto way = [&](const Label* label) {
    BasicBlock*& block = ways[label];
    if (!block) block = branchTarget(*label);
    return block;
  };
  llvm::SwitchInst* sw = b_.CreateSwitch(index, way(fallback), unsigned(targets.size()));
  for (size_t i = 0; i < targets.size(); ++i) sw->addCase(b_.getInt32(uint32_t(i)), way(targets[i]));
  startDeadCode();
  return nullptr;
}

Value* FunctionTranslator::lowerReturn(BinaryenExpressionRef e) {
  Value* value = nullptr;
  if (BinaryenExpressionRef v = BinaryenReturnGetValue(e)) {
    value = lower(v);
    if (dead_) return nullptr;
  }
  emitReturn(value);
  startDeadCode();
  return nullptr;
}

Value* FunctionTranslator::lowerUnreachable() {
  b_.CreateCall(t_.trapFunction(), {b_.getInt32(LUNATIC_TRAP_UNREACHABLE)});
  b_.CreateUnreachable();
  startDeadCode();
  return nullptr;
}

}  // namespace lunaticc
