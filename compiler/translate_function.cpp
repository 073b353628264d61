// The function-level half of the translator: a Wasm function body (Binaryen's expression
// tree) to LLVM IR. Locals live in allocas that mem2reg promotes; every label gets an LLVM
// block and, if values flow to it, an alloca slot for them. Code after an instruction that
// never falls through (br, return, unreachable) is not lowered: `dead_` marks that state.
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include <cstring>
#include <map>
#include <unordered_set>

#include "charges.h"
#include "simd.h"
#include "table_markers.h"
#include "translate_context.h"
#include "translate_numeric.h"

namespace lunaticc {
namespace {

using llvm::BasicBlock;
using llvm::Value;

// Binaryen's expression ids are functions, not constants; read them once.
struct ExpressionIds {
  BinaryenExpressionId Nop = BinaryenNopId(), Block = BinaryenBlockId(), If = BinaryenIfId(),
      Loop = BinaryenLoopId(), Break = BinaryenBreakId(), Switch = BinaryenSwitchId(),
      Call = BinaryenCallId(), CallIndirect = BinaryenCallIndirectId(), LocalGet = BinaryenLocalGetId(),
      LocalSet = BinaryenLocalSetId(), GlobalGet = BinaryenGlobalGetId(), GlobalSet = BinaryenGlobalSetId(),
      Load = BinaryenLoadId(), Store = BinaryenStoreId(), Const = BinaryenConstId(), Unary = BinaryenUnaryId(),
      Binary = BinaryenBinaryId(), Select = BinaryenSelectId(), Drop = BinaryenDropId(),
      Return = BinaryenReturnId(), MemorySize = BinaryenMemorySizeId(), MemoryGrow = BinaryenMemoryGrowId(),
      Unreachable = BinaryenUnreachableId(), SIMDExtract = BinaryenSIMDExtractId(),
      SIMDReplace = BinaryenSIMDReplaceId(), SIMDShuffle = BinaryenSIMDShuffleId(),
      SIMDTernary = BinaryenSIMDTernaryId(), SIMDShift = BinaryenSIMDShiftId(), SIMDLoad = BinaryenSIMDLoadId(),
      SIMDLoadStoreLane = BinaryenSIMDLoadStoreLaneId(), MemoryInit = BinaryenMemoryInitId(),
      DataDrop = BinaryenDataDropId(), MemoryCopy = BinaryenMemoryCopyId(), MemoryFill = BinaryenMemoryFillId(),
      RefNull = BinaryenRefNullId(), RefIs = BinaryenRefIsId(), RefFunc = BinaryenRefFuncId(),
      TableGet = BinaryenTableGetId(), TableSet = BinaryenTableSetId(), TableSize = BinaryenTableSizeId(),
      TableGrow = BinaryenTableGrowId(), TupleMake = BinaryenTupleMakeId(),
      TupleExtract = BinaryenTupleExtractId();
};

const ExpressionIds& ids() {
  static const ExpressionIds table;
  return table;
}

// Binaryen's class name of an expression kind ("AtomicRMW", "Try"...), for error messages.
std::string expressionKindName(BinaryenExpressionId kind) {
  static const std::map<BinaryenExpressionId, const char*> names = [] {
    std::map<BinaryenExpressionId, const char*> m;
#define DELEGATE(CLASS_TO_VISIT) m[Binaryen##CLASS_TO_VISIT##Id()] = #CLASS_TO_VISIT;
#include <wasm-delegations.def>
    return m;
  }();
  auto it = names.find(kind);
  return it == names.end() ? "expression kind " + std::to_string(kind) : it->second;
}

// The float operations LLVM may fold to an operand when the other one is a constant.
bool isFloatArithmetic(BinaryenOp op) {
  static const BinaryenOp ops[] = {BinaryenAddFloat32(), BinaryenSubFloat32(), BinaryenMulFloat32(),
                                   BinaryenDivFloat32(), BinaryenAddFloat64(), BinaryenSubFloat64(),
                                   BinaryenMulFloat64(), BinaryenDivFloat64()};
  return std::find(std::begin(ops), std::end(ops), op) != std::end(ops);
}

class FunctionTranslator {
 public:
  FunctionTranslator(ModuleTranslation& t, uint32_t index)
      : t_(t), wasm_(t.functions[index]), fn_(t.llvm_functions[index]), b_(t.context) {}

  std::string run() {
    BasicBlock* entry = BasicBlock::Create(t_.context, "entry", fn_);
    b_.SetInsertPoint(entry);
    instance_ = fn_->getArg(0);
    checkStack();
    declareLocals();
    if (t_.reductions_marker) budget_ = entryAlloca(t_.i64, "budget");
    if (!t_.info.memories.empty()) {
      memory_base_ = entryAlloca(t_.ptr, "memory.base.local");
      if (!guardPages()) memory_size_ = entryAlloca(t_.i64, "memory.size.local");
      reloadMemory();
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

 private:
  struct Label {
    const char* name;
    BasicBlock* target;
    llvm::AllocaInst* slot;  // where the values carried by branches go, or null
    unsigned loop_depth;     // how many loops hold the label's target
  };

  // --- Basics ---

  llvm::Type* typeOf(BinaryenType type) {
    return BinaryenTypeArity(type) > 1 ? t_.resultType(type) : t_.valueType(type);
  }
  bool hasValue(BinaryenType type) { return type != BinaryenTypeNone() && type != BinaryenTypeUnreachable(); }

  llvm::AllocaInst* entryAlloca(llvm::Type* type, const llvm::Twine& name) {
    llvm::IRBuilder<> at(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    return at.CreateAlloca(type, nullptr, name);
  }

  BasicBlock* newBlock(const llvm::Twine& name) { return BasicBlock::Create(t_.context, name, fn_); }

  // After an instruction that never falls through: continue in a block nothing reaches.
  void startDeadCode() {
    b_.SetInsertPoint(newBlock("dead"));
    dead_ = true;
  }

  void trapIf(Value* condition, uint32_t kind) {
    BasicBlock*& trap = trap_blocks_[kind];
    if (!trap) {
      trap = newBlock("trap");
      llvm::IRBuilder<> tb(trap);
      tb.CreateCall(t_.trapFunction(), {tb.getInt32(kind)});
      tb.CreateUnreachable();
    }
    BasicBlock* next = newBlock("ok");
    llvm::MDBuilder md(t_.context);
    b_.CreateCondBr(condition, trap, next, md.createBranchWeights(1, 1 << 20));
    b_.SetInsertPoint(next);
  }

  TrapIf trapper() {
    return [this](Value* condition, uint32_t kind) { trapIf(condition, kind); };
  }

  // The entry half of the stack check (abi.h): the frame pointer against the limit. A frame
  // too large for the stack's overreach was checked whole by lunatic_stack_probe before
  // the prologue allocated it (setCodeAttributes).
  void checkStack() {
    Value* frame = b_.CreateIntrinsic(llvm::Intrinsic::frameaddress, {t_.ptr}, {b_.getInt32(0)});
    // Per instance (abi.h): a process keeps its stack, and so its limit, when it moves to
    // another thread, so generated code reads no thread-local.
    Value* limit = t_.loadField(b_, t_.i64, instance_, offsetof(lunatic_instance, stack_limit), true,
                                "stack.limit");
    trapIf(b_.CreateICmpULT(b_.CreatePtrToInt(frame, t_.i64), limit), LUNATIC_TRAP_STACK_EXHAUSTED);
  }

  void declareLocals() {
    BinaryenType params = BinaryenFunctionGetParams(wasm_);
    uint32_t num_params = params == BinaryenTypeNone() ? 0 : BinaryenTypeArity(params);
    for (uint32_t i = 0; i < num_params; ++i) {
      Value* arg = fn_->getArg(i + 1);
      llvm::AllocaInst* slot = entryAlloca(arg->getType(), "local");
      b_.CreateStore(arg, slot);
      locals_.push_back(slot);
    }
    for (BinaryenIndex i = 0, n = BinaryenFunctionGetNumVars(wasm_); i < n; ++i) {
      llvm::Type* type = typeOf(BinaryenFunctionGetVar(wasm_, i));
      llvm::AllocaInst* slot = entryAlloca(type, "local");
      b_.CreateStore(llvm::Constant::getNullValue(type), slot);  // Wasm locals start at zero
      locals_.push_back(slot);
    }
  }

  void emitReturn(Value* value) {
    if (budgetInRegister()) flushBudget();
    if (fn_->getReturnType()->isVoidTy()) {
      b_.CreateRetVoid();
    } else {
      b_.CreateRet(value);
    }
  }

  const Label* findLabel(const char* name) {
    for (auto it = labels_.rbegin(); it != labels_.rend(); ++it) {
      if (std::strcmp(it->name, name) == 0) return &*it;
    }
    error_ = std::string("internal error: unknown label ") + name;
    return nullptr;
  }

  uint32_t functionIndex(const char* name) { return t_.function_index.at(name); }
  uint32_t globalIndex(const char* name) { return t_.global_index.at(name); }
  uint32_t tableIndex(const char* name) { return t_.table_index.at(name); }

  // --- Linear memory ---

  Value* memory() { return t_.loadInstanceField(b_, instance_, offsetof(lunatic_instance, memory), "memory"); }
  bool guardPages() const { return t_.options.memory_mode == LUNATIC_MEMORY_GUARD_PAGES; }

  // The function keeps memory 0's base (and, when bounds-checked, its size) in locals, read
  // on entry. In guard-page mode the base never moves; in bounds-checked mode both may
  // change during a call (memory.grow, a host function, Wasm code that grows the memory),
  // so such a call reads them again after it (callingOut). lunatic_yield is not one
  // (abi.h): loops whose reduction charge may call it keep both in registers throughout,
  // loop-invariant, so that LLVM can hoist the bounds checks that depend only on them.
  void reloadMemory() {
    if (!memory_base_) return;
    Value* mem = memory();
    b_.CreateStore(t_.loadField(b_, t_.ptr, mem, offsetof(lunatic_memory, base), guardPages(), "memory.base"),
                   memory_base_);
    if (memory_size_) {
      b_.CreateStore(t_.loadField(b_, t_.i64, mem, offsetof(lunatic_memory, size), false, "memory.size"),
                     memory_size_);
    }
  }

  // The host address of a Wasm access of `bytes` bytes at `address` + `offset`, trapping
  // first in bounds-checked mode. In guard-page mode the reservation covers every address
  // an i32 plus a u32 offset can form, so the access itself faults if out of bounds.
  Value* effectiveAddress(Value* address, uint64_t offset, unsigned bytes) {
    Value* base = b_.CreateLoad(t_.ptr, memory_base_);
    Value* ea = b_.CreateZExt(address, t_.i64);
    if (offset) ea = b_.CreateAdd(ea, b_.getInt64(offset));
    if (memory_size_) {
      Value* size = b_.CreateLoad(t_.i64, memory_size_);
      Value* end = b_.CreateAdd(ea, b_.getInt64(bytes));
      trapIf(b_.CreateICmpUGT(end, size), LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS);
    }
    return b_.CreateGEP(t_.i8, base, ea);
  }

  // A load whose value ends up unused must still trap when out of bounds. In guard-page
  // mode only the access itself does, and LLVM deletes unused loads unless they are
  // volatile. Marks the loads whose value a drop discards, through the operators that only
  // compute values (their operands are unused once the result is).
  void markUnusedLoads(BinaryenExpressionRef e) {
    const ExpressionIds& id = ids();
    BinaryenExpressionId kind = BinaryenExpressionGetId(e);
    if (kind == id.Load) {
      unused_loads_.insert(e);
    } else if (kind == id.Unary) {
      markUnusedLoads(BinaryenUnaryGetValue(e));
    } else if (kind == id.Binary) {
      markUnusedLoads(BinaryenBinaryGetLeft(e));
      markUnusedLoads(BinaryenBinaryGetRight(e));
    } else if (kind == id.Select) {
      markUnusedLoads(BinaryenSelectGetIfTrue(e));
      markUnusedLoads(BinaryenSelectGetIfFalse(e));
      markUnusedLoads(BinaryenSelectGetCondition(e));
    }
  }

  Value* lowerLoad(BinaryenExpressionRef e) {
    if (BinaryenLoadIsAtomic(e)) return unsupported("atomic load");
    Value* address = lower(BinaryenLoadGetPtr(e));
    if (dead_) return nullptr;
    unsigned bytes = BinaryenLoadGetBytes(e);
    llvm::Type* result = typeOf(BinaryenExpressionGetType(e));
    Value* host = effectiveAddress(address, BinaryenLoadGetOffset(e), bytes);
    bool partial = result->isIntegerTy() && bytes * 8 < result->getIntegerBitWidth();
    llvm::Type* loaded = partial ? b_.getIntNTy(bytes * 8) : result;
    bool must_stay = unused_loads_.count(e) != 0;
    llvm::LoadInst* load = b_.CreateAlignedLoad(loaded, host, llvm::Align(1), must_stay);
    t_.tagLinearMemory(load);
    if (!partial) return load;
    return BinaryenLoadIsSigned(e) ? b_.CreateSExt(load, result) : b_.CreateZExt(load, result);
  }

  Value* lowerStore(BinaryenExpressionRef e) {
    if (BinaryenStoreIsAtomic(e)) return unsupported("atomic store");
    Value* address = lower(BinaryenStoreGetPtr(e));
    if (dead_) return nullptr;
    Value* value = lower(BinaryenStoreGetValue(e));
    if (dead_) return nullptr;
    unsigned bytes = BinaryenStoreGetBytes(e);
    Value* host = effectiveAddress(address, BinaryenStoreGetOffset(e), bytes);
    if (value->getType()->isIntegerTy() && bytes * 8 < value->getType()->getIntegerBitWidth()) {
      value = b_.CreateTrunc(value, b_.getIntNTy(bytes * 8));
    }
    t_.tagLinearMemory(b_.CreateAlignedStore(value, host, llvm::Align(1)));
    return nullptr;
  }

  // --- Control flow ---

  Value* lowerBlock(BinaryenExpressionRef e) {
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

  // Continues after a construct whose end is `merge`: reachable if anything branches there.
  Value* continueAt(BasicBlock* merge, llvm::AllocaInst* slot) {
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

  Value* lowerLoop(BinaryenExpressionRef e) {
    if (loop_depth_ == 0) reloadBudget();  // into a register for the loop (see Reduction counting)
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
  BasicBlock* branchTarget(const Label& label) {
    if (!budgetInRegister() || label.loop_depth > 0) return label.target;
    BasicBlock* here = b_.GetInsertBlock();
    BasicBlock* exit = newBlock("loop.exit");
    b_.SetInsertPoint(exit);
    flushBudget();
    b_.CreateBr(label.target);
    b_.SetInsertPoint(here);
    return exit;
  }

  Value* lowerIf(BinaryenExpressionRef e) {
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

  Value* lowerBreak(BinaryenExpressionRef e) {
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

  Value* lowerSwitch(BinaryenExpressionRef e) {
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

  // --- Calls ---

  bool lowerOperands(std::vector<Value*>& args, BinaryenIndex count,
                     BinaryenExpressionRef (*operand)(BinaryenExpressionRef, BinaryenIndex),
                     BinaryenExpressionRef e) {
    for (BinaryenIndex i = 0; i < count; ++i) {
      args.push_back(lower(operand(e, i)));
      if (dead_) return false;
    }
    return true;
  }

  Value* callThrough(Value* func, llvm::FunctionType* type, std::vector<Value*> args) {
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

  Value* lowerCall(BinaryenExpressionRef e) {
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

  bool budgetInRegister() const { return budget_ && (loop_depth_ > 0); }

  Value* budgetField() {
    return b_.CreateConstInBoundsGEP1_64(t_.i8, instance_, offsetof(lunatic_instance, reductions_left));
  }

  void flushBudget() {
    if (!budget_) return;
    t_.tagReductions(b_.CreateStore(b_.CreateLoad(t_.i64, budget_), budgetField()));
  }

  void reloadBudget() {
    if (!budget_) return;
    llvm::LoadInst* left = b_.CreateLoad(t_.i64, budgetField(), "reductions.left");
    t_.tagReductions(left);
    b_.CreateStore(left, budget_);
  }

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

  // A call of the reduction counting pass's marker (passes/reductions.h), inline:
  //   r = self->reductions_left - cost; self->reductions_left = r; if (r < 0) lunatic_yield(self);
  // with reductions_left kept in budget_ as described above. lunatic_yield leaves the
  // memory as it was (abi.h), so its base and size are not read again after it.
  Value* chargeReductions(BinaryenExpressionRef e) {
    BinaryenExpressionRef cost = BinaryenCallGetNumOperands(e) == 1 ? BinaryenCallGetOperandAt(e, 0) : nullptr;
    if (!budget_ || !cost || BinaryenExpressionGetId(cost) != ids().Const ||
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
      // Marked, so that the passes that optimise charges find it (charges.h).
      llvm::CallInst* call = b_.CreateCall(t_.yieldFunction(), {instance_});
      call->setMetadata(kReductionsYieldMetadata, llvm::MDNode::get(t_.context, {}));
      return call;
    }, /*keeps_memory=*/true);
    b_.CreateBr(next);
    b_.SetInsertPoint(next);
    return nullptr;
  }

  Value* lowerCallIndirect(BinaryenExpressionRef e) {
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

  // --- Tables ---

  Value* tableObject(uint32_t index) {
    Value* tables = t_.loadInstanceField(b_, instance_, offsetof(lunatic_instance, tables), "tables");
    return t_.loadField(b_, t_.ptr, tables, size_t(index) * sizeof(void*), true, "table");
  }

  Value* tableSlot(Value* table, Value* element) {
    // Not invariant: growing a table may move its elements.
    Value* elements = t_.loadField(b_, t_.ptr, table, offsetof(lunatic_table, elements), false, "elements");
    return b_.CreateGEP(t_.ptr, elements, b_.CreateZExt(element, t_.i64));
  }

  Value* checkedTableSlot(uint32_t table_index, Value* element) {
    Value* table = tableObject(table_index);
    Value* size = t_.loadField(b_, t_.i32, table, offsetof(lunatic_table, size), false, "table.size");
    trapIf(b_.CreateICmpUGE(element, size), LUNATIC_TRAP_TABLE_OUT_OF_BOUNDS);
    return tableSlot(table, element);
  }

  // --- The expression dispatcher ---

  Value* lower(BinaryenExpressionRef e) {
    if (!error_.empty() || dead_) return nullptr;
    const ExpressionIds& id = ids();
    BinaryenExpressionId kind = BinaryenExpressionGetId(e);
    llvm::Type* i32 = t_.i32;
    llvm::PointerType* ptr = t_.ptr;
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
    if (kind == id.Unreachable) {
      b_.CreateCall(t_.trapFunction(), {b_.getInt32(LUNATIC_TRAP_UNREACHABLE)});
      b_.CreateUnreachable();
      startDeadCode();
      return nullptr;
    }
    if (kind == id.Return) {
      Value* value = nullptr;
      if (BinaryenExpressionRef v = BinaryenReturnGetValue(e)) {
        value = lower(v);
        if (dead_) return nullptr;
      }
      emitReturn(value);
      startDeadCode();
      return nullptr;
    }
    if (kind == id.LocalGet) {
      llvm::AllocaInst* slot = locals_[BinaryenLocalGetGetIndex(e)];
      return b_.CreateLoad(slot->getAllocatedType(), slot);
    }
    if (kind == id.LocalSet) {
      Value* value = lower(BinaryenLocalSetGetValue(e));
      if (dead_) return nullptr;
      b_.CreateStore(value, locals_[BinaryenLocalSetGetIndex(e)]);
      return BinaryenLocalSetIsTee(e) ? value : nullptr;
    }
    if (kind == id.GlobalGet) {
      uint32_t index = globalIndex(BinaryenGlobalGetGetName(e));
      return t_.loadGlobal(b_, instance_, index, typeOf(BinaryenExpressionGetType(e)));
    }
    if (kind == id.GlobalSet) {
      Value* value = lower(BinaryenGlobalSetGetValue(e));
      if (dead_) return nullptr;
      t_.storeGlobal(b_, instance_, globalIndex(BinaryenGlobalSetGetName(e)), value);
      return nullptr;
    }
    if (kind == id.Const) return lowerConst(e);
    if (kind == id.Unary) {
      Value* value = lower(BinaryenUnaryGetValue(e));
      if (dead_) return nullptr;
      BinaryenOp op = BinaryenUnaryGetOp(e);
      bool vector = value->getType() == t_.v128 || BinaryenExpressionGetType(e) == BinaryenTypeVec128();
      Value* result = vector ? simd::lowerUnary(b_, op, value) : lowerNumericUnary(b_, op, value, trapper());
      return result ? result : unsupported("unary operator");
    }
    if (kind == id.Binary) {
      Value* lhs = lower(BinaryenBinaryGetLeft(e));
      if (dead_) return nullptr;
      Value* rhs = lower(BinaryenBinaryGetRight(e));
      if (dead_) return nullptr;
      BinaryenOp op = BinaryenBinaryGetOp(e);
      Value* result = lhs->getType() == t_.v128 ? simd::lowerBinary(b_, op, lhs, rhs)
                                                : lowerNumericBinary(b_, op, lhs, rhs, trapper());
      if (!result) return unsupported("binary operator");
      // LLVM folds x*1, x/1, x+(-0), x-0, -0-x, x*-1 ... to x or -x, which lets a
      // signalling NaN through where Wasm wants it quieted (translate_numeric.h).
      if (result->getType()->isFloatingPointTy() && isFloatArithmetic(op) && mayFoldToOperand(lhs, rhs)) {
        result = quietNaN(b_, result);
      }
      return result;
    }
    if (kind == id.Select) {
      Value* a = lower(BinaryenSelectGetIfTrue(e));
      if (dead_) return nullptr;
      Value* c = lower(BinaryenSelectGetIfFalse(e));
      if (dead_) return nullptr;
      Value* condition = lower(BinaryenSelectGetCondition(e));
      if (dead_) return nullptr;
      return b_.CreateSelect(b_.CreateICmpNE(condition, b_.getInt32(0)), a, c);
    }
    if (kind == id.Drop) {
      BinaryenExpressionRef value = BinaryenDropGetValue(e);
      if (t_.options.memory_mode == LUNATIC_MEMORY_GUARD_PAGES) markUnusedLoads(value);
      lower(value);
      return nullptr;
    }
    if (kind == id.MemorySize) {
      Value* size = t_.loadField(b_, t_.i64, memory(), offsetof(lunatic_memory, size), false, "memory.size");
      return b_.CreateTrunc(b_.CreateLShr(size, 16), i32);
    }
    if (kind == id.MemoryGrow) {
      Value* delta = lower(BinaryenMemoryGrowGetDelta(e));
      if (dead_) return nullptr;
      return callingOut([&] {
        return b_.CreateCall(t_.runtime("lunatic_memory_grow", i32, {ptr, i32}), {instance_, delta});
      });
    }
    if (kind == id.MemoryInit) {
      return runtimeCall("lunatic_memory_init", {b_.getInt32(BinaryenMemoryInitGetSegment(e))},
                         {BinaryenMemoryInitGetDest(e), BinaryenMemoryInitGetOffset(e), BinaryenMemoryInitGetSize(e)});
    }
    if (kind == id.DataDrop) {
      return runtimeCall("lunatic_data_drop", {b_.getInt32(BinaryenDataDropGetSegment(e))}, {});
    }
    if (kind == id.MemoryCopy) {
      return runtimeCall("lunatic_memory_copy", {},
                         {BinaryenMemoryCopyGetDest(e), BinaryenMemoryCopyGetSource(e), BinaryenMemoryCopyGetSize(e)});
    }
    if (kind == id.MemoryFill) {
      return runtimeCall("lunatic_memory_fill", {},
                         {BinaryenMemoryFillGetDest(e), BinaryenMemoryFillGetValue(e), BinaryenMemoryFillGetSize(e)});
    }
    if (kind == id.RefNull) return llvm::ConstantPointerNull::get(ptr);
    if (kind == id.RefIs) {
      Value* value = lower(BinaryenRefIsGetValue(e));
      if (dead_) return nullptr;
      if (BinaryenRefIsGetOp(e) != BinaryenRefIsNull()) return unsupported("ref.is operator");
      return b_.CreateZExt(b_.CreateIsNull(value), i32);
    }
    if (kind == id.RefFunc) return t_.funcObject(b_, instance_, functionIndex(BinaryenRefFuncGetFunc(e)));
    if (kind == id.TableGet) {
      Value* element = lower(BinaryenTableGetGetIndex(e));
      if (dead_) return nullptr;
      return b_.CreateLoad(ptr, checkedTableSlot(tableIndex(BinaryenTableGetGetTable(e)), element));
    }
    if (kind == id.TableSet) {
      Value* element = lower(BinaryenTableSetGetIndex(e));
      if (dead_) return nullptr;
      Value* value = lower(BinaryenTableSetGetValue(e));
      if (dead_) return nullptr;
      b_.CreateStore(value, checkedTableSlot(tableIndex(BinaryenTableSetGetTable(e)), element));
      return nullptr;
    }
    if (kind == id.TableSize) {
      Value* table = tableObject(tableIndex(BinaryenTableSizeGetTable(e)));
      return t_.loadField(b_, i32, table, offsetof(lunatic_table, size), false, "table.size");
    }
    if (kind == id.TableGrow) {
      Value* value = lower(BinaryenTableGrowGetValue(e));
      if (dead_) return nullptr;
      Value* delta = lower(BinaryenTableGrowGetDelta(e));
      if (dead_) return nullptr;
      return callingOut([&] {
        return b_.CreateCall(t_.runtime("lunatic_table_grow", i32, {ptr, i32, ptr, i32}),
                             {instance_, b_.getInt32(tableIndex(BinaryenTableGrowGetTable(e))), value, delta});
      });
    }
    if (kind == id.TupleMake) {
      std::vector<Value*> parts;
      if (!lowerOperands(parts, BinaryenTupleMakeGetNumOperands(e), BinaryenTupleMakeGetOperandAt, e)) return nullptr;
      Value* tuple = llvm::UndefValue::get(typeOf(BinaryenExpressionGetType(e)));
      for (unsigned i = 0; i < parts.size(); ++i) tuple = b_.CreateInsertValue(tuple, parts[i], i);
      return tuple;
    }
    if (kind == id.TupleExtract) {
      Value* tuple = lower(BinaryenTupleExtractGetTuple(e));
      if (dead_) return nullptr;
      return b_.CreateExtractValue(tuple, BinaryenTupleExtractGetIndex(e));
    }
    return lowerSimd(e, kind);
  }

  // Calls a runtime helper with the instance, `immediates`, then `operands` lowered in order.
  Value* runtimeCall(const char* name, std::vector<Value*> immediates,
                     std::initializer_list<BinaryenExpressionRef> operands) {
    std::vector<Value*> args = {instance_};
    args.insert(args.end(), immediates.begin(), immediates.end());
    for (BinaryenExpressionRef operand : operands) {
      args.push_back(lower(operand));
      if (dead_) return nullptr;
    }
    std::vector<llvm::Type*> types;
    for (Value* arg : args) types.push_back(arg->getType());
    return callingOut([&]() -> Value* {
      b_.CreateCall(t_.runtime(name, t_.void_type, types), args);
      return nullptr;
    });
  }

  Value* lowerConst(BinaryenExpressionRef e) {
    BinaryenType type = BinaryenExpressionGetType(e);
    if (type == BinaryenTypeInt32()) return b_.getInt32(uint32_t(BinaryenConstGetValueI32(e)));
    if (type == BinaryenTypeInt64()) return b_.getInt64(uint64_t(BinaryenConstGetValueI64(e)));
    if (type == BinaryenTypeFloat32()) {
      float value = BinaryenConstGetValueF32(e);
      uint32_t bits;
      std::memcpy(&bits, &value, 4);
      return llvm::ConstantFP::get(t_.context, llvm::APFloat(llvm::APFloat::IEEEsingle(), llvm::APInt(32, bits)));
    }
    if (type == BinaryenTypeFloat64()) {
      double value = BinaryenConstGetValueF64(e);
      uint64_t bits;
      std::memcpy(&bits, &value, 8);
      return llvm::ConstantFP::get(t_.context, llvm::APFloat(llvm::APFloat::IEEEdouble(), llvm::APInt(64, bits)));
    }
    if (type == BinaryenTypeVec128()) {
      uint8_t bytes[16];
      BinaryenConstGetValueV128(e, bytes);
      uint64_t lanes[2];
      std::memcpy(lanes, bytes, 16);
      return llvm::ConstantVector::get({b_.getInt64(lanes[0]), b_.getInt64(lanes[1])});
    }
    return unsupported("constant type");
  }

  Value* lowerSimd(BinaryenExpressionRef e, BinaryenExpressionId kind) {
    const ExpressionIds& id = ids();
    if (kind == id.SIMDExtract) {
      Value* vec = lower(BinaryenSIMDExtractGetVec(e));
      if (dead_) return nullptr;
      return simd::lowerExtractLane(b_, BinaryenSIMDExtractGetOp(e), vec, BinaryenSIMDExtractGetIndex(e));
    }
    if (kind == id.SIMDReplace) {
      Value* vec = lower(BinaryenSIMDReplaceGetVec(e));
      if (dead_) return nullptr;
      Value* value = lower(BinaryenSIMDReplaceGetValue(e));
      if (dead_) return nullptr;
      return simd::lowerReplaceLane(b_, BinaryenSIMDReplaceGetOp(e), vec, BinaryenSIMDReplaceGetIndex(e), value);
    }
    if (kind == id.SIMDShuffle) {
      Value* lhs = lower(BinaryenSIMDShuffleGetLeft(e));
      if (dead_) return nullptr;
      Value* rhs = lower(BinaryenSIMDShuffleGetRight(e));
      if (dead_) return nullptr;
      uint8_t mask[16];
      BinaryenSIMDShuffleGetMask(e, mask);
      return simd::lowerShuffle(b_, lhs, rhs, mask);
    }
    if (kind == id.SIMDTernary) {
      Value* a = lower(BinaryenSIMDTernaryGetA(e));
      if (dead_) return nullptr;
      Value* bb = lower(BinaryenSIMDTernaryGetB(e));
      if (dead_) return nullptr;
      Value* c = lower(BinaryenSIMDTernaryGetC(e));
      if (dead_) return nullptr;
      Value* result = simd::lowerTernary(b_, BinaryenSIMDTernaryGetOp(e), a, bb, c);
      return result ? result : unsupported("SIMD ternary operator");
    }
    if (kind == id.SIMDShift) {
      Value* vec = lower(BinaryenSIMDShiftGetVec(e));
      if (dead_) return nullptr;
      Value* count = lower(BinaryenSIMDShiftGetShift(e));
      if (dead_) return nullptr;
      return simd::lowerShift(b_, BinaryenSIMDShiftGetOp(e), vec, count);
    }
    if (kind == id.SIMDLoad) {
      Value* address = lower(BinaryenSIMDLoadGetPtr(e));
      if (dead_) return nullptr;
      BinaryenOp op = BinaryenSIMDLoadGetOp(e);
      Value* host = effectiveAddress(address, BinaryenSIMDLoadGetOffset(e), simd::loadBytes(op));
      return simd::lowerLoad(b_, op, host);
    }
    if (kind == id.SIMDLoadStoreLane) {
      Value* address = lower(BinaryenSIMDLoadStoreLaneGetPtr(e));
      if (dead_) return nullptr;
      Value* vec = lower(BinaryenSIMDLoadStoreLaneGetVec(e));
      if (dead_) return nullptr;
      BinaryenOp op = BinaryenSIMDLoadStoreLaneGetOp(e);
      Value* host = effectiveAddress(address, BinaryenSIMDLoadStoreLaneGetOffset(e), simd::laneAccessBytes(op));
      return simd::lowerLoadStoreLane(b_, op, host, vec, BinaryenSIMDLoadStoreLaneGetIndex(e));
    }
    return unsupported("instruction (Binaryen " + expressionKindName(kind) + ")");
  }

  Value* unsupported(const std::string& what) {
    if (error_.empty()) error_ = "unsupported " + what + " in function " + BinaryenFunctionGetName(wasm_);
    dead_ = true;
    return nullptr;
  }

  ModuleTranslation& t_;
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

}  // namespace

std::string translateFunctionBody(ModuleTranslation& translation, uint32_t index) {
  return FunctionTranslator(translation, index).run();
}

}  // namespace lunaticc
