// Calls (function.h): direct, indirect through a table, and to the runtime's helpers; and
// the reduction charges, which the reduction counting pass leaves as calls of its marker.
#include "compiler/translate/function.h"

#include <llvm/IR/MDBuilder.h>

#include "compiler/frontend/binaryen_ir.h"
#include "compiler/frontend/table_markers.h"
#include "passes/preemption/charges.h"

namespace lunaticc {

using llvm::BasicBlock;
using llvm::Value;

bool FunctionTranslator::lowerOperands(std::vector<Value*>& args, BinaryenIndex count,
                                       BinaryenExpressionRef (*operand)(BinaryenExpressionRef, BinaryenIndex),
                                       BinaryenExpressionRef e) {
  for (BinaryenIndex i = 0; i < count; ++i) {
    args.push_back(lower(operand(e, i)));
    if (dead_) return false;
  }
  return true;
}

bool FunctionTranslator::lowerOperands(std::vector<Value*>& args, std::initializer_list<BinaryenExpressionRef> operands) {
  for (BinaryenExpressionRef operand : operands) {
    args.push_back(lower(operand));
    if (dead_) return false;
  }
  return true;
}

Value* FunctionTranslator::callThrough(Value* func, llvm::FunctionType* type, std::vector<Value*> args) {
  Value* code = t_.loadField(b_, t_.ptr, func, offsetof(lunatic_func, code), true, "code");
  // A func object without an instance works on its caller's (abi.h): host functions, and
  // the func objects all processes of a module share.
  Value* callee = t_.loadField(b_, t_.ptr, func, offsetof(lunatic_func, instance), true, "callee.instance");
  args[0] = b_.CreateSelect(b_.CreateIsNull(callee), instance_, callee, "callee.instance.or.self");
  // notail, as for direct calls: a sibling call through a pointer becomes a jump, and
  // unbounded indirect recursion would then loop forever instead of exhausting the stack.
  return callingOut([&] {
    llvm::CallInst* call = b_.CreateCall(type, code, args);
    call->setTailCallKind(llvm::CallInst::TCK_NoTail);
    return call;
  });
}

// Loaded from the locals only now, after the operands: a call among them may have moved
// the memory (bounds-checked mode), and reloadMemory has then updated the locals.
void FunctionTranslator::passMemory(std::vector<Value*>& args, uint32_t callee) {
  std::vector<Value*> memory_values;
  if (t_.memory_arguments[callee] >= 1) memory_values.push_back(b_.CreateLoad(t_.ptr, memory_base_));
  if (t_.memory_arguments[callee] >= 2) memory_values.push_back(b_.CreateLoad(t_.i64, memory_size_));
  args.insert(args.begin() + 1, memory_values.begin(), memory_values.end());
}

Value* FunctionTranslator::lowerCall(BinaryenExpressionRef e) {
  if (BinaryenCallIsReturn(e)) {
    error_ = "unsupported: tail calls";
    return nullptr;
  }
  uint32_t index = functionIndex(BinaryenCallGetTarget(e));
  if (index == t_.reductions_marker) return chargeReductions(e);
  std::vector<Value*> args = {instance_};
  if (!lowerOperands(args, BinaryenCallGetNumOperands(e), BinaryenCallGetOperandAt, e)) return nullptr;
  if (const TableOpMarker* marker = findTableOpMarker(t_.info, index)) {
    return callingOut([&]() -> Value* {
      emitTableOpMarker(b_, *marker, instance_, llvm::ArrayRef<Value*>(args).drop_front());
      return nullptr;
    });
  }
  if (index >= t_.info.num_imported_functions) {
    // notail: LLVM would turn self-recursion into a loop, and then unbounded recursion
    // would hang instead of exhausting the stack as Wasm requires.
    passMemory(args, index);
    return callingOut([&] {
      llvm::CallInst* call = b_.CreateCall(t_.llvm_functions[index], args);
      call->setTailCallKind(llvm::CallInst::TCK_NoTail);
      return call;
    });
  }
  BinaryenFunctionRef callee = t_.functions[index];
  llvm::FunctionType* type = t_.functionType(BinaryenFunctionGetParams(callee), BinaryenFunctionGetResults(callee));
  return callThrough(t_.funcObject(b_, instance_, index), type, std::move(args));
}

Value* FunctionTranslator::lowerCallIndirect(BinaryenExpressionRef e) {
  if (BinaryenCallIndirectIsReturn(e)) {
    error_ = "unsupported: tail calls";
    return nullptr;
  }
  std::vector<Value*> args = {instance_};
  if (!lowerOperands(args, BinaryenCallIndirectGetNumOperands(e), BinaryenCallIndirectGetOperandAt, e)) {
    return nullptr;
  }
  Value* element = lower(BinaryenCallIndirectGetTarget(e));
  if (dead_) return nullptr;
  BinaryenType params = BinaryenCallIndirectGetParams(e), results = BinaryenCallIndirectGetResults(e);
  uint32_t signature = t_.internSignature(params, results);
  Value* table = tableObject(tableIndex(BinaryenCallIndirectGetTable(e)));
  Value* size = t_.loadField(b_, t_.i32, table, offsetof(lunatic_table, size), false, "table.size");
  trapIf(b_.CreateICmpUGE(element, size), LUNATIC_TRAP_UNDEFINED_ELEMENT);
  Value* func = b_.CreateLoad(t_.ptr, tableSlot(table, element), "func");
  trapIf(b_.CreateIsNull(func), LUNATIC_TRAP_UNINITIALIZED_ELEMENT);
  Value* type_id = t_.loadField(b_, t_.i32, func, offsetof(lunatic_func, type_id), true, "type.id");
  Value* type_ids = t_.loadInstanceField(b_, instance_, offsetof(lunatic_instance, type_ids), "type.ids");
  Value* expected = t_.loadField(b_, t_.i32, type_ids, size_t(signature) * 4, true, "expected.type");
  trapIf(b_.CreateICmpNE(type_id, expected), LUNATIC_TRAP_INDIRECT_CALL_TYPE_MISMATCH);
  return callThrough(func, t_.functionType(params, results), std::move(args));
}

Value* FunctionTranslator::runtimeCall(const char* name, std::vector<Value*> immediates,
                                       std::initializer_list<BinaryenExpressionRef> operands) {
  std::vector<Value*> args = {instance_};
  args.insert(args.end(), immediates.begin(), immediates.end());
  if (!lowerOperands(args, operands)) return nullptr;
  std::vector<llvm::Type*> types;
  for (Value* arg : args) types.push_back(arg->getType());
  return callingOut([&]() -> Value* {
    b_.CreateCall(t_.runtime(name, t_.void_type, types), args);
    return nullptr;
  });
}

// --- Reduction counting ---
//
// Within loops, the function keeps the instance's reductions_left in a local (`budget_`,
// a register once mem2reg has run) between the points where other code may see or change
// it: it is loaded before the outermost loop and after every call in a loop that leaves
// the function, and stored before every such call and wherever control leaves the
// outermost loop (falling out of it, branching out, returning). A loop's charge is then a
// subtraction and a branch on a register, not a read-modify-write of memory, whose
// store-to-load latency would chain the iterations. Outside loops a charge reads and
// writes the instance itself: a register held from entry to return would cost every call
// of the function a load, a store and, through the pressure of one more live value,
// saved registers. Traps leave it unstored: the runtime unwinds past this frame anyway.

Value* FunctionTranslator::budgetField() {
  return b_.CreateConstInBoundsGEP1_64(t_.i8, instance_, offsetof(lunatic_instance, reductions_left));
}

void FunctionTranslator::flushBudget() {
  if (!budget_) return;
  t_.tagReductions(b_.CreateStore(b_.CreateLoad(t_.i64, budget_), budgetField()));
}

void FunctionTranslator::reloadBudget() {
  if (!budget_) return;
  llvm::LoadInst* left = b_.CreateLoad(t_.i64, budgetField(), "reductions.left");
  t_.tagReductions(left);
  b_.CreateStore(left, budget_);
}

// A call of the reduction counting pass's marker (passes/preemption/reductions.h), inline:
//   r = self->reductions_left - cost; self->reductions_left = r; if (r < 0) lunatic_yield(self);
// with reductions_left kept in budget_ as described above. lunatic_yield leaves the
// memory as it was (abi.h), so its base and size are not read again after it.
Value* FunctionTranslator::chargeReductions(BinaryenExpressionRef e) {
  BinaryenExpressionRef cost = BinaryenCallGetNumOperands(e) == 1 ? BinaryenCallGetOperandAt(e, 0) : nullptr;
  if (!budget_ || !cost || BinaryenExpressionGetId(cost) != expressionIds().Const ||
      BinaryenExpressionGetType(cost) != BinaryenTypeInt32()) {
    error_ = "internal error: a reduction charge without a constant cost";
    return nullptr;
  }
  bool in_register = budgetInRegister();
  llvm::LoadInst* left = in_register ? b_.CreateLoad(t_.i64, budget_) : b_.CreateLoad(t_.i64, budgetField());
  if (!in_register) t_.tagReductions(left);
  Value* rest = b_.CreateSub(left, b_.getInt64(int64_t(BinaryenConstGetValueI32(cost))), "reductions.rest");
  if (in_register) {
    b_.CreateStore(rest, budget_);
  } else {
    t_.tagReductions(b_.CreateStore(rest, budgetField()));
  }
  BasicBlock* yield = newBlock("yield");
  BasicBlock* next = newBlock("run");
  llvm::MDBuilder md(t_.context);
  b_.CreateCondBr(b_.CreateICmpSLT(rest, b_.getInt64(0)), yield, next, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(yield);
  callingOut([&] {
    // Marked, so that the passes that optimise charges find it (passes/preemption/charges.h).
    llvm::CallInst* call = b_.CreateCall(t_.yieldFunction(), {instance_});
    call->setMetadata(kReductionsYieldMetadata, llvm::MDNode::get(t_.context, {}));
    return call;
  }, /*keeps_memory=*/true);
  b_.CreateBr(next);
  b_.SetInsertPoint(next);
  return nullptr;
}

}  // namespace lunaticc
