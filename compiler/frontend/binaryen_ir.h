// What code that walks Binaryen's expression trees through its C API needs of it beyond
// binaryen-c.h: the expression ids, read once, and their names for messages. Shared by the
// translator (compiler/translate/) and the Binaryen passes (passes/preemption/reductions.cpp),
// so both see one list of the expression kinds lunaticc handles.
#pragma once

#include <binaryen-c.h>

#include <map>
#include <string>

namespace lunaticc {

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

inline const ExpressionIds& expressionIds() {
  static const ExpressionIds table;
  return table;
}

// Binaryen's class name of an expression kind ("AtomicRMW", "Try"...), for error messages:
// every kind Binaryen has, including those outside WebAssembly 2.0 that lunaticc refuses.
inline std::string expressionKindName(BinaryenExpressionId kind) {
  static const std::map<BinaryenExpressionId, const char*> names = [] {
    std::map<BinaryenExpressionId, const char*> m;
#define DELEGATE(CLASS_TO_VISIT) m[Binaryen##CLASS_TO_VISIT##Id()] = #CLASS_TO_VISIT;
#include <wasm-delegations.def>
    return m;
  }();
  auto it = names.find(kind);
  return it == names.end() ? "expression kind " + std::to_string(kind) : it->second;
}

}  // namespace lunaticc
