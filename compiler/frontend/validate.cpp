// Validation by the WebAssembly 2.0 specification's rules (see validate.h). Function bodies
// are checked with the algorithm of the spec's appendix: an operand stack of types (with an
// "unknown" type for unreachable code) and a stack of control frames.
#include "compiler/frontend/validate.h"

#include <array>
#include <unordered_set>

#include "compiler/frontend/wasm_reader.h"

namespace lunaticc {
namespace {

constexpr uint8_t kUnknown = 0;  // the bottom type of unreachable code
constexpr uint8_t I32 = LUNATIC_TYPE_I32, I64 = LUNATIC_TYPE_I64, F32 = LUNATIC_TYPE_F32,
                  F64 = LUNATIC_TYPE_F64, V128 = LUNATIC_TYPE_V128,
                  FUNCREF = LUNATIC_TYPE_FUNCREF, EXTERNREF = LUNATIC_TYPE_EXTERNREF;
constexpr uint32_t kMaxLocals = 50000;  // implementation limit, as in the major engines

bool isRef(uint8_t t) { return t == FUNCREF || t == EXTERNREF; }

// An instruction's stack effect written as "params:results" in type codes ("ii:i").
struct Signature {
  std::string_view params, results;
};

constexpr Signature parse(std::string_view s) {
  size_t colon = s.find(':');
  return {s.substr(0, colon), s.substr(colon + 1)};
}

// Numeric instructions 0x45 (i32.eqz) through 0xc4 (i64.extend32_s), as runs of equal
// signatures in opcode order.
const std::array<std::string_view, 128>& numericSignatures() {
  static const std::array<std::string_view, 128> table = [] {
    std::array<std::string_view, 128> t{};
    constexpr std::pair<int, std::string_view> runs[] = {
        {1, "i:i"},   {10, "ii:i"}, {1, "I:i"},   {10, "II:i"}, {6, "ff:i"}, {6, "FF:i"},
        {3, "i:i"},   {15, "ii:i"}, {3, "I:I"},   {15, "II:I"}, {7, "f:f"},  {7, "ff:f"},
        {7, "F:F"},   {7, "FF:F"},  {1, "I:i"},   {2, "f:i"},   {2, "F:i"},  {2, "i:I"},
        {2, "f:I"},   {2, "F:I"},   {2, "i:f"},   {2, "I:f"},   {1, "F:f"},  {2, "i:F"},
        {2, "I:F"},   {1, "f:F"},   {1, "f:i"},   {1, "F:I"},   {1, "i:f"},  {1, "I:F"},
        {2, "i:i"},   {3, "I:I"}};
    size_t at = 0;
    for (auto [count, sig] : runs) {
      for (int k = 0; k < count; ++k) t[at++] = sig;
    }
    return t;
  }();
  return table;
}

// 0xfd-prefixed (SIMD) instructions: their immediates and stack effect.
enum class SimdImm : uint8_t { None, Reserved, MemArg, MemArgLane, Const, Shuffle, Lane };
struct SimdOp {
  SimdImm imm = SimdImm::Reserved;
  uint8_t align = 0;  // natural alignment (log2) of memory accesses
  uint8_t lanes = 0;  // lane count for lane immediates
  std::string_view sig;
};

const std::array<SimdOp, 256>& simdOps() {
  static const std::array<SimdOp, 256> table = [] {
    std::array<SimdOp, 256> t{};
    auto set = [&](int first, int last, SimdOp op) {
      for (int i = first; i <= last; ++i) t[i] = op;
    };
    using enum SimdImm;
    set(0, 0, {MemArg, 4, 0, "i:v"});
    set(1, 6, {MemArg, 3, 0, "i:v"});
    set(7, 7, {MemArg, 0, 0, "i:v"});
    set(8, 8, {MemArg, 1, 0, "i:v"});
    set(9, 9, {MemArg, 2, 0, "i:v"});
    set(10, 10, {MemArg, 3, 0, "i:v"});
    set(11, 11, {MemArg, 4, 0, "iv:"});
    set(12, 12, {Const, 0, 0, ":v"});
    set(13, 13, {Shuffle, 0, 0, "vv:v"});
    set(14, 14, {None, 0, 0, "vv:v"});
    set(15, 17, {None, 0, 0, "i:v"});
    set(18, 18, {None, 0, 0, "I:v"});
    set(19, 19, {None, 0, 0, "f:v"});
    set(20, 20, {None, 0, 0, "F:v"});
    set(21, 22, {Lane, 0, 16, "v:i"});
    set(23, 23, {Lane, 0, 16, "vi:v"});
    set(24, 25, {Lane, 0, 8, "v:i"});
    set(26, 26, {Lane, 0, 8, "vi:v"});
    set(27, 27, {Lane, 0, 4, "v:i"});
    set(28, 28, {Lane, 0, 4, "vi:v"});
    set(29, 29, {Lane, 0, 2, "v:I"});
    set(30, 30, {Lane, 0, 2, "vI:v"});
    set(31, 31, {Lane, 0, 4, "v:f"});
    set(32, 32, {Lane, 0, 4, "vf:v"});
    set(33, 33, {Lane, 0, 2, "v:F"});
    set(34, 34, {Lane, 0, 2, "vF:v"});
    set(35, 76, {None, 0, 0, "vv:v"});
    set(77, 77, {None, 0, 0, "v:v"});
    set(78, 81, {None, 0, 0, "vv:v"});
    set(82, 82, {None, 0, 0, "vvv:v"});
    set(83, 83, {None, 0, 0, "v:i"});
    for (int k = 0; k < 4; ++k) {
      uint8_t lanes = uint8_t(16 >> k);
      set(84 + k, 84 + k, {MemArgLane, uint8_t(k), lanes, "iv:v"});
      set(88 + k, 88 + k, {MemArgLane, uint8_t(k), lanes, "iv:"});
    }
    set(92, 92, {MemArg, 2, 0, "i:v"});
    set(93, 93, {MemArg, 3, 0, "i:v"});
    set(94, 98, {None, 0, 0, "v:v"});
    set(99, 100, {None, 0, 0, "v:i"});
    set(101, 102, {None, 0, 0, "vv:v"});
    set(103, 106, {None, 0, 0, "v:v"});
    set(107, 109, {None, 0, 0, "vi:v"});
    set(110, 115, {None, 0, 0, "vv:v"});
    set(116, 117, {None, 0, 0, "v:v"});
    set(118, 121, {None, 0, 0, "vv:v"});
    set(122, 122, {None, 0, 0, "v:v"});
    set(123, 123, {None, 0, 0, "vv:v"});
    set(124, 129, {None, 0, 0, "v:v"});
    set(130, 130, {None, 0, 0, "vv:v"});
    set(131, 132, {None, 0, 0, "v:i"});
    set(133, 134, {None, 0, 0, "vv:v"});
    set(135, 138, {None, 0, 0, "v:v"});
    set(139, 141, {None, 0, 0, "vi:v"});
    set(142, 147, {None, 0, 0, "vv:v"});
    set(148, 148, {None, 0, 0, "v:v"});
    set(149, 153, {None, 0, 0, "vv:v"});
    set(155, 159, {None, 0, 0, "vv:v"});
    set(160, 161, {None, 0, 0, "v:v"});
    set(163, 164, {None, 0, 0, "v:i"});
    set(167, 170, {None, 0, 0, "v:v"});
    set(171, 173, {None, 0, 0, "vi:v"});
    set(174, 174, {None, 0, 0, "vv:v"});
    set(177, 177, {None, 0, 0, "vv:v"});
    set(181, 186, {None, 0, 0, "vv:v"});
    set(188, 191, {None, 0, 0, "vv:v"});
    set(192, 193, {None, 0, 0, "v:v"});
    set(195, 196, {None, 0, 0, "v:i"});
    set(199, 202, {None, 0, 0, "v:v"});
    set(203, 205, {None, 0, 0, "vi:v"});
    set(206, 206, {None, 0, 0, "vv:v"});
    set(209, 209, {None, 0, 0, "vv:v"});
    set(213, 223, {None, 0, 0, "vv:v"});
    set(224, 225, {None, 0, 0, "v:v"});
    set(227, 227, {None, 0, 0, "v:v"});
    set(228, 235, {None, 0, 0, "vv:v"});
    set(236, 237, {None, 0, 0, "v:v"});
    set(239, 239, {None, 0, 0, "v:v"});
    set(240, 247, {None, 0, 0, "vv:v"});
    set(248, 255, {None, 0, 0, "v:v"});
    return t;
  }();
  return table;
}

// Natural alignment (log2) of the plain loads and stores 0x28..0x3e.
constexpr uint8_t kMemoryAlign[] = {2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2,
                                    2, 3, 2, 3, 0, 1, 0, 1, 2};
constexpr std::string_view kMemorySig[] = {
    "i:i", "i:I", "i:f", "i:F", "i:i", "i:i", "i:i", "i:i", "i:I", "i:I", "i:I", "i:I",
    "i:I", "i:I", "ii:", "iI:", "if:", "iF:", "ii:", "ii:", "iI:", "iI:", "iI:"};
constexpr std::string_view kSaturatingSig[] = {"f:i", "f:i", "F:i", "F:i",
                                               "f:I", "f:I", "F:I", "F:I"};

struct Frame {
  uint8_t opcode;  // 0x02 block, 0x03 loop, 0x04 if, 0x05 else, 0 the function itself
  std::vector<uint8_t> params, results;
  size_t height;
  bool unreachable = false;
  int param_block = -1;  // index among the function's blocks with parameters, if one
};

class BodyValidator {
 public:
  BodyValidator(const ModuleInfo& module, const std::unordered_set<uint32_t>& declared_refs,
                const FuncType& type, std::span<const uint8_t> body, uint32_t function,
                CodeEdits* edits, std::vector<uint32_t>* starts)
      : m_(module), declared_refs_(declared_refs), r_(body), function_(function), edits_(edits), starts_(starts) {
    locals_ = type.params;
    function_results_ = type.results;
  }

  std::string run() {
    readLocals();
    code_start_ = r_.position();
    frames_.push_back({0, {}, function_results_, 0});
    while (r_.ok() && !frames_.empty()) {
      if (r_.atEnd()) {
        r_.fail("unexpected end of section or function");
        break;
      }
      if (starts_) starts_->push_back(uint32_t(r_.position()));
      instruction(r_.byte());
    }
    if (r_.ok() && !r_.atEnd()) r_.fail("section size mismatch: bytes after the function's end");
    if (edits_ && r_.ok() && param_blocks_ > 0) {
      edits_->locals.push_back({function_, code_start_, uint32_t(locals_.size())});
    }
    return r_.ok() ? std::string() : r_.error();
  }

 private:
  void fail(const std::string& message) { r_.fail(message); }

  void readLocals() {
    uint64_t total = locals_.size();
    for (uint32_t n = r_.u32(), i = 0; i < n && r_.ok(); ++i) {
      uint32_t count = r_.u32();
      uint8_t type = r_.valueType();
      total += count;
      if (total > UINT32_MAX) return fail("too many locals");
      if (total > kMaxLocals) return fail("too many locals (more than 50000)");
      locals_.insert(locals_.end(), count, type);
    }
  }

  // --- The operand and control stacks, as in the spec's validation algorithm ---

  void push(uint8_t t) { stack_.push_back(t); }
  void push(std::string_view ts) {
    for (char t : ts) push(uint8_t(t));
  }
  void push(const std::vector<uint8_t>& ts) {
    for (uint8_t t : ts) push(t);
  }

  uint8_t pop() {
    Frame& f = frames_.back();
    if (stack_.size() == f.height) {
      if (!f.unreachable) fail("type mismatch: operand stack underflow");
      return kUnknown;
    }
    uint8_t t = stack_.back();
    stack_.pop_back();
    return t;
  }
  uint8_t pop(uint8_t expected) {
    uint8_t actual = pop();
    if (actual != expected && actual != kUnknown && expected != kUnknown) fail("type mismatch");
    return actual == kUnknown ? expected : actual;
  }
  void pop(std::string_view ts) {
    for (size_t i = ts.size(); i-- > 0;) pop(uint8_t(ts[i]));
  }
  void pop(const std::vector<uint8_t>& ts) {
    for (size_t i = ts.size(); i-- > 0;) pop(ts[i]);
  }
  void apply(std::string_view sig) {
    Signature s = parse(sig);
    pop(s.params);
    push(s.results);
  }

  void pushFrame(uint8_t opcode, std::vector<uint8_t> params, std::vector<uint8_t> results) {
    frames_.push_back({opcode, std::move(params), std::move(results), stack_.size()});
    push(frames_.back().params);
  }
  Frame popFrame() {
    Frame& f = frames_.back();
    pop(f.results);
    if (stack_.size() != f.height) fail("type mismatch: values left on the stack at end of block");
    Frame done = std::move(f);
    frames_.pop_back();
    return done;
  }
  void unreachable() {
    stack_.resize(frames_.back().height);
    frames_.back().unreachable = true;
  }
  const std::vector<uint8_t>& labelTypes(const Frame& f) {
    return f.opcode == 0x03 ? f.params : f.results;
  }
  const Frame* label(uint32_t depth) {
    if (depth >= frames_.size()) {
      fail("unknown label");
      return nullptr;
    }
    return &frames_[frames_.size() - 1 - depth];
  }

  // --- Immediates ---

  // Reads a block type; returns its type index if it names one, else -1.
  int64_t blockType(std::vector<uint8_t>& params, std::vector<uint8_t>& results) {
    int64_t bt = int64_t(r_.leb(33, true));
    if (!r_.ok()) return -1;
    switch (bt) {
      case -64: return -1;
      case -1: results = {I32}; return -1;
      case -2: results = {I64}; return -1;
      case -3: results = {F32}; return -1;
      case -4: results = {F64}; return -1;
      case -5: results = {V128}; return -1;
      case -16: results = {FUNCREF}; return -1;
      case -17: results = {EXTERNREF}; return -1;
    }
    if (bt < 0) {
      fail("malformed block type");
      return -1;
    }
    if (uint64_t(bt) >= m_.types.size()) {
      fail("unknown type");
      return -1;
    }
    params = m_.types[bt].params;
    results = m_.types[bt].results;
    return bt;
  }

  void record(CodeEdit::Kind kind, size_t begin, uint32_t opcode, uint32_t immediate, int block) {
    if (!edits_ || !r_.ok()) return;
    CodeEdit edit;
    edit.kind = kind;
    edit.function = function_;
    edit.begin = begin;
    edit.end = r_.position();
    edit.opcode = opcode;
    edit.immediates[0] = immediate;
    edit.block = uint32_t(block);
    edits_->edits.push_back(edit);
  }

  bool isParamLoop(const Frame& f) const { return f.opcode == 0x03 && f.param_block >= 0; }

  void requireMemory() {
    if (m_.memories.empty()) fail("unknown memory 0");
  }

  void memarg(uint8_t natural_align) {
    uint32_t align = r_.u32();
    r_.u32();  // offset
    requireMemory();
    if (r_.ok() && align > natural_align) fail("alignment must not be larger than natural");
  }

  void zeroByte() {
    if (r_.byte() != 0 && r_.ok()) fail("zero byte expected");
  }

  uint8_t tableType(uint32_t index) {
    if (index >= m_.tables.size()) {
      fail("unknown table");
      return kUnknown;
    }
    return m_.tables[index].elem_type;
  }

  uint8_t localType(uint32_t index) {
    if (index >= locals_.size()) {
      fail("unknown local");
      return kUnknown;
    }
    return locals_[index];
  }

  const Global* global(uint32_t index) {
    if (index >= m_.globals.size()) {
      fail("unknown global");
      return nullptr;
    }
    return &m_.globals[index];
  }

  const FuncType* functionType(uint32_t index) {
    if (index >= m_.function_types.size()) {
      fail("unknown function");
      return nullptr;
    }
    uint32_t type = m_.function_types[index];
    return type < m_.types.size() ? &m_.types[type] : nullptr;
  }

  void dataIndex(uint32_t index) {
    if (!m_.data_count) return fail("data count section required");
    if (index >= *m_.data_count) fail("unknown data segment");
  }

  uint8_t elemType(uint32_t index) {
    if (index >= m_.elem_segments.size()) {
      fail("unknown elem segment");
      return kUnknown;
    }
    return m_.elem_segments[index].elem_type;
  }

  // --- Instructions ---

  void instruction(uint8_t op) {
    if (op >= 0x45 && op <= 0xc4) return apply(numericSignatures()[op - 0x45]);
    if (op >= 0x28 && op <= 0x3e) {
      memarg(kMemoryAlign[op - 0x28]);
      return apply(kMemorySig[op - 0x28]);
    }
    switch (op) {
      case 0x00: return unreachable();
      case 0x01: return;
      case 0x02:
      case 0x03:
      case 0x04: {
        size_t begin = r_.position() - 1;
        std::vector<uint8_t> params, results;
        int64_t type_index = blockType(params, results);
        if (op == 0x04) pop(I32);
        pop(params);
        int param_block = -1;
        if (!params.empty()) {
          param_block = param_blocks_++;
          record(CodeEdit::Kind::EnterParamBlock, begin, op, uint32_t(type_index), param_block);
        }
        pushFrame(op, std::move(params), std::move(results));
        frames_.back().param_block = param_block;
        return;
      }
      case 0x05: {
        if (frames_.back().opcode != 0x04) return fail("else without if");
        Frame f = popFrame();
        if (f.param_block >= 0) record(CodeEdit::Kind::ElseOfParamIf, r_.position() - 1, op, 0, f.param_block);
        pushFrame(0x05, std::move(f.params), std::move(f.results));
        frames_.back().param_block = f.param_block;
        return;
      }
      case 0x0b: {
        Frame f = popFrame();
        // An if without else passes its parameters through the missing branch.
        if (f.opcode == 0x04 && f.params != f.results) fail("type mismatch: if without else");
        if (f.opcode == 0x04 && f.param_block >= 0) {
          record(CodeEdit::Kind::EndOfParamIf, r_.position() - 1, op, 0, f.param_block);
        }
        push(f.results);
        return;
      }
      case 0x0c: {
        size_t begin = r_.position() - 1;
        uint32_t depth = r_.u32();
        const Frame* target = label(depth);
        if (!target) return;
        if (isParamLoop(*target)) {
          record(CodeEdit::Kind::BranchToParamLoop, begin, op, depth, target->param_block);
        }
        pop(labelTypes(*target));
        return unreachable();
      }
      case 0x0d: {
        size_t begin = r_.position() - 1;
        uint32_t depth = r_.u32();
        const Frame* target = label(depth);
        if (!target) return;
        if (isParamLoop(*target)) {
          record(CodeEdit::Kind::BranchIfToParamLoop, begin, op, depth, target->param_block);
        }
        std::vector<uint8_t> types = labelTypes(*target);
        pop(I32);
        pop(types);
        return push(types);
      }
      case 0x0e: {
        uint32_t n = r_.u32();
        std::vector<uint32_t> depths;
        for (uint32_t i = 0; i < n && r_.ok(); ++i) depths.push_back(r_.u32());
        const Frame* fallback = label(r_.u32());
        if (!fallback) return;
        if (edits_ && isParamLoop(*fallback)) edits_->unsupported = "br_table to a loop with parameters";
        std::vector<uint8_t> fallback_types = labelTypes(*fallback);
        pop(I32);
        for (uint32_t depth : depths) {
          const Frame* target = label(depth);
          if (!target) return;
          if (edits_ && isParamLoop(*target)) edits_->unsupported = "br_table to a loop with parameters";
          std::vector<uint8_t> types = labelTypes(*target);
          if (types.size() != fallback_types.size()) return fail("type mismatch: br_table arity");
          // Check each target against the stack without consuming it.
          std::vector<uint8_t> saved = stack_;
          pop(types);
          stack_ = std::move(saved);
        }
        pop(fallback_types);
        return unreachable();
      }
      case 0x0f:
        pop(function_results_);
        return unreachable();
      case 0x10: {
        const FuncType* type = functionType(r_.u32());
        if (!type) return;
        pop(type->params);
        return push(type->results);
      }
      case 0x11: {
        uint32_t type_index = r_.u32();
        uint8_t table = tableType(r_.u32());
        if (!r_.ok()) return;
        if (table != FUNCREF) return fail("type mismatch: call_indirect through a non-funcref table");
        if (type_index >= m_.types.size()) return fail("unknown type");
        pop(I32);
        pop(m_.types[type_index].params);
        return push(m_.types[type_index].results);
      }
      case 0x1a: pop(); return;
      case 0x1b: {
        pop(I32);
        uint8_t a = pop(), b = pop();
        if (isRef(a) || isRef(b)) return fail("type mismatch: select on references needs a type");
        if (a != b && a != kUnknown && b != kUnknown) return fail("type mismatch");
        return push(a == kUnknown ? b : a);
      }
      case 0x1c: {
        uint32_t n = r_.u32();
        if (n != 1) return fail("invalid result arity");
        uint8_t t = r_.valueType();
        pop(I32);
        pop(t);
        pop(t);
        return push(t);
      }
      case 0x20: return push(localType(r_.u32()));
      case 0x21: pop(localType(r_.u32())); return;
      case 0x22: {
        uint8_t t = localType(r_.u32());
        pop(t);
        return push(t);
      }
      case 0x23: {
        const Global* g = global(r_.u32());
        return push(g ? g->type : kUnknown);
      }
      case 0x24: {
        const Global* g = global(r_.u32());
        if (!g) return;
        if (!g->is_mutable) return fail("global is immutable");
        pop(g->type);
        return;
      }
      case 0x25: {
        uint8_t t = tableType(r_.u32());
        pop(I32);
        return push(t);
      }
      case 0x26: {
        uint8_t t = tableType(r_.u32());
        pop(t);
        pop(I32);
        return;
      }
      case 0x3f: zeroByte(); requireMemory(); return push(I32);
      case 0x40: zeroByte(); requireMemory(); return apply("i:i");
      case 0x41: r_.s32(); return push(I32);
      case 0x42: r_.s64(); return push(I64);
      case 0x43: r_.take(4); return push(F32);
      case 0x44: r_.take(8); return push(F64);
      case 0xd0: return push(r_.refType());
      case 0xd1: {
        uint8_t t = pop();
        if (t != kUnknown && !isRef(t)) fail("type mismatch: ref.is_null of a non-reference");
        return push(I32);
      }
      case 0xd2: {
        uint32_t index = r_.u32();
        if (!functionType(index)) return;
        if (!declared_refs_.count(index)) return fail("undeclared function reference");
        return push(FUNCREF);
      }
      case 0xfc: {
        size_t begin = r_.position() - 1;
        uint32_t misc = r_.u32();
        miscInstruction(misc);
        if (misc == 12 || misc == 13 || misc == 14 || misc == 17) {
          record(CodeEdit::Kind::TableInstruction, begin, misc, immediates_[0], -1);
          if (edits_ && r_.ok()) edits_->edits.back().immediates[1] = immediates_[1];
        }
        return;
      }
      case 0xfd: return simdInstruction(r_.u32());
    }
    if (r_.ok()) fail("illegal opcode " + std::to_string(op));
  }

  void miscInstruction(uint32_t op) {
    if (op <= 7) return apply(kSaturatingSig[op]);
    switch (op) {
      case 8: {
        dataIndex(r_.u32());
        zeroByte();
        requireMemory();
        return apply("iii:");
      }
      case 9: return dataIndex(r_.u32());
      case 10: zeroByte(); zeroByte(); requireMemory(); return apply("iii:");
      case 11: zeroByte(); requireMemory(); return apply("iii:");
      case 12: {
        uint8_t segment = elemType(immediates_[0] = r_.u32());
        uint8_t table = tableType(immediates_[1] = r_.u32());
        if (r_.ok() && segment != table) return fail("type mismatch: table.init element types");
        return apply("iii:");
      }
      case 13: elemType(immediates_[0] = r_.u32()); return;
      case 14: {
        uint8_t dst = tableType(immediates_[0] = r_.u32());
        uint8_t src = tableType(immediates_[1] = r_.u32());
        if (r_.ok() && dst != src) return fail("type mismatch: table.copy element types");
        return apply("iii:");
      }
      case 15: {
        uint8_t t = tableType(r_.u32());
        pop(I32);
        pop(t);
        return push(I32);
      }
      case 16: tableType(r_.u32()); return push(I32);
      case 17: {
        uint8_t t = tableType(immediates_[0] = r_.u32());
        pop(I32);
        pop(t);
        pop(I32);
        return;
      }
    }
    if (r_.ok()) fail("illegal opcode 0xfc " + std::to_string(op));
  }

  void simdInstruction(uint32_t op) {
    if (op > 255 || simdOps()[op].imm == SimdImm::Reserved) {
      if (r_.ok()) fail("illegal opcode 0xfd " + std::to_string(op));
      return;
    }
    const SimdOp& info = simdOps()[op];
    switch (info.imm) {
      case SimdImm::MemArg: memarg(info.align); break;
      case SimdImm::MemArgLane:
        memarg(info.align);
        if (r_.byte() >= info.lanes && r_.ok()) fail("invalid lane index");
        break;
      case SimdImm::Const: r_.take(16); break;
      case SimdImm::Shuffle:
        for (int i = 0; i < 16; ++i) {
          if (r_.byte() >= 32 && r_.ok()) fail("invalid lane index");
        }
        break;
      case SimdImm::Lane:
        if (r_.byte() >= info.lanes && r_.ok()) fail("invalid lane index");
        break;
      case SimdImm::None:
      case SimdImm::Reserved: break;
    }
    apply(info.sig);
  }

  const ModuleInfo& m_;
  const std::unordered_set<uint32_t>& declared_refs_;
  WasmReader r_;
  uint32_t function_;
  CodeEdits* edits_;
  std::vector<uint32_t>* starts_;
  uint32_t immediates_[2] = {0, 0};  // of the last 0xfc instruction
  int param_blocks_ = 0;
  size_t code_start_ = 0;
  std::vector<uint8_t> locals_;
  std::vector<uint8_t> function_results_;
  std::vector<uint8_t> stack_;
  std::vector<Frame> frames_;
};

// --- Module-level rules ---

class ModuleValidator {
 public:
  ModuleValidator(const ModuleInfo& m, CodeEdits* edits, InstructionStarts* starts)
      : m_(m), edits_(edits), starts_(starts) {}

  std::string run() {
    for (uint32_t type : m_.function_types) {
      if (type >= m_.types.size()) return "unknown type";
    }
    if (m_.memories.size() > 1) return "multiple memories";
    for (const Memory& memory : m_.memories) {
      if (memory.limits.min > LUNATIC_MAX_PAGES ||
          (memory.limits.max && *memory.limits.max > LUNATIC_MAX_PAGES)) {
        return "memory size must be at most 65536 pages (4GiB)";
      }
      if (memory.limits.max && memory.limits.min > *memory.limits.max) {
        return "size minimum must not be greater than maximum";
      }
    }
    for (const Table& table : m_.tables) {
      if (table.limits.max && table.limits.min > *table.limits.max) {
        return "size minimum must not be greater than maximum";
      }
    }
    collectDeclaredRefs();
    for (const Global& g : m_.globals) {
      if (g.imported) continue;
      if (std::string e = constExpr(g.init, g.type); !e.empty()) return e;
    }
    if (std::string e = exports(); !e.empty()) return e;
    if (m_.start) {
      if (*m_.start >= m_.function_types.size()) return "unknown function";
      const FuncType& type = m_.types[m_.function_types[*m_.start]];
      if (!type.params.empty() || !type.results.empty()) return "start function must take and return nothing";
    }
    for (const ElemSegment& seg : m_.elem_segments) {
      if (seg.mode == ElemSegment::Mode::Active) {
        if (seg.table >= m_.tables.size()) return "unknown table";
        if (m_.tables[seg.table].elem_type != seg.elem_type) return "type mismatch: element segment and table types";
        if (std::string e = constExpr(seg.offset, I32); !e.empty()) return e;
      }
      for (const ConstExpr& item : seg.items) {
        if (std::string e = constExpr(item, seg.elem_type); !e.empty()) return e;
      }
    }
    for (const DataSegment& seg : m_.data_segments) {
      if (!seg.active) continue;
      if (seg.memory >= m_.memories.size()) return "unknown memory " + std::to_string(seg.memory);
      if (std::string e = constExpr(seg.offset, I32); !e.empty()) return e;
    }
    if (starts_) starts_->assign(m_.bodies.size(), {});
    for (size_t i = 0; i < m_.bodies.size(); ++i) {
      const FuncType& type = m_.types[m_.function_types[m_.num_imported_functions + i]];
      std::string e = BodyValidator(m_, declared_refs_, type, m_.bodies[i], uint32_t(i), edits_,
                                    starts_ ? &(*starts_)[i] : nullptr)
                          .run();
      if (!e.empty()) return e + " in function " + std::to_string(m_.num_imported_functions + i);
    }
    return {};
  }

 private:
  // C.refs: the functions a body may name with ref.func.
  void collectDeclaredRefs() {
    auto note = [&](const ConstExpr& e) {
      if (e.kind == ConstExpr::Kind::RefFunc) declared_refs_.insert(e.index);
    };
    for (const Global& g : m_.globals) note(g.init);
    for (const ElemSegment& seg : m_.elem_segments) {
      for (const ConstExpr& item : seg.items) note(item);
    }
    for (const Export& e : m_.exports) {
      if (e.kind == LUNATIC_EXTERN_FUNC) declared_refs_.insert(e.index);
    }
  }

  std::string constExpr(const ConstExpr& e, uint8_t expected) {
    uint8_t actual = kUnknown;
    switch (e.kind) {
      case ConstExpr::Kind::I32: actual = I32; break;
      case ConstExpr::Kind::I64: actual = I64; break;
      case ConstExpr::Kind::F32: actual = F32; break;
      case ConstExpr::Kind::F64: actual = F64; break;
      case ConstExpr::Kind::V128: actual = V128; break;
      case ConstExpr::Kind::RefNull: actual = e.ref_type; break;
      case ConstExpr::Kind::RefFunc:
        if (e.index >= m_.function_types.size()) return "unknown function " + std::to_string(e.index);
        actual = FUNCREF;
        break;
      case ConstExpr::Kind::GlobalGet:
        // Only imported globals are in scope of constant expressions in Wasm 2.0.
        if (e.index >= m_.num_imported_globals) return "unknown global " + std::to_string(e.index);
        if (m_.globals[e.index].is_mutable) return "constant expression required";
        actual = m_.globals[e.index].type;
        break;
    }
    return actual == expected ? std::string() : "type mismatch in constant expression";
  }

  std::string exports() {
    std::unordered_set<std::string> names;
    for (const Export& e : m_.exports) {
      if (!names.insert(e.name).second) return "duplicate export name";
      size_t limit = e.kind == LUNATIC_EXTERN_FUNC     ? m_.function_types.size()
                     : e.kind == LUNATIC_EXTERN_TABLE  ? m_.tables.size()
                     : e.kind == LUNATIC_EXTERN_MEMORY ? m_.memories.size()
                                                       : m_.globals.size();
      static constexpr const char* kinds[] = {"function", "table", "memory", "global"};
      if (e.index >= limit) return std::string("unknown ") + kinds[e.kind] + " " + std::to_string(e.index);
    }
    return {};
  }

  const ModuleInfo& m_;
  CodeEdits* edits_;
  InstructionStarts* starts_;
  std::unordered_set<uint32_t> declared_refs_;
};

}  // namespace

std::string validateModule(const ModuleInfo& info, CodeEdits* edits, InstructionStarts* starts) {
  return ModuleValidator(info, edits, starts).run();
}

}  // namespace lunaticc
