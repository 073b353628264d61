// The function translator's core (function.h): the walk over a body, the expression
// dispatcher that hands each instruction to its family's lowering, and the instructions on
// locals, globals and tuples, and the parametric ones (select, drop).
#include "compiler/translate/function.h"

#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include <cstring>

#include "compiler/frontend/binaryen_ir.h"

namespace lunaticc {

using llvm::BasicBlock;
using llvm::Value;

std::string FunctionTranslator::run() {
  BasicBlock* entry = BasicBlock::Create(t_.context, "entry", fn_);
  b_.SetInsertPoint(entry);
  if (t_.debug) {
    b_.SetCurrentDebugLocation(t_.debug->beginFunction(fn_));
  }
  instance_ = fn_->getArg(0);
  checkStack();
  declareLocals();
  if (t_.reductions_marker) budget_ = entryAlloca(t_.i64, "budget");
  if (!t_.info.memories.empty()) {
    memory_base_ = entryAlloca(t_.ptr, "memory.base.local");
    if (!guardPages()) memory_size_ = entryAlloca(t_.i64, "memory.size.local");
    if (t_.memory_arguments[index_] == 0) {
      reloadMemory();
    } else {
      b_.CreateStore(fn_->getArg(1), memory_base_);
      if (memory_size_) b_.CreateStore(fn_->getArg(2), memory_size_);
    }
  }
  Value* result = lower(BinaryenFunctionGetBody(wasm_));
  if (error_.empty() && !dead_) emitReturn(result);
  // Blocks left open are unreachable (code after a branch, or merges nothing reaches).
  for (BasicBlock& block : *fn_) {
    if (!block.getTerminator()) {
      b_.SetInsertPoint(&block);
      b_.CreateUnreachable();
    }
  }
  return error_;
}

// --- Basics ---

llvm::AllocaInst* FunctionTranslator::entryAlloca(llvm::Type* type, const llvm::Twine& name) {
  llvm::IRBuilder<> at(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  return at.CreateAlloca(type, nullptr, name);
}

void FunctionTranslator::startDeadCode() {
  b_.SetInsertPoint(newBlock("dead"));
  dead_ = true;
}

void FunctionTranslator::trapIf(Value* condition, uint32_t kind) {
  BasicBlock*& trap = trap_blocks_[kind];
  if (!trap) {
    trap = newBlock("trap");
    llvm::IRBuilder<> tb(trap);
    // The check's location: a trap's backtrace then knows the line and the functions
    // inlined there.
    tb.SetCurrentDebugLocation(b_.getCurrentDebugLocation());
    tb.CreateCall(t_.trapFunction(), {tb.getInt32(kind)});
    tb.CreateUnreachable();
  } else {
    // Checks of one kind share the block, so its location must hold for each of them: where
    // they differ, the merged location keeps only what they have in common (line 0, the
    // common inlining chain), so a backtrace shows less rather than another check's line.
    llvm::Instruction& call = trap->front();
    call.setDebugLoc(llvm::DILocation::getMergedLocation(call.getDebugLoc().get(),
                                                         b_.getCurrentDebugLocation().get()));
  }
  BasicBlock* next = newBlock("ok");
  llvm::MDBuilder md(t_.context);
  b_.CreateCondBr(condition, trap, next, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(next);
}

// The entry half of the stack check (abi.h): the frame pointer against the limit. A frame
// too large for the stack's overreach was checked whole by lunatic_stack_probe before
// the prologue allocated it (setCodeAttributes).
void FunctionTranslator::checkStack() {
  Value* frame = b_.CreateIntrinsic(llvm::Intrinsic::frameaddress, {t_.ptr}, {b_.getInt32(0)});
  // Per instance (abi.h): a process keeps its stack, and so its limit, when it moves to
  // another thread, so generated code reads no thread-local.
  Value* limit = t_.loadField(b_, t_.i64, instance_, offsetof(lunatic_instance, stack_limit), true,
                              "stack.limit");
  trapIf(b_.CreateICmpULT(b_.CreatePtrToInt(frame, t_.i64), limit), LUNATIC_TRAP_STACK_EXHAUSTED);
}

void FunctionTranslator::declareLocals() {
  BinaryenType params = BinaryenFunctionGetParams(wasm_);
  uint32_t num_params = params == BinaryenTypeNone() ? 0 : BinaryenTypeArity(params);
  std::vector<Value*> initial;
  for (uint32_t i = 0; i < num_params; ++i) {
    initial.push_back(fn_->getArg(1 + t_.memory_arguments[index_] + i));
  }
  for (BinaryenIndex i = 0, n = BinaryenFunctionGetNumVars(wasm_); i < n; ++i) {
    initial.push_back(llvm::Constant::getNullValue(typeOf(BinaryenFunctionGetVar(wasm_, i))));  // Wasm locals start at zero
  }
  for (Value* value : initial) {
    llvm::AllocaInst* slot = entryAlloca(value->getType(), "local");
    b_.CreateStore(value, slot);
    locals_.push_back(slot);
  }
  if (t_.debug) {
    t_.debug->describeVariables(index_ - t_.info.num_imported_functions, locals_, initial,
                                BinaryenFunctionGetBody(wasm_), &fn_->getEntryBlock(), b_.GetInsertBlock());
  }
}

void FunctionTranslator::emitReturn(Value* value) {
  if (budgetInRegister()) flushBudget();
  if (fn_->getReturnType()->isVoidTy()) {
    b_.CreateRetVoid();
  } else {
    b_.CreateRet(value);
  }
}

const FunctionTranslator::Label* FunctionTranslator::findLabel(const char* name) {
  for (auto it = labels_.rbegin(); it != labels_.rend(); ++it) {
    if (std::strcmp(it->name, name) == 0) return &*it;
  }
  error_ = std::string("internal error: unknown label ") + name;
  return nullptr;
}

Value* FunctionTranslator::unsupported(const std::string& what) {
  if (error_.empty()) error_ = "unsupported " + what + " in function " + BinaryenFunctionGetName(wasm_);
  dead_ = true;
  return nullptr;
}

// --- The expression dispatcher ---

Value* FunctionTranslator::lower(BinaryenExpressionRef e) {
  if (!error_.empty() || dead_) return nullptr;
  if (!t_.debug) return dispatch(e);
  llvm::DILocation* here = t_.debug->locationOf(e);
  // Operands set their own; what `e` itself emits after them gets its location back.
  llvm::DebugLoc outer = b_.getCurrentDebugLocation();
  if (here) b_.SetCurrentDebugLocation(here);
  Value* value = dispatch(e);
  if (here) b_.SetCurrentDebugLocation(outer);
  t_.debug->afterExpression(e, b_.GetInsertBlock());
  return value;
}

Value* FunctionTranslator::dispatch(BinaryenExpressionRef e) {
  const ExpressionIds& id = expressionIds();
  BinaryenExpressionId kind = BinaryenExpressionGetId(e);
  if (kind == id.Block) return lowerBlock(e);
  if (kind == id.Loop) return lowerLoop(e);
  if (kind == id.If) return lowerIf(e);
  if (kind == id.Break) return lowerBreak(e);
  if (kind == id.Switch) return lowerSwitch(e);
  if (kind == id.Call) return lowerCall(e);
  if (kind == id.CallIndirect) return lowerCallIndirect(e);
  if (kind == id.Load) return lowerLoad(e);
  if (kind == id.Store) return lowerStore(e);
  if (kind == id.Nop) return nullptr;
  if (kind == id.Unreachable) return lowerUnreachable();
  if (kind == id.Return) return lowerReturn(e);
  if (kind == id.LocalGet) return lowerLocalGet(e);
  if (kind == id.LocalSet) return lowerLocalSet(e);
  if (kind == id.GlobalGet) return lowerGlobalGet(e);
  if (kind == id.GlobalSet) return lowerGlobalSet(e);
  if (kind == id.Const) return lowerConst(e);
  if (kind == id.Unary) return lowerUnary(e);
  if (kind == id.Binary) return lowerBinary(e);
  if (kind == id.Select) return lowerSelect(e);
  if (kind == id.Drop) return lowerDrop(e);
  if (kind == id.MemorySize) return lowerMemorySize();
  if (kind == id.MemoryGrow) return lowerMemoryGrow(e);
  if (kind == id.MemoryInit) return lowerMemoryInit(e);
  if (kind == id.DataDrop) return lowerDataDrop(e);
  if (kind == id.MemoryCopy) return lowerMemoryCopy(e);
  if (kind == id.MemoryFill) return lowerMemoryFill(e);
  if (kind == id.RefNull) return lowerRefNull();
  if (kind == id.RefIs) return lowerRefIs(e);
  if (kind == id.RefFunc) return lowerRefFunc(e);
  if (kind == id.TableGet) return lowerTableGet(e);
  if (kind == id.TableSet) return lowerTableSet(e);
  if (kind == id.TableSize) return lowerTableSize(e);
  if (kind == id.TableGrow) return lowerTableGrow(e);
  if (kind == id.TupleMake) return lowerTupleMake(e);
  if (kind == id.TupleExtract) return lowerTupleExtract(e);
  return lowerSimd(e, kind);
}

// --- Locals, globals, parametric instructions and tuples ---

Value* FunctionTranslator::lowerLocalGet(BinaryenExpressionRef e) {
  llvm::AllocaInst* slot = locals_[BinaryenLocalGetGetIndex(e)];
  return b_.CreateLoad(slot->getAllocatedType(), slot);
}

Value* FunctionTranslator::lowerLocalSet(BinaryenExpressionRef e) {
  Value* value = lower(BinaryenLocalSetGetValue(e));
  if (dead_) return nullptr;
  b_.CreateStore(value, locals_[BinaryenLocalSetGetIndex(e)]);
  if (t_.debug) t_.debug->afterLocalSet(e, BinaryenLocalSetGetIndex(e), value, b_.GetInsertBlock());
  return BinaryenLocalSetIsTee(e) ? value : nullptr;
}

Value* FunctionTranslator::lowerGlobalGet(BinaryenExpressionRef e) {
  uint32_t index = globalIndex(BinaryenGlobalGetGetName(e));
  return t_.loadGlobal(b_, instance_, index, typeOf(BinaryenExpressionGetType(e)));
}

Value* FunctionTranslator::lowerGlobalSet(BinaryenExpressionRef e) {
  Value* value = lower(BinaryenGlobalSetGetValue(e));
  if (dead_) return nullptr;
  t_.storeGlobal(b_, instance_, globalIndex(BinaryenGlobalSetGetName(e)), value);
  return nullptr;
}

Value* FunctionTranslator::lowerSelect(BinaryenExpressionRef e) {
  Value* a = lower(BinaryenSelectGetIfTrue(e));
  if (dead_) return nullptr;
  Value* c = lower(BinaryenSelectGetIfFalse(e));
  if (dead_) return nullptr;
  Value* condition = lower(BinaryenSelectGetCondition(e));
  if (dead_) return nullptr;
  return b_.CreateSelect(b_.CreateICmpNE(condition, b_.getInt32(0)), a, c);
}

Value* FunctionTranslator::lowerDrop(BinaryenExpressionRef e) {
  BinaryenExpressionRef value = BinaryenDropGetValue(e);
  if (t_.options.memory_mode == LUNATIC_MEMORY_GUARD_PAGES) markUnusedLoads(value);
  lower(value);
  return nullptr;
}

Value* FunctionTranslator::lowerTupleMake(BinaryenExpressionRef e) {
  std::vector<Value*> parts;
  if (!lowerOperands(parts, BinaryenTupleMakeGetNumOperands(e), BinaryenTupleMakeGetOperandAt, e)) return nullptr;
  Value* tuple = llvm::UndefValue::get(typeOf(BinaryenExpressionGetType(e)));
  for (unsigned i = 0; i < parts.size(); ++i) tuple = b_.CreateInsertValue(tuple, parts[i], i);
  return tuple;
}

Value* FunctionTranslator::lowerTupleExtract(BinaryenExpressionRef e) {
  Value* tuple = lower(BinaryenTupleExtractGetTuple(e));
  if (dead_) return nullptr;
  return b_.CreateExtractValue(tuple, BinaryenTupleExtractGetIndex(e));
}

std::string translateFunctionBody(ModuleTranslation& translation, uint32_t index) {
  return FunctionTranslator(translation, index).run();
}

}  // namespace lunaticc
