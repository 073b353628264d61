// State shared by the module-level and the function-level halves of the translator
// (module.cpp, and function.h with the files that lower each instruction family): the LLVM module under construction, the
// mapping of Wasm entities to indices, and the ABI accessors every lowering uses.
#pragma once

#include <binaryen-c.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/debuginfo/debug_info.h"
#include "compiler/frontend/module_info.h"
#include "compiler/translate/module.h"

namespace lunaticc {

class ModuleTranslation {
 public:
  ModuleTranslation(BinaryenModuleRef wasm, const ModuleInfo& info, llvm::Module& module,
                    const TranslateOptions& options);

  BinaryenModuleRef wasm;
  const ModuleInfo& info;
  llvm::LLVMContext& context;
  llvm::Module& module;
  const TranslateOptions& options;

  llvm::Type* i8;
  llvm::Type* i32;
  llvm::Type* i64;
  llvm::Type* f32;
  llvm::Type* f64;
  llvm::Type* v128;
  llvm::PointerType* ptr;
  llvm::Type* void_type;

  // Wasm entities by index; Binaryen refers to them by name.
  // Imports first, then defined functions, then table-op markers, then the reductions marker.
  std::vector<BinaryenFunctionRef> functions;
  std::vector<llvm::Function*> llvm_functions;     // null for imports and markers
  std::unordered_map<std::string, uint32_t> function_index;
  std::unordered_map<std::string, uint32_t> global_index;
  std::unordered_map<std::string, uint32_t> table_index;
  uint32_t num_functions = 0;                      // without the markers
  // Per function index, how many of memory 0's values (its base, then in bounds-checked
  // mode its size) the function takes as arguments after the instance: see
  // memoryArguments in module.cpp. 0 for imports, markers and functions that escape.
  std::vector<uint8_t> memory_arguments;
  // Debug metadata, if options.debug_info.
  std::unique_ptr<DebugInfoBuilder> debug;
  // The marker import of passes/preemption/reductions.h, if the module has one: calls to
  // it become the inline reduction charge (calls.cpp), never a call.
  std::optional<uint32_t> reductions_marker;

  // The module's signature strings (abi.h) and their indices in the descriptor.
  std::vector<std::string> signatures;
  std::unordered_map<std::string, uint32_t> signature_index;
  uint32_t internSignature(BinaryenType params, BinaryenType results);

  // Type mapping. A single Wasm value type to LLVM; results to void, a type, or a struct.
  llvm::Type* valueType(BinaryenType type);
  llvm::Type* resultType(BinaryenType results);
  llvm::FunctionType* functionType(BinaryenType params, BinaryenType results);

  // Runtime entry points (abi.h), declared on first use.
  llvm::FunctionCallee runtime(const char* name, llvm::Type* result, llvm::ArrayRef<llvm::Type*> params);
  llvm::FunctionCallee trapFunction();
  llvm::FunctionCallee yieldFunction();

  // Loads from the instance and the structures it points to. They never alias linear
  // memory, and the pointers in the instance do not change once it is set up, which the
  // TBAA and invariant.load metadata tell LLVM.
  llvm::Value* loadField(llvm::IRBuilder<>& b, llvm::Type* type, llvm::Value* base, size_t offset,
                         bool invariant, const llvm::Twine& name = "");
  llvm::Value* loadInstanceField(llvm::IRBuilder<>& b, llvm::Value* instance, size_t offset,
                                 const llvm::Twine& name = "");
  // The cell of global `index`: in the instance for the first own ones (abi.h's
  // inline_globals), else through the instance's array of cells.
  llvm::Value* globalCell(llvm::IRBuilder<>& b, llvm::Value* instance, uint32_t index);
  // The lunatic_func of function `index` (funcs[index]).
  llvm::Value* funcObject(llvm::IRBuilder<>& b, llvm::Value* instance, uint32_t index);
  // Tags a load or store of linear memory.
  void tagLinearMemory(llvm::Instruction* access);
  // Tags a load or store of the instance's reductions_left, which nothing generated code
  // reads or writes otherwise aliases (calls aside).
  void tagReductions(llvm::Instruction* access);
  // Loads and stores the value of global `index`. Global cells never alias linear memory
  // or the instance; an immutable global's cell never changes once `initialize` has run,
  // which lets LLVM hoist its loads.
  llvm::Value* loadGlobal(llvm::IRBuilder<>& b, llvm::Value* instance, uint32_t index, llvm::Type* type);
  void storeGlobal(llvm::IRBuilder<>& b, llvm::Value* instance, uint32_t index, llvm::Value* value);

  // Evaluates a constant expression of ModuleInfo (global initialisers, segment offsets).
  llvm::Value* constExpr(llvm::IRBuilder<>& b, llvm::Value* instance, const ConstExpr& e, uint8_t type);
  llvm::Type* typeOfCode(uint8_t code);

 private:
  llvm::MDNode* vm_tbaa_;
  llvm::MDNode* memory_tbaa_;
  llvm::MDNode* global_tbaa_;
  llvm::MDNode* reductions_tbaa_;
};

// Lowers the body of defined function `index` into translation.llvm_functions[index].
// Returns an error line for unsupported constructs, else empty.
std::string translateFunctionBody(ModuleTranslation& translation, uint32_t index);

}  // namespace lunaticc
