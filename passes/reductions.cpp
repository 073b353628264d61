// Reduction counting (see reductions.h): where charges go and what they cost.
//
// Where: at the entry of every defined function, and at the header of every loop (the first
// thing its body does, so every iteration pays, the first included). Every endless run of
// Wasm code either loops or calls without end, so it keeps passing charges.
//
// Exception: a function with no loop, no call (direct or indirect) and fewer than
// kUnchargedLeafLimit (8) instructions gets no entry charge. Such a leaf runs a bounded,
// small number of instructions and returns; the call that reached it was counted by its
// caller's charge. This keeps small helpers (getters, arithmetic wrappers) as cheap as before.
//
// Cost: an approximation of the number of Wasm instructions that the charge pays for. A
// function's entry charge is the number of instructions in its body outside nested loops; a
// loop's charge is the number in the loop's body outside loops nested in it. A nested loop
// counts as one instruction where it stands. Instructions are counted on Binaryen's
// expression tree: every expression is one, except blocks (Binaryen adds blocks of its own,
// and `block`/`end` cost nothing at run time). Both arms of an `if` count, as does code after
// a nested loop, so the cost is an upper bound of straight-line code rather than an exact
// path length. It is never 0 (an empty loop still costs 1) and is capped at INT32_MAX.
//
// Expression kinds outside WebAssembly 2.0, which the translator refuses anyway, count as
// one instruction and are not looked into.
#include "reductions.h"

#include <algorithm>
#include <string>
#include <vector>

namespace lunaticc {
namespace {

// Binaryen's expression ids are functions, not constants; read them once.
struct Ids {
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

const Ids& ids() {
  static const Ids table;
  return table;
}

// The direct children of `e`, in evaluation order (null for absent optional operands).
void childrenOf(BinaryenExpressionRef e, std::vector<BinaryenExpressionRef>& out) {
  const Ids& id = ids();
  BinaryenExpressionId kind = BinaryenExpressionGetId(e);
  auto add = [&](std::initializer_list<BinaryenExpressionRef> children) {
    for (BinaryenExpressionRef child : children) {
      if (child) out.push_back(child);
    }
  };
  if (kind == id.Block) {
    for (BinaryenIndex i = 0, n = BinaryenBlockGetNumChildren(e); i < n; ++i) add({BinaryenBlockGetChildAt(e, i)});
  } else if (kind == id.If) {
    add({BinaryenIfGetCondition(e), BinaryenIfGetIfTrue(e), BinaryenIfGetIfFalse(e)});
  } else if (kind == id.Loop) {
    add({BinaryenLoopGetBody(e)});
  } else if (kind == id.Break) {
    add({BinaryenBreakGetValue(e), BinaryenBreakGetCondition(e)});
  } else if (kind == id.Switch) {
    add({BinaryenSwitchGetValue(e), BinaryenSwitchGetCondition(e)});
  } else if (kind == id.Call) {
    for (BinaryenIndex i = 0, n = BinaryenCallGetNumOperands(e); i < n; ++i) add({BinaryenCallGetOperandAt(e, i)});
  } else if (kind == id.CallIndirect) {
    for (BinaryenIndex i = 0, n = BinaryenCallIndirectGetNumOperands(e); i < n; ++i) {
      add({BinaryenCallIndirectGetOperandAt(e, i)});
    }
    add({BinaryenCallIndirectGetTarget(e)});
  } else if (kind == id.LocalSet) {
    add({BinaryenLocalSetGetValue(e)});
  } else if (kind == id.GlobalSet) {
    add({BinaryenGlobalSetGetValue(e)});
  } else if (kind == id.Load) {
    add({BinaryenLoadGetPtr(e)});
  } else if (kind == id.Store) {
    add({BinaryenStoreGetPtr(e), BinaryenStoreGetValue(e)});
  } else if (kind == id.Unary) {
    add({BinaryenUnaryGetValue(e)});
  } else if (kind == id.Binary) {
    add({BinaryenBinaryGetLeft(e), BinaryenBinaryGetRight(e)});
  } else if (kind == id.Select) {
    add({BinaryenSelectGetIfTrue(e), BinaryenSelectGetIfFalse(e), BinaryenSelectGetCondition(e)});
  } else if (kind == id.Drop) {
    add({BinaryenDropGetValue(e)});
  } else if (kind == id.Return) {
    add({BinaryenReturnGetValue(e)});
  } else if (kind == id.MemoryGrow) {
    add({BinaryenMemoryGrowGetDelta(e)});
  } else if (kind == id.SIMDExtract) {
    add({BinaryenSIMDExtractGetVec(e)});
  } else if (kind == id.SIMDReplace) {
    add({BinaryenSIMDReplaceGetVec(e), BinaryenSIMDReplaceGetValue(e)});
  } else if (kind == id.SIMDShuffle) {
    add({BinaryenSIMDShuffleGetLeft(e), BinaryenSIMDShuffleGetRight(e)});
  } else if (kind == id.SIMDTernary) {
    add({BinaryenSIMDTernaryGetA(e), BinaryenSIMDTernaryGetB(e), BinaryenSIMDTernaryGetC(e)});
  } else if (kind == id.SIMDShift) {
    add({BinaryenSIMDShiftGetVec(e), BinaryenSIMDShiftGetShift(e)});
  } else if (kind == id.SIMDLoad) {
    add({BinaryenSIMDLoadGetPtr(e)});
  } else if (kind == id.SIMDLoadStoreLane) {
    add({BinaryenSIMDLoadStoreLaneGetPtr(e), BinaryenSIMDLoadStoreLaneGetVec(e)});
  } else if (kind == id.MemoryInit) {
    add({BinaryenMemoryInitGetDest(e), BinaryenMemoryInitGetOffset(e), BinaryenMemoryInitGetSize(e)});
  } else if (kind == id.MemoryCopy) {
    add({BinaryenMemoryCopyGetDest(e), BinaryenMemoryCopyGetSource(e), BinaryenMemoryCopyGetSize(e)});
  } else if (kind == id.MemoryFill) {
    add({BinaryenMemoryFillGetDest(e), BinaryenMemoryFillGetValue(e), BinaryenMemoryFillGetSize(e)});
  } else if (kind == id.RefIs) {
    add({BinaryenRefIsGetValue(e)});
  } else if (kind == id.TableGet) {
    add({BinaryenTableGetGetIndex(e)});
  } else if (kind == id.TableSet) {
    add({BinaryenTableSetGetIndex(e), BinaryenTableSetGetValue(e)});
  } else if (kind == id.TableGrow) {
    add({BinaryenTableGrowGetValue(e), BinaryenTableGrowGetDelta(e)});
  } else if (kind == id.TupleMake) {
    for (BinaryenIndex i = 0, n = BinaryenTupleMakeGetNumOperands(e); i < n; ++i) {
      add({BinaryenTupleMakeGetOperandAt(e, i)});
    }
  } else if (kind == id.TupleExtract) {
    add({BinaryenTupleExtractGetTuple(e)});
  }
  // Leaves: Nop, LocalGet, GlobalGet, Const, MemorySize, Unreachable, DataDrop, RefNull,
  // RefFunc, TableSize; and kinds outside Wasm 2.0 (see the top of this file).
}

// What a function body or a loop body holds outside the loops nested in it.
struct Region {
  uint64_t instructions = 0;
  bool has_loop = false;
  bool has_call = false;
};

class Pass {
 public:
  explicit Pass(BinaryenModuleRef module) : module_(module) {}

  ReductionCounting run() {
    // Only the functions the module has now: the marker import is added at the end.
    for (BinaryenIndex i = 0, n = BinaryenGetNumFunctions(module_); i < n; ++i) {
      BinaryenFunctionRef function = BinaryenGetFunctionByIndex(module_, i);
      const char* import_module = BinaryenFunctionImportGetModule(function);
      BinaryenExpressionRef body = BinaryenFunctionGetBody(function);
      if ((import_module && *import_module) || !body) continue;
      Region region;
      walk(body, region);
      if (!region.has_loop && !region.has_call && region.instructions < kUnchargedLeafLimit) continue;
      BinaryenFunctionSetBody(function, charged(region, body));
      ++result_.entry_charges;
    }
    if (!marker_.empty()) {
      BinaryenAddFunctionImport(module_, marker_.c_str(), kInternalImportModule, kReductionsImportBase,
                                BinaryenTypeInt32(), BinaryenTypeNone());
    }
    return result_;
  }

 private:
  // Adds up `e` and its children into `region`, charging the loops among them on the way.
  // The tree is only changed below loops, whose bodies are replaced once walked.
  void walk(BinaryenExpressionRef e, Region& region) {
    const Ids& id = ids();
    BinaryenExpressionId kind = BinaryenExpressionGetId(e);
    if (kind != id.Block) ++region.instructions;
    if (kind == id.Call || kind == id.CallIndirect) region.has_call = true;
    if (kind == id.Loop) {
      region.has_loop = true;
      Region inner;
      BinaryenExpressionRef body = BinaryenLoopGetBody(e);
      walk(body, inner);
      region.has_call |= inner.has_call;
      BinaryenLoopSetBody(e, charged(inner, body));
      ++result_.loop_charges;
      return;
    }
    std::vector<BinaryenExpressionRef> children;
    childrenOf(e, children);
    for (BinaryenExpressionRef child : children) walk(child, region);
  }

  // `(block (call $marker (i32.const COST)) BODY)`, of BODY's type.
  BinaryenExpressionRef charged(const Region& region, BinaryenExpressionRef body) {
    uint64_t cost = std::clamp<uint64_t>(region.instructions, 1, INT32_MAX);
    BinaryenExpressionRef operand = BinaryenConst(module_, BinaryenLiteralInt32(int32_t(cost)));
    BinaryenExpressionRef items[] = {BinaryenCall(module_, markerName(), &operand, 1, BinaryenTypeNone()), body};
    return BinaryenBlock(module_, nullptr, items, 2, BinaryenExpressionGetType(body));
  }

  // The marker's internal name, chosen on first use so as not to clash with a function of
  // the module (Binaryen names functions after the name section).
  const char* markerName() {
    if (marker_.empty()) {
      std::string name = std::string(kInternalImportModule) + "." + kReductionsImportBase;
      for (int suffix = 1; BinaryenGetFunction(module_, name.c_str()); ++suffix) {
        name = std::string(kInternalImportModule) + "." + kReductionsImportBase + "." + std::to_string(suffix);
      }
      marker_ = name;
    }
    return marker_.c_str();
  }

  BinaryenModuleRef module_;
  std::string marker_;
  ReductionCounting result_;
};

}  // namespace

ReductionCounting addReductionCounting(BinaryenModuleRef module) { return Pass(module).run(); }

bool isReductionsMarker(BinaryenFunctionRef function) {
  const char* module = BinaryenFunctionImportGetModule(function);
  const char* base = BinaryenFunctionImportGetBase(function);
  return module && base && std::string(module) == kInternalImportModule && std::string(base) == kReductionsImportBase;
}

}  // namespace lunaticc
