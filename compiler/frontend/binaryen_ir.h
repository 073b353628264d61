// What code that walks Binaryen's expression trees through its C API needs of it beyond
// binaryen-c.h: the expression ids, read once, and their names for messages. Shared by the
// translator (compiler/translate/), the Binaryen passes (passes/preemption/reductions.cpp)
// and debug info (compiler/debuginfo/), so all see one list of the expression kinds
// lunaticc handles and of their children.
#pragma once

#include <binaryen-c.h>

#include <map>
#include <string>
#include <vector>

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

// A child of an expression, with the way to put another expression in its place.
struct Child {
  using Setter = void (*)(BinaryenExpressionRef parent, BinaryenIndex index, BinaryenExpressionRef value);
  BinaryenExpressionRef expr;
  Setter set;
  BinaryenIndex index;  // for children in lists (block items, call operands)
};

// The direct children of `e`, in evaluation order (absent optional operands left out).
inline void childrenOf(BinaryenExpressionRef e, std::vector<Child>& out) {
  const ExpressionIds& id = expressionIds();
  BinaryenExpressionId kind = BinaryenExpressionGetId(e);
  auto add = [&](BinaryenExpressionRef child, Child::Setter set, BinaryenIndex index = 0) {
    if (child) out.push_back({child, set, index});
  };
  using X = BinaryenExpressionRef;
  using I = BinaryenIndex;
  if (kind == id.Block) {
    for (I i = 0, n = BinaryenBlockGetNumChildren(e); i < n; ++i) {
      add(BinaryenBlockGetChildAt(e, i), [](X p, I i, X v) { BinaryenBlockSetChildAt(p, i, v); }, i);
    }
  } else if (kind == id.If) {
    add(BinaryenIfGetCondition(e), [](X p, I, X v) { BinaryenIfSetCondition(p, v); });
    add(BinaryenIfGetIfTrue(e), [](X p, I, X v) { BinaryenIfSetIfTrue(p, v); });
    add(BinaryenIfGetIfFalse(e), [](X p, I, X v) { BinaryenIfSetIfFalse(p, v); });
  } else if (kind == id.Loop) {
    add(BinaryenLoopGetBody(e), [](X p, I, X v) { BinaryenLoopSetBody(p, v); });
  } else if (kind == id.Break) {
    add(BinaryenBreakGetValue(e), [](X p, I, X v) { BinaryenBreakSetValue(p, v); });
    add(BinaryenBreakGetCondition(e), [](X p, I, X v) { BinaryenBreakSetCondition(p, v); });
  } else if (kind == id.Switch) {
    add(BinaryenSwitchGetValue(e), [](X p, I, X v) { BinaryenSwitchSetValue(p, v); });
    add(BinaryenSwitchGetCondition(e), [](X p, I, X v) { BinaryenSwitchSetCondition(p, v); });
  } else if (kind == id.Call) {
    for (I i = 0, n = BinaryenCallGetNumOperands(e); i < n; ++i) {
      add(BinaryenCallGetOperandAt(e, i), [](X p, I i, X v) { BinaryenCallSetOperandAt(p, i, v); }, i);
    }
  } else if (kind == id.CallIndirect) {
    for (I i = 0, n = BinaryenCallIndirectGetNumOperands(e); i < n; ++i) {
      add(BinaryenCallIndirectGetOperandAt(e, i), [](X p, I i, X v) { BinaryenCallIndirectSetOperandAt(p, i, v); },
          i);
    }
    add(BinaryenCallIndirectGetTarget(e), [](X p, I, X v) { BinaryenCallIndirectSetTarget(p, v); });
  } else if (kind == id.LocalSet) {
    add(BinaryenLocalSetGetValue(e), [](X p, I, X v) { BinaryenLocalSetSetValue(p, v); });
  } else if (kind == id.GlobalSet) {
    add(BinaryenGlobalSetGetValue(e), [](X p, I, X v) { BinaryenGlobalSetSetValue(p, v); });
  } else if (kind == id.Load) {
    add(BinaryenLoadGetPtr(e), [](X p, I, X v) { BinaryenLoadSetPtr(p, v); });
  } else if (kind == id.Store) {
    add(BinaryenStoreGetPtr(e), [](X p, I, X v) { BinaryenStoreSetPtr(p, v); });
    add(BinaryenStoreGetValue(e), [](X p, I, X v) { BinaryenStoreSetValue(p, v); });
  } else if (kind == id.Unary) {
    add(BinaryenUnaryGetValue(e), [](X p, I, X v) { BinaryenUnarySetValue(p, v); });
  } else if (kind == id.Binary) {
    add(BinaryenBinaryGetLeft(e), [](X p, I, X v) { BinaryenBinarySetLeft(p, v); });
    add(BinaryenBinaryGetRight(e), [](X p, I, X v) { BinaryenBinarySetRight(p, v); });
  } else if (kind == id.Select) {
    add(BinaryenSelectGetIfTrue(e), [](X p, I, X v) { BinaryenSelectSetIfTrue(p, v); });
    add(BinaryenSelectGetIfFalse(e), [](X p, I, X v) { BinaryenSelectSetIfFalse(p, v); });
    add(BinaryenSelectGetCondition(e), [](X p, I, X v) { BinaryenSelectSetCondition(p, v); });
  } else if (kind == id.Drop) {
    add(BinaryenDropGetValue(e), [](X p, I, X v) { BinaryenDropSetValue(p, v); });
  } else if (kind == id.Return) {
    add(BinaryenReturnGetValue(e), [](X p, I, X v) { BinaryenReturnSetValue(p, v); });
  } else if (kind == id.MemoryGrow) {
    add(BinaryenMemoryGrowGetDelta(e), [](X p, I, X v) { BinaryenMemoryGrowSetDelta(p, v); });
  } else if (kind == id.SIMDExtract) {
    add(BinaryenSIMDExtractGetVec(e), [](X p, I, X v) { BinaryenSIMDExtractSetVec(p, v); });
  } else if (kind == id.SIMDReplace) {
    add(BinaryenSIMDReplaceGetVec(e), [](X p, I, X v) { BinaryenSIMDReplaceSetVec(p, v); });
    add(BinaryenSIMDReplaceGetValue(e), [](X p, I, X v) { BinaryenSIMDReplaceSetValue(p, v); });
  } else if (kind == id.SIMDShuffle) {
    add(BinaryenSIMDShuffleGetLeft(e), [](X p, I, X v) { BinaryenSIMDShuffleSetLeft(p, v); });
    add(BinaryenSIMDShuffleGetRight(e), [](X p, I, X v) { BinaryenSIMDShuffleSetRight(p, v); });
  } else if (kind == id.SIMDTernary) {
    add(BinaryenSIMDTernaryGetA(e), [](X p, I, X v) { BinaryenSIMDTernarySetA(p, v); });
    add(BinaryenSIMDTernaryGetB(e), [](X p, I, X v) { BinaryenSIMDTernarySetB(p, v); });
    add(BinaryenSIMDTernaryGetC(e), [](X p, I, X v) { BinaryenSIMDTernarySetC(p, v); });
  } else if (kind == id.SIMDShift) {
    add(BinaryenSIMDShiftGetVec(e), [](X p, I, X v) { BinaryenSIMDShiftSetVec(p, v); });
    add(BinaryenSIMDShiftGetShift(e), [](X p, I, X v) { BinaryenSIMDShiftSetShift(p, v); });
  } else if (kind == id.SIMDLoad) {
    add(BinaryenSIMDLoadGetPtr(e), [](X p, I, X v) { BinaryenSIMDLoadSetPtr(p, v); });
  } else if (kind == id.SIMDLoadStoreLane) {
    add(BinaryenSIMDLoadStoreLaneGetPtr(e), [](X p, I, X v) { BinaryenSIMDLoadStoreLaneSetPtr(p, v); });
    add(BinaryenSIMDLoadStoreLaneGetVec(e), [](X p, I, X v) { BinaryenSIMDLoadStoreLaneSetVec(p, v); });
  } else if (kind == id.MemoryInit) {
    add(BinaryenMemoryInitGetDest(e), [](X p, I, X v) { BinaryenMemoryInitSetDest(p, v); });
    add(BinaryenMemoryInitGetOffset(e), [](X p, I, X v) { BinaryenMemoryInitSetOffset(p, v); });
    add(BinaryenMemoryInitGetSize(e), [](X p, I, X v) { BinaryenMemoryInitSetSize(p, v); });
  } else if (kind == id.MemoryCopy) {
    add(BinaryenMemoryCopyGetDest(e), [](X p, I, X v) { BinaryenMemoryCopySetDest(p, v); });
    add(BinaryenMemoryCopyGetSource(e), [](X p, I, X v) { BinaryenMemoryCopySetSource(p, v); });
    add(BinaryenMemoryCopyGetSize(e), [](X p, I, X v) { BinaryenMemoryCopySetSize(p, v); });
  } else if (kind == id.MemoryFill) {
    add(BinaryenMemoryFillGetDest(e), [](X p, I, X v) { BinaryenMemoryFillSetDest(p, v); });
    add(BinaryenMemoryFillGetValue(e), [](X p, I, X v) { BinaryenMemoryFillSetValue(p, v); });
    add(BinaryenMemoryFillGetSize(e), [](X p, I, X v) { BinaryenMemoryFillSetSize(p, v); });
  } else if (kind == id.RefIs) {
    add(BinaryenRefIsGetValue(e), [](X p, I, X v) { BinaryenRefIsSetValue(p, v); });
  } else if (kind == id.TableGet) {
    add(BinaryenTableGetGetIndex(e), [](X p, I, X v) { BinaryenTableGetSetIndex(p, v); });
  } else if (kind == id.TableSet) {
    add(BinaryenTableSetGetIndex(e), [](X p, I, X v) { BinaryenTableSetSetIndex(p, v); });
    add(BinaryenTableSetGetValue(e), [](X p, I, X v) { BinaryenTableSetSetValue(p, v); });
  } else if (kind == id.TableGrow) {
    add(BinaryenTableGrowGetValue(e), [](X p, I, X v) { BinaryenTableGrowSetValue(p, v); });
    add(BinaryenTableGrowGetDelta(e), [](X p, I, X v) { BinaryenTableGrowSetDelta(p, v); });
  } else if (kind == id.TupleMake) {
    for (I i = 0, n = BinaryenTupleMakeGetNumOperands(e); i < n; ++i) {
      add(BinaryenTupleMakeGetOperandAt(e, i), [](X p, I i, X v) { BinaryenTupleMakeSetOperandAt(p, i, v); }, i);
    }
  } else if (kind == id.TupleExtract) {
    add(BinaryenTupleExtractGetTuple(e), [](X p, I, X v) { BinaryenTupleExtractSetTuple(p, v); });
  }
  // Leaves: Nop, LocalGet, GlobalGet, Const, MemorySize, Unreachable, DataDrop, RefNull,
  // RefFunc, TableSize; and kinds outside Wasm 2.0 (see the top of this file).
}

}  // namespace lunaticc
