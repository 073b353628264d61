// Reduction counting (see reductions.h): where charges go and what they cost.
//
// Where. Every endless run of Wasm code either loops or recurses (tail calls are refused),
// so charges go where a run can come back to:
//   - at the header of every loop (the first thing its body does, so every iteration pays,
//     the first included);
//   - at the entry of every function that can be re-entered before it returns: one in a
//     cycle of direct calls (itself included), and one whose reference is taken (element
//     segments, ref.func in code or globals), which call_indirect may reach from anywhere.
// Any other function runs a bounded amount of code outside its loops, so it is not charged
// on entry: its callers pay for it. Where a call to it surely runs once the enclosing charge
// has passed (it is not in an `if` arm, nor after a branch within its region), or where it
// costs little (kFoldedAnyway), its cost is added to that charge; elsewhere the call gets a
// charge of its own just before it, which
// LLVM may later merge into a dominating one (passes/preemption/charge_merging.h). A function whose
// cost for its callers would exceed kMaxFoldedCost is charged on entry after all, so that a
// charge stays a fair measure of the code it pays for.
//
// Cost: an approximation of the number of Wasm instructions that the charge pays for. A
// region is a function body or a loop body, without the loops nested in it (a nested loop
// counts as one instruction where it stands). Its cost is the number of instructions in it,
// plus, for every call the charge covers, the callee's cost. Instructions are counted on
// Binaryen's expression tree: every expression is one, except blocks (Binaryen adds blocks
// of its own, and `block`/`end` cost nothing at run time). Both arms of an `if` count, as
// does code after a nested loop, so the cost is an upper bound of straight-line code rather
// than an exact path length. It is never 0 (an empty loop still costs 1) and is capped at
// INT32_MAX.
//
// Expression kinds outside WebAssembly 2.0, which the translator refuses anyway, count as
// one instruction and are not looked into.
#include "passes/preemption/reductions.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/frontend/binaryen_ir.h"

namespace lunaticc {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr size_t kNoBranch = SIZE_MAX;

// A call that may not run costs its region's charge this much at most, rather than a charge
// of its own: its check would cost more than the callee's few instructions.
constexpr uint64_t kFoldedAnyway = 16;

// The module's defined functions and the direct calls between them.
class CallGraph {
 public:
  CallGraph(BinaryenModuleRef module, std::span<const uint32_t> referenced) {
    std::vector<uint32_t> by_wasm_index;
    for (BinaryenIndex i = 0, n = BinaryenGetNumFunctions(module); i < n; ++i) {
      BinaryenFunctionRef function = BinaryenGetFunctionByIndex(module, i);
      const char* import_module = BinaryenFunctionImportGetModule(function);
      by_wasm_index.push_back(kNone);
      if ((import_module && *import_module) || !BinaryenFunctionGetBody(function)) continue;
      by_wasm_index.back() = uint32_t(functions_.size());
      index_[BinaryenFunctionGetName(function)] = uint32_t(functions_.size());
      functions_.push_back(function);
    }
    callees_.resize(functions_.size());
    reentrant_.assign(functions_.size(), false);
    for (uint32_t f = 0; f < functions_.size(); ++f) collect(BinaryenFunctionGetBody(functions_[f]), f);
    for (uint32_t wasm_index : referenced) {
      if (wasm_index < by_wasm_index.size() && by_wasm_index[wasm_index] != kNone) {
        reentrant_[by_wasm_index[wasm_index]] = true;
      }
    }
    for (BinaryenIndex g = 0, n = BinaryenGetNumGlobals(module); g < n; ++g) {
      if (BinaryenExpressionRef init = BinaryenGlobalGetInitExpr(BinaryenGetGlobalByIndex(module, g))) {
        collect(init, kNone);
      }
    }
    markCycles();
  }

  uint32_t size() const { return uint32_t(functions_.size()); }
  BinaryenFunctionRef function(uint32_t f) const { return functions_[f]; }
  // The defined function `name` names, or kNone (an import).
  uint32_t find(const char* name) const {
    auto it = index_.find(name);
    return it == index_.end() ? kNone : it->second;
  }
  // Whether `f` can be entered again before it returns (see the top of this file).
  bool reentrant(uint32_t f) const { return reentrant_[f]; }
  // The functions, callees before their callers wherever calls do not form cycles.
  const std::vector<uint32_t>& bottomUp() const { return bottom_up_; }

 private:
  // Records the direct calls and function references in `e` (of function `from`, or of no
  // function if kNone).
  void collect(BinaryenExpressionRef e, uint32_t from) {
    const ExpressionIds& id = expressionIds();
    std::vector<Child> children;
    std::vector<BinaryenExpressionRef> stack = {e};
    while (!stack.empty()) {
      BinaryenExpressionRef next = stack.back();
      stack.pop_back();
      BinaryenExpressionId kind = BinaryenExpressionGetId(next);
      if (kind == id.Call && from != kNone) {
        uint32_t callee = find(BinaryenCallGetTarget(next));
        if (callee != kNone) callees_[from].push_back(callee);
      } else if (kind == id.RefFunc) {
        markReferenced(BinaryenRefFuncGetFunc(next));
      }
      children.clear();
      childrenOf(next, children);
      for (const Child& child : children) stack.push_back(child.expr);
    }
  }

  void markReferenced(const char* name) {
    uint32_t f = name ? find(name) : kNone;
    if (f != kNone) reentrant_[f] = true;
  }

  // Tarjan's strongly connected components, without recursion (call graphs can be deep):
  // members of a component with a cycle are reentrant, and components come out callees first.
  void markCycles() {
    const uint32_t n = size();
    std::vector<uint32_t> order(n, kNone), low(n, 0), component;
    std::vector<bool> on_stack(n, false);
    uint32_t counter = 0;
    struct Frame {
      uint32_t f;
      size_t next_callee;
    };
    for (uint32_t root = 0; root < n; ++root) {
      if (order[root] != kNone) continue;
      std::vector<Frame> frames = {{root, 0}};
      order[root] = low[root] = counter++;
      component.push_back(root);
      on_stack[root] = true;
      while (!frames.empty()) {
        Frame& frame = frames.back();
        uint32_t f = frame.f;
        if (frame.next_callee < callees_[f].size()) {
          uint32_t g = callees_[f][frame.next_callee++];
          if (g == f) reentrant_[f] = true;
          if (order[g] == kNone) {
            order[g] = low[g] = counter++;
            component.push_back(g);
            on_stack[g] = true;
            frames.push_back({g, 0});
          } else if (on_stack[g]) {
            low[f] = std::min(low[f], order[g]);
          }
          continue;
        }
        frames.pop_back();
        if (!frames.empty()) low[frames.back().f] = std::min(low[frames.back().f], low[f]);
        if (low[f] != order[f]) continue;
        size_t start = component.size();
        while (component[start - 1] != f) --start;
        --start;
        bool cycle = component.size() - start > 1;
        for (size_t i = start; i < component.size(); ++i) {
          on_stack[component[i]] = false;
          if (cycle) reentrant_[component[i]] = true;
          bottom_up_.push_back(component[i]);
        }
        component.resize(start);
      }
    }
  }

  std::vector<BinaryenFunctionRef> functions_;
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<std::vector<uint32_t>> callees_;
  std::vector<bool> reentrant_;
  std::vector<uint32_t> bottom_up_;
};

class Pass {
 public:
  Pass(BinaryenModuleRef module, std::span<const uint32_t> referenced)
      : module_(module), calls_(module, referenced) {}

  ReductionCounting run() {
    // What a call of each function costs the charge that covers it: 1 for the call itself
    // if the function charges on entry, else its whole cost. Known for every callee by the
    // time its callers are walked, except within cycles, whose members all charge on entry.
    cost_for_callers_.assign(calls_.size(), 1);
    for (uint32_t f : calls_.bottomUp()) {
      BinaryenFunctionRef function = calls_.function(f);
      BinaryenExpressionRef body = BinaryenFunctionGetBody(function);
      Region region;
      labels_ = {""};  // depth 0: the function itself, which a return leaves
      walk(body, region, false);
      if (calls_.reentrant(f) || region.cost > kMaxFoldedCost) {
        BinaryenFunctionSetBody(function, charged(region.cost, body));
        ++result_.entry_charges;
      } else {
        cost_for_callers_[f] = std::max<uint64_t>(region.cost, 1);
      }
    }
    if (!marker_.empty()) {
      BinaryenAddFunctionImport(module_, marker_.c_str(), kInternalImportModule, kReductionsImportBase,
                                BinaryenTypeInt32(), BinaryenTypeNone());
    }
    return result_;
  }

 private:
  // What the charge at the start of a function body or loop body pays for.
  struct Region {
    uint64_t cost = 0;
  };

  // Adds up `e` and its children into `region`, charging the loops among them and the calls
  // that need charges of their own on the way. `conditional`: whether `e` may not run when
  // the region's charge has. The tree is only changed below `e`: loop bodies and calls are
  // replaced once walked. Returns the outermost label a branch in `e` targets, as its depth
  // in labels_ (0 for a return, kNoBranch if none), so that a block knows which of its items
  // may be skipped: those after an item that branches out of itself.
  size_t walk(BinaryenExpressionRef e, Region& region, bool conditional) {
    const ExpressionIds& id = expressionIds();
    BinaryenExpressionId kind = BinaryenExpressionGetId(e);
    if (kind != id.Block) ++region.cost;
    const char* label = kind == id.Block ? BinaryenBlockGetName(e) : kind == id.Loop ? BinaryenLoopGetName(e) : nullptr;
    if (label) labels_.push_back(label);
    size_t outermost = targets(e);
    if (kind == id.Loop) {
      Region inner;
      BinaryenExpressionRef body = BinaryenLoopGetBody(e);
      outermost = std::min(outermost, walk(body, inner, false));
      BinaryenLoopSetBody(e, charged(inner.cost, body));
      ++result_.loop_charges;
    } else {
      std::vector<Child> children;
      childrenOf(e, children);
      bool skippable = false;  // a block's items after one that branches out of itself
      for (size_t i = 0; i < children.size(); ++i) {
        const Child& child = children[i];
        bool arm = kind == id.If && i > 0;  // an `if` runs one arm of two
        bool child_conditional = conditional || arm || skippable;
        size_t child_outermost = walk(child.expr, region, child_conditional);
        outermost = std::min(outermost, child_outermost);
        if (kind == id.Block && child_outermost < labels_.size()) skippable = true;
        BinaryenExpressionRef replaced = chargedCall(child.expr, region, child_conditional);
        if (replaced != child.expr) child.set(e, child.index, replaced);
      }
    }
    if (label) labels_.pop_back();
    return outermost;
  }

  // The outermost label the branch `e` targets (see walk), or kNoBranch if it is none.
  size_t targets(BinaryenExpressionRef e) const {
    const ExpressionIds& id = expressionIds();
    BinaryenExpressionId kind = BinaryenExpressionGetId(e);
    if (kind == id.Return) return 0;
    size_t outermost = kNoBranch;
    auto target = [&](const char* name) {
      for (size_t depth = labels_.size(); depth-- > 0;) {
        if (std::string_view(labels_[depth]) == name) {
          outermost = std::min(outermost, depth);
          return;
        }
      }
      outermost = 0;  // not found: treat it as leaving everything
    };
    if (kind == id.Break) {
      target(BinaryenBreakGetName(e));
    } else if (kind == id.Switch) {
      for (BinaryenIndex i = 0, n = BinaryenSwitchGetNumNames(e); i < n; ++i) target(BinaryenSwitchGetNameAt(e, i));
      target(BinaryenSwitchGetDefaultName(e));
    }
    return outermost;
  }

  // A direct call of a function charged by its callers: its cost goes to the region's
  // charge, or, if the call may not run when that charge has, to a charge of its own
  // (returned: the call in a block after it). Anything else is returned as it is.
  BinaryenExpressionRef chargedCall(BinaryenExpressionRef e, Region& region, bool conditional) {
    if (BinaryenExpressionGetId(e) != expressionIds().Call) return e;
    uint32_t callee = calls_.find(BinaryenCallGetTarget(e));
    if (callee == kNone || calls_.reentrant(callee) || cost_for_callers_[callee] == 1) return e;
    uint64_t cost = cost_for_callers_[callee];
    if (!conditional || cost <= kFoldedAnyway) {
      region.cost += cost - 1;  // the call itself is counted already
      return e;
    }
    ++result_.call_charges;
    return charged(cost, e);
  }

  // `(block (call $marker (i32.const COST)) BODY)`, of BODY's type.
  BinaryenExpressionRef charged(uint64_t cost, BinaryenExpressionRef body) {
    int32_t amount = int32_t(std::clamp<uint64_t>(cost, 1, INT32_MAX));
    BinaryenExpressionRef operand = BinaryenConst(module_, BinaryenLiteralInt32(amount));
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
  CallGraph calls_;
  std::vector<uint64_t> cost_for_callers_;
  std::vector<const char*> labels_;  // of the blocks and loops around the expression walked
  std::string marker_;
  ReductionCounting result_;
};

}  // namespace

ReductionCounting addReductionCounting(BinaryenModuleRef module, std::span<const uint32_t> referenced) {
  return Pass(module, referenced).run();
}

bool isReductionsMarker(BinaryenFunctionRef function) {
  const char* module = BinaryenFunctionImportGetModule(function);
  const char* base = BinaryenFunctionImportGetBase(function);
  return module && base && std::string(module) == kInternalImportModule && std::string(base) == kReductionsImportBase;
}

}  // namespace lunaticc
