// Matching Binaryen's expressions to the instructions they were read from (wasm_offsets.h).
#include "compiler/debuginfo/wasm_offsets.h"

#include <string>
#include <vector>

#include "compiler/frontend/binaryen_ir.h"
#include "compiler/frontend/wasm_reader.h"

namespace lunaticc {
namespace {

// What an instruction and an expression are compared by: a kind shared by both sides and,
// where the instruction names a local, global or function, its index.
enum class Kind : uint8_t {
  None,  // nothing to match (block, loop, else, end; Binaryen's Block and Loop)
  Unreachable, Nop, If, Break, Switch, Return, Call, CallIndirect, Drop, Select,
  LocalGet, LocalSet, GlobalGet, GlobalSet, Load, Store, MemorySize, MemoryGrow, Const,
  Numeric, RefNull, RefIs, RefFunc, TableGet, TableSet, TableSize, TableGrow,
  MemoryInit, DataDrop, MemoryCopy, MemoryFill,
  Simd,  // 0xfd instructions; Binaryen spreads them over Unary, Binary, Load, Const, SIMD*
};

constexpr uint32_t kAnyIndex = UINT32_MAX;

struct Key {
  Kind kind = Kind::None;
  uint32_t index = kAnyIndex;
};

bool matches(const Key& instruction, const Key& expression) {
  if (instruction.kind == Kind::Simd) {
    return expression.kind == Kind::Simd || expression.kind == Kind::Numeric || expression.kind == Kind::Load ||
           expression.kind == Kind::Store || expression.kind == Kind::Const;
  }
  if (instruction.kind != expression.kind) return false;
  return instruction.index == kAnyIndex || expression.index == kAnyIndex || instruction.index == expression.index;
}

// The key of the instruction at `code[0]` (a body from that instruction on).
Key instructionKey(std::span<const uint8_t> code) {
  WasmReader r(code);
  uint8_t op = r.byte();
  auto indexed = [&](Kind kind) { return Key{kind, r.u32()}; };
  if (op >= 0x28 && op <= 0x35) return {Kind::Load};
  if (op >= 0x36 && op <= 0x3e) return {Kind::Store};
  if (op >= 0x41 && op <= 0x44) return {Kind::Const};
  if (op >= 0x45 && op <= 0xc4) return {Kind::Numeric};
  switch (op) {
    case 0x00: return {Kind::Unreachable};
    case 0x01: return {Kind::Nop};
    case 0x04: return {Kind::If};
    case 0x0c:
    case 0x0d: return {Kind::Break};
    case 0x0e: return {Kind::Switch};
    case 0x0f: return {Kind::Return};
    case 0x10: return indexed(Kind::Call);
    case 0x11: return {Kind::CallIndirect};
    case 0x1a: return {Kind::Drop};
    case 0x1b:
    case 0x1c: return {Kind::Select};
    case 0x20: return indexed(Kind::LocalGet);
    case 0x21:
    case 0x22: return indexed(Kind::LocalSet);
    case 0x23: return indexed(Kind::GlobalGet);
    case 0x24: return indexed(Kind::GlobalSet);
    case 0x25: return {Kind::TableGet};
    case 0x26: return {Kind::TableSet};
    case 0x3f: return {Kind::MemorySize};
    case 0x40: return {Kind::MemoryGrow};
    case 0xd0: return {Kind::RefNull};
    case 0xd1: return {Kind::RefIs};
    case 0xd2: return {Kind::RefFunc};
    case 0xfd: return {Kind::Simd};
    case 0xfc: {
      uint32_t sub = r.u32();
      if (sub <= 7) return {Kind::Numeric};  // saturating truncations
      switch (sub) {
        case 8: return {Kind::MemoryInit};
        case 9: return {Kind::DataDrop};
        case 10: return {Kind::MemoryCopy};
        case 11: return {Kind::MemoryFill};
        case 15: return {Kind::TableGrow};
        case 16: return {Kind::TableSize};
        default: return {Kind::Call};  // the table instructions binaryen_compat makes calls
      }
    }
  }
  return {};  // block, loop, else, end
}

class FunctionMatcher {
 public:
  FunctionMatcher(const std::unordered_map<std::string, uint32_t>& functions,
                  const std::unordered_map<std::string, uint32_t>& globals, ExpressionOffsets& out)
      : functions_(functions), globals_(globals), out_(out) {}

  void run(BinaryenExpressionRef body, std::span<const uint8_t> code, const std::vector<uint32_t>& starts,
           uint32_t body_offset) {
    instructions_.clear();
    for (uint32_t start : starts) {
      Key key = instructionKey(code.subspan(start));
      if (key.kind != Kind::None) instructions_.push_back({key, body_offset + start});
    }
    next_ = 0;
    walk(body);
  }

 private:
  // How far ahead an expression's instruction is looked for: past a few instructions of
  // dead code Binaryen dropped, not so far that an expression it made up takes a real one.
  static constexpr size_t kWindow = 48;

  struct Instruction {
    Key key;
    uint32_t offset;
  };

  uint32_t indexOf(const std::unordered_map<std::string, uint32_t>& names, const char* name) {
    auto it = names.find(name ? name : "");
    return it == names.end() ? kAnyIndex - 1 : it->second;  // an index no instruction has
  }

  Key expressionKey(BinaryenExpressionRef e) {
    const ExpressionIds& id = expressionIds();
    BinaryenExpressionId kind = BinaryenExpressionGetId(e);
    if (kind == id.LocalGet) return {Kind::LocalGet, BinaryenLocalGetGetIndex(e)};
    if (kind == id.LocalSet) return {Kind::LocalSet, BinaryenLocalSetGetIndex(e)};
    if (kind == id.GlobalGet) return {Kind::GlobalGet, indexOf(globals_, BinaryenGlobalGetGetName(e))};
    if (kind == id.GlobalSet) return {Kind::GlobalSet, indexOf(globals_, BinaryenGlobalSetGetName(e))};
    if (kind == id.Call) return {Kind::Call, indexOf(functions_, BinaryenCallGetTarget(e))};
    static const std::unordered_map<BinaryenExpressionId, Kind> plain = {
        {id.Unreachable, Kind::Unreachable}, {id.Nop, Kind::Nop}, {id.If, Kind::If},
        {id.Break, Kind::Break}, {id.Switch, Kind::Switch}, {id.Return, Kind::Return},
        {id.CallIndirect, Kind::CallIndirect}, {id.Drop, Kind::Drop}, {id.Select, Kind::Select},
        {id.Load, Kind::Load}, {id.Store, Kind::Store}, {id.MemorySize, Kind::MemorySize},
        {id.MemoryGrow, Kind::MemoryGrow}, {id.Const, Kind::Const}, {id.Unary, Kind::Numeric},
        {id.Binary, Kind::Numeric}, {id.RefNull, Kind::RefNull}, {id.RefIs, Kind::RefIs},
        {id.RefFunc, Kind::RefFunc}, {id.TableGet, Kind::TableGet}, {id.TableSet, Kind::TableSet},
        {id.TableSize, Kind::TableSize}, {id.TableGrow, Kind::TableGrow}, {id.MemoryInit, Kind::MemoryInit},
        {id.DataDrop, Kind::DataDrop}, {id.MemoryCopy, Kind::MemoryCopy}, {id.MemoryFill, Kind::MemoryFill},
        {id.SIMDExtract, Kind::Simd}, {id.SIMDReplace, Kind::Simd}, {id.SIMDShuffle, Kind::Simd},
        {id.SIMDTernary, Kind::Simd}, {id.SIMDShift, Kind::Simd}, {id.SIMDLoad, Kind::Simd},
        {id.SIMDLoadStoreLane, Kind::Simd},
    };
    auto it = plain.find(kind);
    return it == plain.end() ? Key{} : Key{it->second};
  }

  void match(BinaryenExpressionRef e) {
    Key key = expressionKey(e);
    if (key.kind == Kind::None) return;
    for (size_t i = next_; i < instructions_.size() && i < next_ + kWindow; ++i) {
      if (matches(instructions_[i].key, key)) {
        out_[e] = instructions_[i].offset;
        next_ = i + 1;
        return;
      }
    }
  }

  // In the binary's order: an if's instruction comes between its condition and its arms,
  // every other instruction after its operands.
  void walk(BinaryenExpressionRef e) {
    std::vector<Child> children;
    childrenOf(e, children);
    bool is_if = BinaryenExpressionGetId(e) == expressionIds().If;
    for (size_t i = 0; i < children.size(); ++i) {
      walk(children[i].expr);
      if (is_if && i == 0) match(e);
    }
    if (!is_if) match(e);
  }

  const std::unordered_map<std::string, uint32_t>& functions_;
  const std::unordered_map<std::string, uint32_t>& globals_;
  ExpressionOffsets& out_;
  std::vector<Instruction> instructions_;
  size_t next_ = 0;
};

}  // namespace

ExpressionOffsets mapExpressionOffsets(BinaryenModuleRef module, const ModuleInfo& info,
                                       const InstructionStarts& starts) {
  std::unordered_map<std::string, uint32_t> functions, globals;
  for (BinaryenIndex i = 0, n = BinaryenGetNumFunctions(module); i < n; ++i) {
    functions[BinaryenFunctionGetName(BinaryenGetFunctionByIndex(module, i))] = i;
  }
  for (BinaryenIndex i = 0, n = BinaryenGetNumGlobals(module); i < n; ++i) {
    globals[BinaryenGlobalGetName(BinaryenGetGlobalByIndex(module, i))] = i;
  }
  ExpressionOffsets offsets;
  FunctionMatcher matcher(functions, globals, offsets);
  for (size_t i = 0; i < info.bodies.size() && i < starts.size(); ++i) {
    uint32_t index = info.num_imported_functions + uint32_t(i);
    if (index >= BinaryenGetNumFunctions(module)) break;
    std::span<const uint8_t> body = info.bodies[i];
    uint32_t body_offset = uint32_t(body.data() - info.code_section.data());
    matcher.run(BinaryenFunctionGetBody(BinaryenGetFunctionByIndex(module, index)), body, starts[i], body_offset);
  }
  return offsets;
}

}  // namespace lunaticc
