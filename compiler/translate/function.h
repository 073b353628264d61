// The function-level half of the translator: a Wasm function body (Binaryen's expression
// tree) to LLVM IR. Locals live in allocas that mem2reg promotes; every label gets an LLVM
// block and, if values flow to it, an alloca slot for them. Code after an instruction that
// never falls through (br, return, unreachable) is not lowered: `dead_` marks that state.
//
// One class, its lowerings defined by instruction family: function.cpp (the dispatcher,
// locals, globals, parametric and tuple instructions), control.cpp, calls.cpp (with the
// reduction charges), memory.cpp, tables.cpp (with references), numeric.cpp and simd.cpp.
// Private to compiler/translate/: the rest of the compiler calls translateFunctionBody
// (context.h).
#pragma once

#include <binaryen-c.h>
#include <llvm/IR/IRBuilder.h>

#include <initializer_list>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "compiler/translate/context.h"
#include "compiler/translate/numeric.h"

namespace lunaticc {

class FunctionTranslator {
 public:
  FunctionTranslator(ModuleTranslation& t, uint32_t index)
      : t_(t), index_(index), wasm_(t.functions[index]), fn_(t.llvm_functions[index]), b_(t.context) {}

  // Lowers the whole body; an error line for unsupported constructs, else empty.
  std::string run();

 private:
  using BasicBlock = llvm::BasicBlock;
  using Value = llvm::Value;

  struct Label {
    const char* name;
    BasicBlock* target;
    llvm::AllocaInst* slot;  // where the values carried by branches go, or null
    unsigned loop_depth;     // how many loops hold the label's target
  };

  // --- Basics (function.cpp) ---

  llvm::Type* typeOf(BinaryenType type) {
    return BinaryenTypeArity(type) > 1 ? t_.resultType(type) : t_.valueType(type);
  }
  bool hasValue(BinaryenType type) { return type != BinaryenTypeNone() && type != BinaryenTypeUnreachable(); }
  llvm::AllocaInst* entryAlloca(llvm::Type* type, const llvm::Twine& name);
  BasicBlock* newBlock(const llvm::Twine& name) { return BasicBlock::Create(t_.context, name, fn_); }
  // After an instruction that never falls through: continue in a block nothing reaches.
  void startDeadCode();
  void trapIf(Value* condition, uint32_t kind);
  TrapIf trapper() {
    return [this](Value* condition, uint32_t kind) { trapIf(condition, kind); };
  }
  void checkStack();
  void declareLocals();
  void emitReturn(Value* value);
  const Label* findLabel(const char* name);
  uint32_t functionIndex(const char* name) { return t_.function_index.at(name); }
  uint32_t globalIndex(const char* name) { return t_.global_index.at(name); }
  uint32_t tableIndex(const char* name) { return t_.table_index.at(name); }
  Value* unsupported(const std::string& what);

  // The expression dispatcher, and the instructions on locals, globals and tuples. `lower`
  // gives the code of `e` its debug location, `dispatch` lowers it.
  Value* lower(BinaryenExpressionRef e);
  Value* dispatch(BinaryenExpressionRef e);
  Value* lowerLocalGet(BinaryenExpressionRef e);
  Value* lowerLocalSet(BinaryenExpressionRef e);
  Value* lowerGlobalGet(BinaryenExpressionRef e);
  Value* lowerGlobalSet(BinaryenExpressionRef e);
  Value* lowerSelect(BinaryenExpressionRef e);
  Value* lowerDrop(BinaryenExpressionRef e);
  Value* lowerTupleMake(BinaryenExpressionRef e);
  Value* lowerTupleExtract(BinaryenExpressionRef e);

  // --- Control flow (control.cpp) ---

  Value* lowerBlock(BinaryenExpressionRef e);
  // Continues after a construct whose end is `merge`: reachable if anything branches there.
  Value* continueAt(BasicBlock* merge, llvm::AllocaInst* slot);
  Value* lowerLoop(BinaryenExpressionRef e);
  BasicBlock* branchTarget(const Label& label);
  Value* lowerIf(BinaryenExpressionRef e);
  Value* lowerBreak(BinaryenExpressionRef e);
  Value* lowerSwitch(BinaryenExpressionRef e);
  Value* lowerReturn(BinaryenExpressionRef e);
  Value* lowerUnreachable();

  // --- Calls and reduction charges (calls.cpp) ---

  bool lowerOperands(std::vector<Value*>& args, BinaryenIndex count,
                     BinaryenExpressionRef (*operand)(BinaryenExpressionRef, BinaryenIndex),
                     BinaryenExpressionRef e);
  // `operands` lowered in order onto `args`; false (the rest unreachable) once one is dead.
  bool lowerOperands(std::vector<Value*>& args, std::initializer_list<BinaryenExpressionRef> operands);
  Value* callThrough(Value* func, llvm::FunctionType* type, std::vector<Value*> args);
  // Inserts after the instance in `args` the memory values defined function `callee` takes
  // (ModuleTranslation::memory_arguments).
  void passMemory(std::vector<Value*>& args, uint32_t callee);
  Value* lowerCall(BinaryenExpressionRef e);
  Value* lowerCallIndirect(BinaryenExpressionRef e);
  // Calls a runtime helper with the instance, `immediates`, then `operands` lowered in order.
  Value* runtimeCall(const char* name, std::vector<Value*> immediates,
                     std::initializer_list<BinaryenExpressionRef> operands);
  bool budgetInRegister() const { return budget_ && (loop_depth_ > 0); }
  Value* budgetField();
  void flushBudget();
  void reloadBudget();
  Value* chargeReductions(BinaryenExpressionRef e);

  // Emits a call that leaves the function (to Wasm code, a host function or a runtime
  // helper), with the budget in the instance during it; in bounds-checked mode the memory's
  // base and size are read again after it unless the callee keeps them (`keeps_memory`).
  template <typename EmitCall>
  Value* callingOut(EmitCall emit, bool keeps_memory = false) {
    bool in_register = budgetInRegister();
    if (in_register) flushBudget();
    Value* result = emit();
    if (in_register) reloadBudget();
    if (!guardPages() && !keeps_memory) reloadMemory();
    return result;
  }

  // --- Linear memory (memory.cpp) ---

  Value* memory();
  bool guardPages() const { return t_.options.memory_mode == LUNATIC_MEMORY_GUARD_PAGES; }
  void reloadMemory();
  Value* loadMemorySize(Value* mem);
  Value* effectiveAddress(Value* address, uint64_t offset, unsigned bytes);
  Value* memorySizeInBytes();
  Value* checkedRange(Value* address, Value* length, Value* size);
  void markUnusedLoads(BinaryenExpressionRef e);
  Value* lowerLoad(BinaryenExpressionRef e);
  Value* lowerStore(BinaryenExpressionRef e);
  Value* lowerMemorySize();
  Value* lowerMemoryGrow(BinaryenExpressionRef e);
  Value* lowerMemoryInit(BinaryenExpressionRef e);
  Value* lowerDataDrop(BinaryenExpressionRef e);
  Value* lowerMemoryCopy(BinaryenExpressionRef e);
  Value* lowerMemoryFill(BinaryenExpressionRef e);

  // --- Tables and references (tables.cpp) ---

  Value* tableObject(uint32_t index);
  Value* tableSlot(Value* table, Value* element);
  Value* checkedTableSlot(uint32_t table_index, Value* element);
  Value* lowerTableGet(BinaryenExpressionRef e);
  Value* lowerTableSet(BinaryenExpressionRef e);
  Value* lowerTableSize(BinaryenExpressionRef e);
  Value* lowerTableGrow(BinaryenExpressionRef e);
  Value* lowerRefNull();
  Value* lowerRefIs(BinaryenExpressionRef e);
  Value* lowerRefFunc(BinaryenExpressionRef e);

  // --- Numeric instructions (numeric.cpp) ---

  Value* lowerConst(BinaryenExpressionRef e);
  Value* lowerUnary(BinaryenExpressionRef e);
  Value* lowerBinary(BinaryenExpressionRef e);

  // --- SIMD instructions other than unary and binary operators (simd.cpp) ---

  Value* lowerSimd(BinaryenExpressionRef e, BinaryenExpressionId kind);

  ModuleTranslation& t_;
  uint32_t index_;
  BinaryenFunctionRef wasm_;
  llvm::Function* fn_;
  llvm::IRBuilder<> b_;
  Value* instance_ = nullptr;
  std::vector<llvm::AllocaInst*> locals_;
  llvm::AllocaInst* budget_ = nullptr;  // reductions_left in loops; null without the pass
  unsigned loop_depth_ = 0;             // how many loops hold the code being lowered
  llvm::AllocaInst* memory_base_ = nullptr;  // see reloadMemory; null without a memory
  llvm::AllocaInst* memory_size_ = nullptr;  // likewise, bounds-checked mode only
  std::vector<Label> labels_;
  std::map<uint32_t, BasicBlock*> trap_blocks_;
  std::unordered_set<BinaryenExpressionRef> unused_loads_;  // see markUnusedLoads
  bool dead_ = false;
  std::string error_;
};

}  // namespace lunaticc
