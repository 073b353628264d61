// Linear memory instructions (function.h): loads and stores with their bounds checks,
// memory.size and memory.grow, and the bulk memory operations (memory.init and data.drop
// call the runtime).
#include "compiler/translate/function.h"

#include "compiler/frontend/binaryen_ir.h"
#include "passes/memory/check_limits.h"

#include <tuple>
#include <vector>

namespace lunaticc {

using llvm::Value;

Value* FunctionTranslator::memory() {
  return t_.loadInstanceField(b_, instance_, offsetof(lunatic_instance, memory), "memory");
}

// The function keeps memory 0's base (and, when bounds-checked, its size) in locals, read
// on entry. In guard-page mode the base never moves; in bounds-checked mode both may
// change during a call (memory.grow, a host function, Wasm code that grows the memory),
// so such a call reads them again after it (callingOut). lunatic_yield is not one
// (abi.h): loops whose reduction charge may call it keep both in registers throughout,
// loop-invariant, so that LLVM can hoist the bounds checks that depend only on them.
void FunctionTranslator::reloadMemory() {
  if (!memory_base_) return;
  Value* mem = memory();
  b_.CreateStore(t_.loadField(b_, t_.ptr, mem, offsetof(lunatic_memory, base), guardPages(), "memory.base"),
                 memory_base_);
  if (memory_size_) b_.CreateStore(loadMemorySize(mem), memory_size_);
}

// The size field of `mem`, marked as one for passes/memory/check_limits.cpp.
Value* FunctionTranslator::loadMemorySize(Value* mem) {
  auto* size = llvm::cast<llvm::LoadInst>(
      t_.loadField(b_, t_.i64, mem, offsetof(lunatic_memory, size), false, "memory.size"));
  size->setMetadata(kMemorySizeMarker, llvm::MDNode::get(t_.context, {}));
  return size;
}

// The host address of a Wasm access of `bytes` bytes at `address` + `offset`, trapping
// first in bounds-checked mode. In guard-page mode the reservation covers every address
// an i32 plus a u32 offset can form, so the access itself faults if out of bounds.
Value* FunctionTranslator::effectiveAddress(Value* address, uint64_t offset, unsigned bytes) {
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

// The memory's size in bytes: the local that bounds-checked code keeps, or in guard-page
// mode the memory's own field (which only memory.grow changes, so it is read at each use).
Value* FunctionTranslator::memorySizeInBytes() {
  if (memory_size_) return b_.CreateLoad(t_.i64, memory_size_);
  return loadMemorySize(memory());
}

// The host address of the `length` bytes at Wasm address `address`, trapping unless they
// all lie within the memory's `size` bytes (whatever the mode: bulk operations check
// their ranges explicitly). The sum is taken in 64 bits, so it cannot wrap.
Value* FunctionTranslator::checkedRange(Value* address, Value* length, Value* size) {
  Value* start = b_.CreateZExt(address, t_.i64);
  Value* end = b_.CreateNUWAdd(start, b_.CreateZExt(length, t_.i64));
  trapIf(b_.CreateICmpUGT(end, size), LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS);
  return b_.CreateGEP(t_.i8, b_.CreateLoad(t_.ptr, memory_base_), start);
}

// A load whose value ends up unused must still trap when out of bounds. In guard-page
// mode only the access itself does, and LLVM deletes unused loads unless they are
// volatile. Marks the loads whose value a drop discards, through the operators that only
// compute values (their operands are unused once the result is).
void FunctionTranslator::markUnusedLoads(BinaryenExpressionRef e) {
  const ExpressionIds& id = expressionIds();
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

Value* FunctionTranslator::lowerLoad(BinaryenExpressionRef e) {
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

Value* FunctionTranslator::lowerStore(BinaryenExpressionRef e) {
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

Value* FunctionTranslator::lowerMemorySize() {
  return b_.CreateTrunc(b_.CreateLShr(memorySizeInBytes(), 16), t_.i32);
}

Value* FunctionTranslator::lowerMemoryGrow(BinaryenExpressionRef e) {
  Value* delta = lower(BinaryenMemoryGrowGetDelta(e));
  if (dead_) return nullptr;
  return callingOut([&] {
    return b_.CreateCall(t_.runtime("lunatic_memory_grow", t_.i32, {t_.ptr, t_.i32}), {instance_, delta});
  });
}

Value* FunctionTranslator::lowerMemoryInit(BinaryenExpressionRef e) {
  return runtimeCall("lunatic_memory_init", {b_.getInt32(BinaryenMemoryInitGetSegment(e))},
                     {BinaryenMemoryInitGetDest(e), BinaryenMemoryInitGetOffset(e), BinaryenMemoryInitGetSize(e)});
}

Value* FunctionTranslator::lowerDataDrop(BinaryenExpressionRef e) {
  return runtimeCall("lunatic_data_drop", {b_.getInt32(BinaryenDataDropGetSegment(e))}, {});
}

// memory.copy and memory.fill check their whole ranges, then copy or fill as libc's
// memmove and memset do: no runtime call, so nothing is read again after them (the budget
// stays in its register, the memory's base and size in theirs), and LLVM expands those of
// a small constant length inline. A range past the memory traps before any byte is written,
// as the spec requires; memmove gives the overlapping copy its Wasm meaning.
Value* FunctionTranslator::lowerMemoryCopy(BinaryenExpressionRef e) {
  std::vector<Value*> operands;
  if (!lowerOperands(operands, {BinaryenMemoryCopyGetDest(e), BinaryenMemoryCopyGetSource(e),
                                BinaryenMemoryCopyGetSize(e)})) {
    return nullptr;
  }
  auto [dest, source, length] = std::tie(operands[0], operands[1], operands[2]);
  Value* size = memorySizeInBytes();
  Value* to = checkedRange(dest, length, size);
  Value* from = checkedRange(source, length, size);
  t_.tagLinearMemory(b_.CreateMemMove(to, llvm::Align(1), from, llvm::Align(1), b_.CreateZExt(length, t_.i64)));
  return nullptr;
}

Value* FunctionTranslator::lowerMemoryFill(BinaryenExpressionRef e) {
  std::vector<Value*> operands;
  if (!lowerOperands(operands, {BinaryenMemoryFillGetDest(e), BinaryenMemoryFillGetValue(e),
                                BinaryenMemoryFillGetSize(e)})) {
    return nullptr;
  }
  auto [dest, value, length] = std::tie(operands[0], operands[1], operands[2]);
  Value* to = checkedRange(dest, length, memorySizeInBytes());
  t_.tagLinearMemory(
      b_.CreateMemSet(to, b_.CreateTrunc(value, t_.i8), b_.CreateZExt(length, t_.i64), llvm::Align(1)));
  return nullptr;
}

}  // namespace lunaticc
