// Debug info for generated code: an LLVM DISubprogram for every Wasm function and a
// DILocation on the code translated from each instruction, from which LLVM writes the
// executable's DWARF (.debug_line, .debug_info with inlined subroutines).
//
// With `lunaticc -g` the locations are the guest's own: its DWARF (clang -g, rustc -g, in
// the module's .debug_* custom sections), read with LLVM's DWARF reader, gives each
// instruction's file, line and column and the chain of guest functions inlined there, and
// wasm_offsets.h gives each expression its instruction. Then gdb breaks on guest source
// lines, and perf and the trap backtrace name them.
//
// With -g, the guest's variables and parameters that its DWARF puts in a Wasm local
// (DW_OP_WASM_location 0x0 N) get a DILocalVariable, so gdb prints them. One in a local
// nothing writes, over the whole function, is that local's initial value (its argument)
// from the entry on. The others are given, as the translator goes (it lowers in code
// order), the local's value where the code enters one of their ranges, if the translator
// holds it (the initial value, or what the same block stored), and no location where the
// code leaves them or writes the local inside them: clang's Wasm backend reuses locals
// without ending the ranges of the variables they held. No load is made for the debugger,
// which could change the code.
// Variables in linear memory (DW_OP_fbreg), in the operand stack or only partly in locals,
// and those of functions the guest's compiler inlined, are left out: gdb says
// "optimized out", never a wrong value.
//
// Without -g every function still gets a subprogram and its code a location of line 0 in
// it: enough for LLVM to record which functions it inlines where (DW_TAG_inlined_subroutine),
// which the trap backtrace reads (inline_table.h); the linker then leaves the DWARF out.
// Metadata never changes the instructions LLVM generates, so -g changes no instruction
// (tests/debug, the same_code cases, hold this to a disassembly).
#pragma once

#include <binaryen-c.h>
#include <llvm/IR/DIBuilder.h>

#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "compiler/debuginfo/wasm_offsets.h"
#include "compiler/frontend/module_info.h"

namespace llvm {
class DWARFContext;
class Function;
class Module;
}  // namespace llvm

namespace lunaticc {

// What the guest's DWARF says about its code, and which instruction each expression is.
class GuestDebugInfo {
 public:
  // Null if the module has no DWARF line table (built without -g, or stripped); `warning`
  // then says so. Call it on the module as read, before any pass changes it.
  static std::unique_ptr<GuestDebugInfo> read(BinaryenModuleRef module, const ModuleInfo& info,
                                              const InstructionStarts& starts, std::string& warning);
  ~GuestDebugInfo();

  // Guest frames at a code section offset, innermost first: the function inlined deepest
  // there, with the line it is at, up to the function the code belongs to, each with the
  // line where it calls the one before. Empty where the line table has no line.
  struct Frame {
    std::string function, file;
    uint32_t line = 0, column = 0;
    std::string declaration_file;
    uint32_t declaration_line = 0;
  };
  std::vector<Frame> framesAt(uint32_t offset) const;

  // Where the body of defined function `defined` (0 = first body) starts in the code section.
  uint32_t bodyOffset(uint32_t defined) const { return body_offsets_[defined]; }

  // A variable or parameter of a guest function that its DWARF puts in Wasm locals, with the
  // base type it is shown with (a pointer as the 32-bit offset it is in Wasm).
  struct Variable {
    static constexpr uint32_t kNoLocal = UINT32_MAX;
    struct Range {
      uint32_t begin, end, local;  // in `local` over [begin, end) of the code section
    };
    std::string name, file;
    uint32_t line = 0;
    unsigned argument = 0;  // 1 + its position among the parameters; 0 for a variable
    std::string type_name;
    unsigned encoding = 0;  // DW_ATE_*
    uint32_t bytes = 0;
    uint32_t everywhere_in = kNoLocal;  // the local it is in over the whole function, or:
    std::vector<Range> ranges;          // where it is in a local; nowhere known else
  };
  // Those of defined function `defined`, directly or in its lexical blocks.
  std::vector<Variable> variablesOf(uint32_t defined) const;
  const ExpressionOffsets& offsets() const { return offsets_; }
  std::string producer, language_file, directory;
  unsigned language = 0;

 private:
  GuestDebugInfo() = default;
  std::unique_ptr<llvm::DWARFContext> dwarf_;
  ExpressionOffsets offsets_;
  std::vector<uint32_t> body_offsets_;
  std::vector<uint32_t> first_instructions_;  // of each body, in the code section
};

class DebugInfoBuilder {
 public:
  // `guest` null: functions and line 0 only (see the top of this file).
  DebugInfoBuilder(llvm::Module& module, const GuestDebugInfo* guest, const std::string& module_name);
  ~DebugInfoBuilder();

  // Gives `fn`, the code of defined function `defined` (0 = first body), its subprogram
  // named `name` (the guest's DWARF may name it otherwise).
  void describeFunction(llvm::Function* fn, uint32_t defined, const std::string& name);
  // Starts on the body of `fn`, described before; returns the location of its prologue.
  llvm::DILocation* beginFunction(llvm::Function* fn);
  // The location of the code of `e` in the function `beginFunction` last began, or null where
  // `e` has none of its own (an expression a pass added, or a line the guest did not record).
  llvm::DILocation* locationOf(BinaryenExpressionRef e);
  // The guest variables in locals of defined function `defined`, begun last (see the top
  // of this file): `slots` are its locals' allocas, `initial` the values they start with,
  // stored in `block`; `body` is its Binaryen body, `entry` its entry block.
  void describeVariables(uint32_t defined, const std::vector<llvm::AllocaInst*>& slots,
                         const std::vector<llvm::Value*>& initial, BinaryenExpressionRef body,
                         llvm::BasicBlock* entry, llvm::BasicBlock* block);
  // After the code of `e`, which ends in `block`: the variables whose ranges it enters or leaves.
  void afterExpression(BinaryenExpressionRef e, llvm::BasicBlock* block);
  // After the code of local.set (or tee) `e` stored `value` in `local`, ending in `block`:
  // the variables in `local` there lose their location.
  void afterLocalSet(BinaryenExpressionRef e, uint32_t local, llvm::Value* value, llvm::BasicBlock* block);
  // Writes the metadata out; call once, after the last function.
  void finish();

 private:
  llvm::DIFile* file(const std::string& path);
  llvm::DIScope* scopeIn(llvm::DISubprogram* subprogram, const std::string& path);
  llvm::DISubprogram* subprogram(const std::string& name, const std::string& linkage_name,
                                 const std::string& path, uint32_t line);
  llvm::DILocalVariable* localVariable(const GuestDebugInfo::Variable& variable);
  // A variable with ranges, as the translation moves through them.
  struct RangedVariable {
    llvm::DILocalVariable* variable;
    std::vector<GuestDebugInfo::Variable::Range> ranges;
    uint32_t in = GuestDebugInfo::Variable::kNoLocal;  // the local it is in here
  };
  void moveTo(uint32_t offset, llvm::BasicBlock* block);
  void setValue(const RangedVariable& ranged, llvm::Value* value, llvm::BasicBlock* block);

  llvm::LLVMContext& context_;
  const GuestDebugInfo* guest_;
  llvm::DIBuilder builder_;
  llvm::DICompileUnit* unit_;
  llvm::DISubroutineType* type_;
  llvm::DISubprogram* current_ = nullptr;
  std::map<std::string, llvm::DIFile*> files_;
  std::map<std::tuple<std::string, std::string, uint32_t>, llvm::DISubprogram*> inlined_;
  std::unordered_map<uint32_t, llvm::DILocation*> locations_;  // of current_, by offset
  std::map<std::tuple<std::string, unsigned, uint32_t>, llvm::DIBasicType*> types_;
  // Of current_: its variables with ranges, and for each local the value it is known to
  // hold: its argument if nothing writes it, else what `block` stored last.
  std::vector<RangedVariable> ranged_;
  struct Known {
    llvm::Value* fixed = nullptr;
    llvm::BasicBlock* block = nullptr;
    llvm::Value* stored = nullptr;
  };
  std::vector<Known> known_;
};

}  // namespace lunaticc
