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
  const ExpressionOffsets& offsets() const { return offsets_; }
  std::string producer, language_file, directory;
  unsigned language = 0;

 private:
  GuestDebugInfo() = default;
  std::unique_ptr<llvm::DWARFContext> dwarf_;
  ExpressionOffsets offsets_;
  std::vector<uint32_t> body_offsets_;
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
  // Writes the metadata out; call once, after the last function.
  void finish();

 private:
  llvm::DIFile* file(const std::string& path);
  llvm::DIScope* scopeIn(llvm::DISubprogram* subprogram, const std::string& path);
  llvm::DISubprogram* subprogram(const std::string& name, const std::string& linkage_name,
                                 const std::string& path, uint32_t line);

  llvm::LLVMContext& context_;
  const GuestDebugInfo* guest_;
  llvm::DIBuilder builder_;
  llvm::DICompileUnit* unit_;
  llvm::DISubroutineType* type_;
  llvm::DISubprogram* current_ = nullptr;
  std::map<std::string, llvm::DIFile*> files_;
  std::map<std::tuple<std::string, std::string, uint32_t>, llvm::DISubprogram*> inlined_;
  std::unordered_map<uint32_t, llvm::DILocation*> locations_;  // of current_, by offset
};

}  // namespace lunaticc
