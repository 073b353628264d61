// The module-level half of the translator (see module.h): function declarations, array
// entries, the `initialize` function and the lunatic_module descriptor. Function bodies are
// lowered by function.h's translator.
#include "compiler/translate/module.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>

#include <cstddef>
#include <cstring>
#include <optional>
#include <unordered_set>
#include <vector>

#include "compiler/frontend/host_functions.h"
#include "compiler/translate/context.h"
#include "passes/memory/check_limits.h"
#include "passes/preemption/reductions.h"

namespace lunaticc {

ModuleTranslation::ModuleTranslation(BinaryenModuleRef wasm_module, const ModuleInfo& module_info,
                                     llvm::Module& llvm_module, const TranslateOptions& translate_options)
    : wasm(wasm_module),
      info(module_info),
      context(llvm_module.getContext()),
      module(llvm_module),
      options(translate_options) {
  i8 = llvm::Type::getInt8Ty(context);
  i32 = llvm::Type::getInt32Ty(context);
  i64 = llvm::Type::getInt64Ty(context);
  f32 = llvm::Type::getFloatTy(context);
  f64 = llvm::Type::getDoubleTy(context);
  v128 = llvm::FixedVectorType::get(i64, 2);
  ptr = llvm::PointerType::get(context, 0);
  void_type = llvm::Type::getVoidTy(context);
  llvm::MDBuilder md(context);
  llvm::MDNode* root = md.createTBAARoot("lunatic");
  vm_tbaa_ = md.createTBAAStructTagNode(md.createTBAAScalarTypeNode("vm", root),
                                        md.createTBAAScalarTypeNode("vm", root), 0);
  llvm::MDNode* memory_type = md.createTBAAScalarTypeNode("linear memory", root);
  memory_tbaa_ = md.createTBAAStructTagNode(memory_type, memory_type, 0);
  llvm::MDNode* global_type = md.createTBAAScalarTypeNode("global", root);
  global_tbaa_ = md.createTBAAStructTagNode(global_type, global_type, 0);
  llvm::MDNode* reductions_type = md.createTBAAScalarTypeNode("reductions", root);
  reductions_tbaa_ = md.createTBAAStructTagNode(reductions_type, reductions_type, 0);
}

llvm::Type* ModuleTranslation::valueType(BinaryenType type) {
  if (type == BinaryenTypeInt32()) return i32;
  if (type == BinaryenTypeInt64()) return i64;
  if (type == BinaryenTypeFloat32()) return f32;
  if (type == BinaryenTypeFloat64()) return f64;
  if (type == BinaryenTypeVec128()) return v128;
  return ptr;  // funcref and externref
}

llvm::Type* ModuleTranslation::resultType(BinaryenType results) {
  uint32_t arity = BinaryenTypeArity(results);
  if (results == BinaryenTypeNone() || results == BinaryenTypeUnreachable() || arity == 0) return void_type;
  if (arity == 1) return valueType(results);
  std::vector<BinaryenType> parts(arity);
  BinaryenTypeExpand(results, parts.data());
  std::vector<llvm::Type*> fields;
  for (BinaryenType part : parts) fields.push_back(valueType(part));
  return llvm::StructType::get(context, fields);
}

llvm::FunctionType* ModuleTranslation::functionType(BinaryenType params, BinaryenType results) {
  std::vector<llvm::Type*> args = {ptr};
  if (params != BinaryenTypeNone()) {
    std::vector<BinaryenType> parts(BinaryenTypeArity(params));
    BinaryenTypeExpand(params, parts.data());
    for (BinaryenType part : parts) args.push_back(valueType(part));
  }
  return llvm::FunctionType::get(resultType(results), args, false);
}

namespace {

char typeCode(BinaryenType type) {
  if (type == BinaryenTypeInt32()) return LUNATIC_TYPE_I32;
  if (type == BinaryenTypeInt64()) return LUNATIC_TYPE_I64;
  if (type == BinaryenTypeFloat32()) return LUNATIC_TYPE_F32;
  if (type == BinaryenTypeFloat64()) return LUNATIC_TYPE_F64;
  if (type == BinaryenTypeVec128()) return LUNATIC_TYPE_V128;
  if (type == BinaryenTypeExternref()) return LUNATIC_TYPE_EXTERNREF;
  return LUNATIC_TYPE_FUNCREF;
}

void appendCodes(std::string& out, BinaryenType type) {
  if (type == BinaryenTypeNone()) return;
  std::vector<BinaryenType> parts(BinaryenTypeArity(type));
  BinaryenTypeExpand(type, parts.data());
  for (BinaryenType part : parts) out += typeCode(part);
}

}  // namespace

uint32_t ModuleTranslation::internSignature(BinaryenType params, BinaryenType results) {
  std::string signature;
  appendCodes(signature, params);
  signature += ':';
  appendCodes(signature, results);
  auto [it, added] = signature_index.emplace(signature, uint32_t(signatures.size()));
  if (added) signatures.push_back(signature);
  return it->second;
}

llvm::FunctionCallee ModuleTranslation::runtime(const char* name, llvm::Type* result,
                                                llvm::ArrayRef<llvm::Type*> params) {
  return module.getOrInsertFunction(name, llvm::FunctionType::get(result, params, false));
}

llvm::FunctionCallee ModuleTranslation::trapFunction() {
  llvm::FunctionCallee trap = runtime("lunatic_trap", void_type, {i32});
  if (auto* f = llvm::dyn_cast<llvm::Function>(trap.getCallee())) {
    f->setDoesNotReturn();
    f->addFnAttr(llvm::Attribute::Cold);
    f->addFnAttr(llvm::Attribute::NoUnwind);
  }
  return trap;
}

llvm::FunctionCallee ModuleTranslation::yieldFunction() {
  llvm::FunctionCallee yield = runtime("lunatic_yield", void_type, {ptr});
  if (auto* f = llvm::dyn_cast<llvm::Function>(yield.getCallee())) {
    // Reached once a time slice is spent: rarely, compared with the code that charges.
    f->addFnAttr(llvm::Attribute::Cold);
    f->addFnAttr(llvm::Attribute::NoUnwind);
  }
  return yield;
}

llvm::Value* ModuleTranslation::loadField(llvm::IRBuilder<>& b, llvm::Type* type, llvm::Value* base,
                                          size_t offset, bool invariant, const llvm::Twine& name) {
  llvm::Value* address = offset ? b.CreateConstInBoundsGEP1_64(i8, base, offset) : base;
  llvm::LoadInst* load = b.CreateLoad(type, address, name);
  load->setMetadata(llvm::LLVMContext::MD_tbaa, vm_tbaa_);
  if (invariant) load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context, {}));
  return load;
}

llvm::Value* ModuleTranslation::loadInstanceField(llvm::IRBuilder<>& b, llvm::Value* instance,
                                                  size_t offset, const llvm::Twine& name) {
  return loadField(b, ptr, instance, offset, true, name);
}

llvm::Value* ModuleTranslation::globalCell(llvm::IRBuilder<>& b, llvm::Value* instance, uint32_t index) {
  if (index >= info.num_imported_globals && index - info.num_imported_globals < LUNATIC_INLINE_GLOBALS) {
    size_t own = index - info.num_imported_globals;
    return b.CreateConstInBoundsGEP1_64(
        i8, instance, offsetof(lunatic_instance, inline_globals) + own * sizeof(lunatic_value), "global.cell");
  }
  llvm::Value* cells = loadInstanceField(b, instance, offsetof(lunatic_instance, globals), "globals");
  return loadField(b, ptr, cells, size_t(index) * sizeof(void*), true, "global.cell");
}

llvm::Value* ModuleTranslation::funcObject(llvm::IRBuilder<>& b, llvm::Value* instance, uint32_t index) {
  llvm::Value* funcs = loadInstanceField(b, instance, offsetof(lunatic_instance, funcs), "funcs");
  return loadField(b, ptr, funcs, size_t(index) * sizeof(void*), true, "func");
}

void ModuleTranslation::tagLinearMemory(llvm::Instruction* access) {
  access->setMetadata(llvm::LLVMContext::MD_tbaa, memory_tbaa_);
}

void ModuleTranslation::tagReductions(llvm::Instruction* access) {
  access->setMetadata(llvm::LLVMContext::MD_tbaa, reductions_tbaa_);
}

llvm::Value* ModuleTranslation::loadGlobal(llvm::IRBuilder<>& b, llvm::Value* instance, uint32_t index,
                                           llvm::Type* type) {
  llvm::LoadInst* load = b.CreateLoad(type, globalCell(b, instance, index), "global");
  load->setMetadata(llvm::LLVMContext::MD_tbaa, global_tbaa_);
  if (index < info.globals.size() && !info.globals[index].is_mutable) {
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context, {}));
  }
  return load;
}

void ModuleTranslation::storeGlobal(llvm::IRBuilder<>& b, llvm::Value* instance, uint32_t index,
                                    llvm::Value* value) {
  b.CreateStore(value, globalCell(b, instance, index))->setMetadata(llvm::LLVMContext::MD_tbaa, global_tbaa_);
}

llvm::Type* ModuleTranslation::typeOfCode(uint8_t code) {
  switch (code) {
    case LUNATIC_TYPE_I32: return i32;
    case LUNATIC_TYPE_I64: return i64;
    case LUNATIC_TYPE_F32: return f32;
    case LUNATIC_TYPE_F64: return f64;
    case LUNATIC_TYPE_V128: return v128;
  }
  return ptr;
}

llvm::Value* ModuleTranslation::constExpr(llvm::IRBuilder<>& b, llvm::Value* instance,
                                          const ConstExpr& e, uint8_t type) {
  switch (e.kind) {
    case ConstExpr::Kind::I32: return b.getInt32(uint32_t(e.bits[0]));
    case ConstExpr::Kind::I64: return b.getInt64(e.bits[0]);
    case ConstExpr::Kind::F32: return b.CreateBitCast(b.getInt32(uint32_t(e.bits[0])), f32);
    case ConstExpr::Kind::F64: return b.CreateBitCast(b.getInt64(e.bits[0]), f64);
    case ConstExpr::Kind::V128:
      return llvm::ConstantVector::get({b.getInt64(e.bits[0]), b.getInt64(e.bits[1])});
    case ConstExpr::Kind::RefNull: return llvm::ConstantPointerNull::get(ptr);
    case ConstExpr::Kind::RefFunc: return funcObject(b, instance, e.index);
    case ConstExpr::Kind::GlobalGet:
      return b.CreateLoad(typeOfCode(type), globalCell(b, instance, e.index));
  }
  return nullptr;
}

namespace {

constexpr llvm::GlobalValue::LinkageTypes kInternal = llvm::GlobalValue::InternalLinkage;

// Every function the LLVM backend may call by name (RuntimeLibcalls.def lists them).
const std::unordered_set<std::string>& libraryFunctionNames() {
  static const std::unordered_set<std::string> names = [] {
    std::unordered_set<std::string> set;
    auto add = [&](const char* name) {
      if (name) set.insert(name);
    };
#define HANDLE_LIBCALL(code, name) add(name);
#include <llvm/IR/RuntimeLibcalls.def>
#undef HANDLE_LIBCALL
    return set;
  }();
  return names;
}

// Attributes every generated function carries: frame pointers for backtraces and perf;
// a frame of a page or more checked whole against the stack limit by lunatic_stack_probe
// before the prologue allocates it, where the target calls probe functions (abi.h; the
// entry compare covers smaller frames, and on AArch64 all: the runtime keeps room below
// the limit for the largest frame).
//
// Wasm functions go in options.code_section, whose bounds the runtime uses to name frames in
// backtraces; array entries and the initializer are host-side glue and go in a section of
// their own, so no frame of theirs is taken for the Wasm function laid out before them.
void setCodeAttributes(llvm::Function* f, const TranslateOptions& options, bool wasm_code = true) {
  f->setSection(wasm_code ? options.code_section : options.code_section + "_glue");
  f->addFnAttr("frame-pointer", "all");
  if (options.stack_probe_function) {
    f->addFnAttr("probe-stack", "lunatic_stack_probe");
    f->addFnAttr("stack-probe-size", std::to_string(LUNATIC_STACK_PROBE_SIZE));
  }
  f->addFnAttr(llvm::Attribute::NoUnwind);
  f->setUWTableKind(llvm::UWTableKind::Async);
  if (!options.target_cpu.empty()) f->addFnAttr("target-cpu", options.target_cpu);
  if (!options.target_features.empty()) f->addFnAttr("target-features", options.target_features);
}

class ModuleTranslator {
 public:
  ModuleTranslator(ModuleTranslation& t) : t_(t), b_(t.context) {}

  std::string run() {
    if (std::string e = collectEntities(); !e.empty()) return e;
    declareFunctions();
    for (uint32_t i = t_.info.num_imported_functions; i < t_.num_functions; ++i) {
      if (std::string e = translateFunctionBody(t_, i); !e.empty()) return e;
    }
    std::vector<llvm::Function*> array_entries = arrayEntries();
    llvm::Function* initialize = initializer();
    return emitDescriptor(array_entries, initialize);
  }

 private:
  std::string collectEntities() {
    const ModuleInfo& info = t_.info;
    t_.num_functions = uint32_t(info.function_types.size());
    BinaryenIndex count = BinaryenGetNumFunctions(t_.wasm);
    const uint32_t expected = t_.num_functions + uint32_t(info.table_op_markers.size());
    // The reduction counting pass appends its marker import after everything else.
    if (count == expected + 1 && isReductionsMarker(BinaryenGetFunctionByIndex(t_.wasm, expected))) {
      t_.reductions_marker = expected;
    } else if (count != expected) {
      return "internal error: Binaryen sees " + std::to_string(count) + " functions, expected " +
             std::to_string(expected);
    }
    for (BinaryenIndex i = 0; i < count; ++i) {
      BinaryenFunctionRef f = BinaryenGetFunctionByIndex(t_.wasm, i);
      t_.functions.push_back(f);
      t_.function_index[BinaryenFunctionGetName(f)] = i;
    }
    for (BinaryenIndex i = 0, n = BinaryenGetNumGlobals(t_.wasm); i < n; ++i) {
      t_.global_index[BinaryenGlobalGetName(BinaryenGetGlobalByIndex(t_.wasm, i))] = i;
    }
    for (BinaryenIndex i = 0, n = BinaryenGetNumTables(t_.wasm); i < n; ++i) {
      t_.table_index[BinaryenTableGetName(BinaryenGetTableByIndex(t_.wasm, i))] = i;
    }
    // abi.h describes segment items by function index only. An active segment is applied
    // by `initialize` itself, so its global.get items are fine (see initializer()); a
    // passive one would need the runtime to evaluate them at table.init.
    for (const ElemSegment& seg : info.elem_segments) {
      if (seg.mode == ElemSegment::Mode::Passive && hasGlobalGetItem(seg)) {
        return "unsupported: global.get in a passive element segment";
      }
    }
    return {};
  }

  void declareFunctions() {
    t_.llvm_functions.assign(t_.functions.size(), nullptr);
    t_.memory_arguments.assign(t_.functions.size(), 0);
    escaping_ = escapingFunctions();
    for (uint32_t i = t_.info.num_imported_functions; i < t_.num_functions; ++i) {
      BinaryenFunctionRef f = t_.functions[i];
      llvm::FunctionType* type = t_.functionType(BinaryenFunctionGetParams(f), BinaryenFunctionGetResults(f));
      if (unsigned count = memoryArguments(i, type)) {
        std::vector<llvm::Type*> params(type->param_begin(), type->param_end());
        llvm::Type* memory_values[] = {t_.ptr, t_.i64};
        params.insert(params.begin() + 1, memory_values, memory_values + count);
        type = llvm::FunctionType::get(type->getReturnType(), params, false);
        t_.memory_arguments[i] = uint8_t(count);
      }
      llvm::Function* fn = llvm::Function::Create(type, kInternal, symbolName(displayName(i)), t_.module);
      setCodeAttributes(fn, t_.options);
      if (t_.debug) t_.debug->describeFunction(fn, i - t_.info.num_imported_functions, displayName(i));
      fn->getArg(0)->setName("instance");
      const char* memory_names[] = {"memory.base.arg", "memory.size.arg"};
      for (unsigned k = 0; k < t_.memory_arguments[i]; ++k) fn->getArg(1 + k)->setName(memory_names[k]);
      if (t_.memory_arguments[i] >= 2) fn->addParamAttr(2, llvm::Attribute::get(t_.context, kMemorySizeMarker));
      t_.llvm_functions[i] = fn;
    }
  }

  // Wasm names become symbol names as they are, so perf and gdb show them, except where
  // one could be taken for an LLVM intrinsic, one of the runtime's or our own symbols, or a
  // library function the backend calls by name. The last matters because C programs
  // compiled to Wasm often define memcpy, memset, floorf...: LLVM turns loops into
  // llvm.memset, or lowers llvm.floor without SSE4.1 to a call of floorf, and the assembler
  // would bind such a call to the local Wasm function of that name.
  // A function's name for people: its name-section name, or, where it has none (Binaryen
  // then names it by its index), the name it is exported under.
  std::string displayName(uint32_t index) {
    std::string name = BinaryenFunctionGetName(t_.functions[index]);
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) return name;
    for (const Export& e : t_.info.exports) {
      if (e.kind == LUNATIC_EXTERN_FUNC && e.index == index && e.name.find('\0') == std::string::npos) {
        return e.name;
      }
    }
    return "function[" + name + "]";
  }

  std::string symbolName(const std::string& wasm_name) {
    bool reserved = wasm_name.starts_with("llvm.") || wasm_name.starts_with("lunatic") ||
                    wasm_name.starts_with("__") || wasm_name == t_.options.module_symbol ||
                    libraryFunctionNames().count(wasm_name);
    return reserved ? "wasm:" + wasm_name : wasm_name;
  }

  // How many of memory 0's values function `index`, of ABI type `type`, takes as
  // arguments (context.h): its base, and in bounds-checked mode its size. Every function
  // that uses the memory reads them on entry through the instance, two dependent loads
  // before its first access; a direct caller has them in registers already (in bounds-
  // checked mode it reads them again after any call that may grow the memory, so what it
  // passes is current). Only functions called by nothing but direct calls can take them:
  // the others keep the signature of abi.h, which func objects are called by. And only
  // while all the arguments still fit in the registers of the C calling convention (six),
  // so that none of the function's own goes to the stack.
  unsigned memoryArguments(uint32_t index, llvm::FunctionType* type) {
    if (t_.info.memories.empty() || escaping_.count(index)) return 0;
    unsigned count = t_.options.memory_mode == LUNATIC_MEMORY_GUARD_PAGES ? 1 : 2;
    unsigned integer_registers = count;
    for (llvm::Type* param : type->params()) integer_registers += param->isIntOrPtrTy() ? 1 : 0;
    return integer_registers <= 6 ? count : 0;
  }

  // Functions whose funcref can leave the module get an array entry (abi.h).
  std::unordered_set<uint32_t> escapingFunctions() {
    std::unordered_set<uint32_t> escaping;
    for (const Export& e : t_.info.exports) {
      if (e.kind == LUNATIC_EXTERN_FUNC) escaping.insert(e.index);
    }
    for (const ElemSegment& seg : t_.info.elem_segments) {
      for (const ConstExpr& item : seg.items) {
        if (item.kind == ConstExpr::Kind::RefFunc) escaping.insert(item.index);
      }
    }
    for (const Global& g : t_.info.globals) {
      if (!g.imported && g.init.kind == ConstExpr::Kind::RefFunc) escaping.insert(g.init.index);
    }
    if (t_.info.start) escaping.insert(*t_.info.start);
    return escaping;
  }

  std::vector<llvm::Function*> arrayEntries() {
    std::vector<llvm::Function*> entries(t_.num_functions, nullptr);
    llvm::FunctionType* entry_type = llvm::FunctionType::get(t_.void_type, {t_.ptr, t_.ptr}, false);
    for (uint32_t i = t_.info.num_imported_functions; i < t_.num_functions; ++i) {
      if (!escaping_.count(i)) continue;
      llvm::Function* target = t_.llvm_functions[i];
      llvm::Function* entry =
          llvm::Function::Create(entry_type, kInternal, target->getName() + ".array", t_.module);
      setCodeAttributes(entry, t_.options, false);
      b_.SetInsertPoint(llvm::BasicBlock::Create(t_.context, "entry", entry));
      llvm::Value* values = entry->getArg(1);
      std::vector<llvm::Value*> args = {entry->getArg(0)};
      llvm::FunctionType* type = target->getFunctionType();
      for (unsigned p = 1; p < type->getNumParams(); ++p) {
        llvm::Value* slot = b_.CreateConstInBoundsGEP1_64(t_.i8, values, (p - 1) * sizeof(lunatic_value));
        args.push_back(b_.CreateLoad(type->getParamType(p), slot));
      }
      // Not inlined: the Wasm function keeps its own frame, which backtraces name.
      llvm::CallInst* result = b_.CreateCall(target, args);
      result->addFnAttr(llvm::Attribute::NoInline);
      llvm::Type* result_type = type->getReturnType();
      auto store_result = [&](llvm::Value* v, unsigned k) {
        b_.CreateStore(v, b_.CreateConstInBoundsGEP1_64(t_.i8, values, k * sizeof(lunatic_value)));
      };
      if (auto* s = llvm::dyn_cast<llvm::StructType>(result_type)) {
        for (unsigned k = 0; k < s->getNumElements(); ++k) store_result(b_.CreateExtractValue(result, k), k);
      } else if (!result_type->isVoidTy()) {
        store_result(result, 0);
      }
      b_.CreateRetVoid();
      entries[i] = entry;
    }
    return entries;
  }

  static bool hasGlobalGetItem(const ElemSegment& seg) {
    for (const ConstExpr& item : seg.items) {
      if (item.kind == ConstExpr::Kind::GlobalGet) return true;
    }
    return false;
  }

  // table.init of a whole active segment, for the segments the runtime cannot apply itself
  // (global.get items): the bounds check first, as table.init does, then the writes.
  void writeSegmentInline(llvm::Value* instance, const ElemSegment& seg) {
    llvm::Function* init = b_.GetInsertBlock()->getParent();
    llvm::Value* tables = t_.loadInstanceField(b_, instance, offsetof(lunatic_instance, tables), "tables");
    llvm::Value* table = t_.loadField(b_, t_.ptr, tables, size_t(seg.table) * sizeof(void*), true, "table");
    llvm::Value* size = t_.loadField(b_, t_.i32, table, offsetof(lunatic_table, size), false, "table.size");
    llvm::Value* offset = b_.CreateZExt(t_.constExpr(b_, instance, seg.offset, LUNATIC_TYPE_I32), t_.i64);
    llvm::Value* end = b_.CreateAdd(offset, b_.getInt64(seg.items.size()));
    llvm::BasicBlock* trap = llvm::BasicBlock::Create(t_.context, "trap", init);
    llvm::BasicBlock* write = llvm::BasicBlock::Create(t_.context, "write", init);
    b_.CreateCondBr(b_.CreateICmpUGT(end, b_.CreateZExt(size, t_.i64)), trap, write);
    b_.SetInsertPoint(trap);
    b_.CreateCall(t_.trapFunction(), {b_.getInt32(LUNATIC_TRAP_TABLE_OUT_OF_BOUNDS)});
    b_.CreateUnreachable();
    b_.SetInsertPoint(write);
    llvm::Value* elements = t_.loadField(b_, t_.ptr, table, offsetof(lunatic_table, elements), false, "elements");
    uint8_t item_type = seg.elem_type == LUNATIC_TYPE_EXTERNREF ? LUNATIC_TYPE_EXTERNREF : LUNATIC_TYPE_FUNCREF;
    for (size_t k = 0; k < seg.items.size(); ++k) {
      llvm::Value* slot = b_.CreateGEP(t_.ptr, elements, b_.CreateAdd(offset, b_.getInt64(k)));
      b_.CreateStore(t_.constExpr(b_, instance, seg.items[k], item_type), slot);
    }
  }

  // Globals, then active element segments, then active data segments, in order (abi.h).
  llvm::Function* initializer() {
    llvm::Function* init = llvm::Function::Create(llvm::FunctionType::get(t_.void_type, {t_.ptr}, false),
                                                  kInternal, "lunatic.initialize", t_.module);
    setCodeAttributes(init, t_.options, false);
    b_.SetInsertPoint(llvm::BasicBlock::Create(t_.context, "entry", init));
    llvm::Value* instance = init->getArg(0);
    const ModuleInfo& info = t_.info;
    for (uint32_t i = info.num_imported_globals; i < info.globals.size(); ++i) {
      const Global& g = info.globals[i];
      b_.CreateStore(t_.constExpr(b_, instance, g.init, g.type), t_.globalCell(b_, instance, i));
    }
    llvm::Type* i32 = t_.i32;
    llvm::Type* ptr = t_.ptr;
    for (uint32_t s = 0; s < info.elem_segments.size(); ++s) {
      const ElemSegment& seg = info.elem_segments[s];
      if (seg.mode == ElemSegment::Mode::Active && hasGlobalGetItem(seg)) {
        writeSegmentInline(instance, seg);
      } else if (seg.mode == ElemSegment::Mode::Active) {
        b_.CreateCall(t_.runtime("lunatic_table_init", t_.void_type, {ptr, i32, i32, i32, i32, i32}),
                      {instance, b_.getInt32(seg.table), b_.getInt32(s),
                       t_.constExpr(b_, instance, seg.offset, LUNATIC_TYPE_I32), b_.getInt32(0),
                       b_.getInt32(uint32_t(seg.items.size()))});
      }
      if (seg.mode != ElemSegment::Mode::Passive) {
        b_.CreateCall(t_.runtime("lunatic_elem_drop", t_.void_type, {ptr, i32}), {instance, b_.getInt32(s)});
      }
    }
    if (std::optional<std::vector<DataRun>> runs = initialDataImage(info)) {
      writeDataImage(instance, *runs);
      active_data_inlined_ = true;
    } else {
      for (uint32_t s = 0; s < info.data_segments.size(); ++s) {
        const DataSegment& seg = info.data_segments[s];
        if (!seg.active) continue;
        b_.CreateCall(t_.runtime("lunatic_memory_init", t_.void_type, {ptr, i32, i32, i32, i32}),
                      {instance, b_.getInt32(s), t_.constExpr(b_, instance, seg.offset, LUNATIC_TYPE_I32),
                       b_.getInt32(0), b_.getInt32(uint32_t(seg.bytes.size()))});
        b_.CreateCall(t_.runtime("lunatic_data_drop", t_.void_type, {ptr, i32}), {instance, b_.getInt32(s)});
      }
    }
    b_.CreateRetVoid();
    return init;
  }

  // What the active data segments leave in memory, as runs of bytes, when that is known
  // here: every one has a constant offset and lies inside the initial memory, so none can
  // trap, and the memory they are written to is fresh (all zero). Then a spawn copies a run
  // or two instead of calling into the runtime twice per segment (a wasi-libc program has
  // twenty or so). Otherwise nullopt: each segment goes through lunatic_memory_init in
  // order, which traps where the spec says.
  struct DataRun {
    uint64_t offset;
    std::vector<uint8_t> bytes;
  };
  static std::optional<std::vector<DataRun>> initialDataImage(const ModuleInfo& info) {
    constexpr uint64_t kMaxImage = 64u << 20;  // beyond this span, a call per segment is fine
    constexpr uint64_t kJoinGap = 64;          // runs closer than this are copied as one
    if (info.memories.empty() || info.memories[0].imported) return std::nullopt;
    uint64_t memory_bytes = info.memories[0].limits.min * uint64_t(LUNATIC_WASM_PAGE_SIZE);
    uint64_t low = UINT64_MAX, high = 0;
    for (const DataSegment& seg : info.data_segments) {
      if (!seg.active) continue;
      if (seg.memory != 0 || seg.offset.kind != ConstExpr::Kind::I32) return std::nullopt;
      uint64_t offset = uint32_t(seg.offset.bits[0]);
      if (offset + seg.bytes.size() > memory_bytes) return std::nullopt;
      if (seg.bytes.empty()) continue;
      low = std::min(low, offset);
      high = std::max(high, offset + seg.bytes.size());
    }
    std::vector<DataRun> runs;
    if (low >= high) return runs;
    if (high - low > kMaxImage) return std::nullopt;
    std::vector<uint8_t> image(high - low, 0);
    std::vector<bool> written(high - low, false);
    for (const DataSegment& seg : info.data_segments) {  // in order: a later one overwrites
      if (!seg.active) continue;
      uint64_t at = uint32_t(seg.offset.bits[0]) - low;
      std::copy(seg.bytes.begin(), seg.bytes.end(), image.begin() + ptrdiff_t(at));
      std::fill_n(written.begin() + ptrdiff_t(at), seg.bytes.size(), true);
    }
    // Bytes no segment writes stay zero, as the fresh memory is, so a run may span them.
    for (uint64_t i = 0; i < image.size();) {
      if (!written[i]) {
        ++i;
        continue;
      }
      uint64_t end = i;
      for (uint64_t gap = 0; end < image.size() && gap < kJoinGap; ++end) gap = written[end] ? 0 : gap + 1;
      while (!written[end - 1]) --end;
      runs.push_back({low + i, std::vector<uint8_t>(image.begin() + ptrdiff_t(i), image.begin() + ptrdiff_t(end))});
      i = end;
    }
    return runs;
  }

  void writeDataImage(llvm::Value* instance, const std::vector<DataRun>& runs) {
    const ModuleInfo& info = t_.info;
    if (!runs.empty()) {
      llvm::Value* memory = t_.loadInstanceField(b_, instance, offsetof(lunatic_instance, memory), "memory");
      llvm::Value* base = t_.loadField(b_, t_.ptr, memory, offsetof(lunatic_memory, base), false, "memory.base");
      for (const DataRun& run : runs) {
        llvm::StringRef bytes(reinterpret_cast<const char*>(run.bytes.data()), run.bytes.size());
        auto* content = new llvm::GlobalVariable(
            t_.module, llvm::ArrayType::get(t_.i8, bytes.size()), true, kInternal,
            llvm::ConstantDataArray::getString(t_.context, bytes, false), "data.image");
        b_.CreateMemCpy(b_.CreateGEP(t_.i8, base, b_.getInt64(run.offset)), llvm::MaybeAlign(1), content,
                        llvm::MaybeAlign(1), run.bytes.size());
      }
    }
    // Active segments are dropped once written.
    llvm::Value* dropped = t_.loadInstanceField(b_, instance, offsetof(lunatic_instance, data_dropped), "data_dropped");
    for (uint32_t s = 0; s < info.data_segments.size(); ++s) {
      if (info.data_segments[s].active) b_.CreateStore(b_.getInt8(1), b_.CreateGEP(t_.i8, dropped, b_.getInt64(s)));
    }
  }

  // --- The descriptor: constants laid out exactly as the structs of abi.h ---

  llvm::Constant* string(const std::string& s) {
    return b_.CreateGlobalStringPtr(s, ".str", 0, &t_.module);
  }

  template <typename Element>
  llvm::Constant* array(llvm::StructType* type, const std::vector<Element>& elements, const char* name) {
    if (elements.empty()) return llvm::ConstantPointerNull::get(t_.ptr);
    std::vector<llvm::Constant*> items(elements.begin(), elements.end());
    auto* array_type = llvm::ArrayType::get(type, items.size());
    return new llvm::GlobalVariable(t_.module, array_type, true, kInternal,
                                    llvm::ConstantArray::get(array_type, items), name);
  }

  llvm::Constant* i32c(uint32_t v) { return b_.getInt32(v); }
  llvm::Constant* i8c(uint8_t v) { return b_.getInt8(v); }

  bool layoutMatches(llvm::StructType* type, size_t size, std::initializer_list<size_t> offsets) {
    const llvm::StructLayout* layout = t_.module.getDataLayout().getStructLayout(type);
    if (layout->getSizeInBytes() != size || offsets.size() != type->getNumElements()) return false;
    unsigned field = 0;
    for (size_t offset : offsets) {
      if (layout->getElementOffset(field++) != offset) return false;
    }
    return true;
  }

  // The runtime's lunatic_host_function that a function import names (abi.h), or null. The
  // reference is what makes the linker bring that host function in.
  llvm::Constant* hostFunction(const Import& imp) {
    const HostFunction* host = imp.kind == LUNATIC_EXTERN_FUNC ? findHostFunction(imp.module, imp.name) : nullptr;
    if (!host) return llvm::ConstantPointerNull::get(t_.ptr);
    return t_.module.getOrInsertGlobal(hostFunctionSymbol(*host), llvm::StructType::get(t_.context, {t_.ptr, t_.ptr}));
  }

  std::string emitDescriptor(const std::vector<llvm::Function*>& array_entries, llvm::Function* initialize) {
    const ModuleInfo& info = t_.info;
    llvm::LLVMContext& c = t_.context;
    llvm::PointerType* ptr = t_.ptr;
    llvm::Type* i32 = t_.i32;
    llvm::Type* i8 = t_.i8;
    auto* import_type = llvm::StructType::get(c, {ptr, ptr, i32, i32, ptr});
    auto* export_type = llvm::StructType::get(c, {ptr, i32, i32});
    auto* function_type = llvm::StructType::get(c, {ptr, ptr, i32, ptr});
    auto* table_type = llvm::StructType::get(c, {i8, i32, i32});
    auto* global_type = llvm::StructType::get(c, {i8, i8});
    auto* data_type = llvm::StructType::get(c, {ptr, i32});
    auto* elem_type = llvm::StructType::get(c, {i8, i32, ptr});

    std::vector<llvm::Constant*> imports, exports, functions, tables, globals, data, elems;
    for (const Import& imp : info.imports) {
      imports.push_back(llvm::ConstantStruct::get(
          import_type, {string(imp.module), string(imp.name), i32c(imp.kind), i32c(imp.index), hostFunction(imp)}));
    }
    for (const Export& e : info.exports) {
      exports.push_back(llvm::ConstantStruct::get(export_type, {string(e.name), i32c(e.kind), i32c(e.index)}));
    }
    for (uint32_t i = 0; i < t_.num_functions; ++i) {
      BinaryenFunctionRef f = t_.functions[i];
      uint32_t signature = t_.internSignature(BinaryenFunctionGetParams(f), BinaryenFunctionGetResults(f));
      llvm::Constant* code = t_.llvm_functions[i] ? static_cast<llvm::Constant*>(t_.llvm_functions[i])
                                                  : llvm::ConstantPointerNull::get(t_.ptr);
      llvm::Constant* entry = array_entries.size() > i && array_entries[i]
                                  ? static_cast<llvm::Constant*>(array_entries[i])
                                  : llvm::ConstantPointerNull::get(t_.ptr);
      functions.push_back(llvm::ConstantStruct::get(
          function_type, {code, entry, i32c(signature), string(displayName(i))}));
    }
    uint32_t imported_tables = 0;
    for (const Table& table : info.tables) {
      imported_tables += table.imported;
      uint32_t max = table.limits.max ? uint32_t(*table.limits.max) : LUNATIC_NO_MAXIMUM;
      tables.push_back(llvm::ConstantStruct::get(
          table_type, {i8c(table.elem_type), i32c(uint32_t(table.limits.min)), i32c(max)}));
    }
    for (const Global& g : info.globals) {
      globals.push_back(llvm::ConstantStruct::get(global_type, {i8c(g.type), i8c(g.is_mutable)}));
    }
    for (const DataSegment& seg : info.data_segments) {
      // Inlined active segments are dropped before any code runs: nothing reads their bytes.
      std::span<const uint8_t> kept = seg.active && active_data_inlined_ ? std::span<const uint8_t>() : seg.bytes;
      llvm::StringRef bytes(reinterpret_cast<const char*>(kept.data()), kept.size());
      auto* content = new llvm::GlobalVariable(t_.module, llvm::ArrayType::get(i8, bytes.size()), true,
                                               kInternal, llvm::ConstantDataArray::getString(c, bytes, false),
                                               "data.segment");
      data.push_back(llvm::ConstantStruct::get(data_type, {content, i32c(uint32_t(bytes.size()))}));
    }
    for (const ElemSegment& seg : info.elem_segments) {
      std::vector<uint32_t> indices;
      for (const ConstExpr& item : seg.items) {
        indices.push_back(item.kind == ConstExpr::Kind::RefFunc ? item.index : UINT32_MAX);
      }
      llvm::Constant* items = llvm::ConstantPointerNull::get(ptr);
      if (!indices.empty()) {
        items = new llvm::GlobalVariable(t_.module, llvm::ArrayType::get(i32, indices.size()), true, kInternal,
                                         llvm::ConstantDataArray::get(c, indices), "elem.segment");
      }
      elems.push_back(llvm::ConstantStruct::get(
          elem_type, {i8c(seg.elem_type), i32c(uint32_t(seg.items.size())), items}));
    }
    std::vector<llvm::Constant*> signature_strings;
    for (const std::string& s : t_.signatures) signature_strings.push_back(string(s));
    llvm::Constant* types = llvm::ConstantPointerNull::get(ptr);
    if (!signature_strings.empty()) {
      auto* array_type = llvm::ArrayType::get(ptr, signature_strings.size());
      types = new llvm::GlobalVariable(t_.module, array_type, true, kInternal,
                                       llvm::ConstantArray::get(array_type, signature_strings), "types");
    }

    const Memory* memory = info.memories.empty() ? nullptr : &info.memories[0];
    auto section_bound = [&](const std::string& prefix) -> llvm::Constant* {
      std::string name = prefix + t_.options.code_section;
      if (auto* g = t_.module.getNamedGlobal(name)) return g;
      return new llvm::GlobalVariable(t_.module, i8, true, llvm::GlobalValue::ExternalWeakLinkage,
                                      nullptr, name);
    };
    llvm::Constant* start = i32c(info.start ? *info.start : UINT32_MAX);
    std::vector<llvm::Constant*> fields = {
        i32c(LUNATIC_ABI_VERSION), i32c(t_.options.memory_mode), string(t_.options.module_name),
        i32c(uint32_t(t_.signatures.size())), types,
        i32c(uint32_t(imports.size())), array(import_type, imports, "imports"),
        i32c(uint32_t(exports.size())), array(export_type, exports, "exports"),
        i32c(t_.num_functions), i32c(info.num_imported_functions), array(function_type, functions, "functions"),
        i32c(uint32_t(tables.size())), i32c(imported_tables), array(table_type, tables, "tables"),
        i32c(uint32_t(globals.size())), i32c(info.num_imported_globals), array(global_type, globals, "globals"),
        i32c(memory ? 1 : 0), i32c(memory && memory->imported ? 1 : 0),
        i32c(memory ? uint32_t(memory->limits.min) : 0),
        i32c(memory && memory->limits.max ? uint32_t(*memory->limits.max) : LUNATIC_MAX_PAGES),
        i32c(uint32_t(data.size())), array(data_type, data, "data.segments"),
        i32c(uint32_t(elems.size())), array(elem_type, elems, "elem.segments"),
        initialize, start, section_bound("__start_"), section_bound("__stop_"),
        // Made after code generation (compiler/debuginfo/inline_table.h), if at all.
        new llvm::GlobalVariable(t_.module, i8, true, llvm::GlobalValue::ExternalWeakLinkage, nullptr,
                                 LUNATIC_INLINE_TABLE_PREFIX + t_.options.module_symbol)};
    std::vector<llvm::Type*> field_types;
    for (llvm::Constant* f : fields) field_types.push_back(f->getType());
    auto* module_type = llvm::StructType::get(c, field_types);
    // The descriptor's LLVM structs are written field by field in the order of abi.h; check
    // that the target lays them out exactly where the C compiler puts the fields.
    using M = lunatic_module;
    bool layouts_match =
        layoutMatches(import_type, sizeof(lunatic_import),
                      {offsetof(lunatic_import, module), offsetof(lunatic_import, name),
                       offsetof(lunatic_import, kind), offsetof(lunatic_import, index),
                       offsetof(lunatic_import, host)}) &&
        layoutMatches(export_type, sizeof(lunatic_export),
                      {offsetof(lunatic_export, name), offsetof(lunatic_export, kind),
                       offsetof(lunatic_export, index)}) &&
        layoutMatches(function_type, sizeof(lunatic_function_desc),
                      {offsetof(lunatic_function_desc, code), offsetof(lunatic_function_desc, array_entry),
                       offsetof(lunatic_function_desc, type_index), offsetof(lunatic_function_desc, name)}) &&
        layoutMatches(table_type, sizeof(lunatic_table_desc),
                      {offsetof(lunatic_table_desc, elem_type), offsetof(lunatic_table_desc, min),
                       offsetof(lunatic_table_desc, max)}) &&
        layoutMatches(global_type, sizeof(lunatic_global_desc),
                      {offsetof(lunatic_global_desc, type), offsetof(lunatic_global_desc, is_mutable)}) &&
        layoutMatches(data_type, sizeof(lunatic_data_segment),
                      {offsetof(lunatic_data_segment, bytes), offsetof(lunatic_data_segment, length)}) &&
        layoutMatches(elem_type, sizeof(lunatic_elem_segment),
                      {offsetof(lunatic_elem_segment, elem_type), offsetof(lunatic_elem_segment, length),
                       offsetof(lunatic_elem_segment, func_indices)}) &&
        layoutMatches(module_type, sizeof(M),
                      {offsetof(M, abi_version), offsetof(M, memory_mode), offsetof(M, name),
                       offsetof(M, num_types), offsetof(M, types), offsetof(M, num_imports),
                       offsetof(M, imports), offsetof(M, num_exports), offsetof(M, exports),
                       offsetof(M, num_functions), offsetof(M, num_imported_functions),
                       offsetof(M, functions), offsetof(M, num_tables), offsetof(M, num_imported_tables),
                       offsetof(M, tables), offsetof(M, num_globals), offsetof(M, num_imported_globals),
                       offsetof(M, globals), offsetof(M, has_memory), offsetof(M, memory_imported),
                       offsetof(M, memory_min_pages), offsetof(M, memory_max_pages),
                       offsetof(M, num_data_segments), offsetof(M, data_segments),
                       offsetof(M, num_elem_segments), offsetof(M, elem_segments), offsetof(M, initialize),
                       offsetof(M, start_function), offsetof(M, code_start), offsetof(M, code_end),
                       offsetof(M, inlines)});
    if (!layouts_match) return "internal error: the descriptor's layout does not match abi.h";
    new llvm::GlobalVariable(t_.module, module_type, true, llvm::GlobalValue::ExternalLinkage,
                             llvm::ConstantStruct::get(module_type, fields), t_.options.module_symbol);
    return {};
  }

  ModuleTranslation& t_;
  std::unordered_set<uint32_t> escaping_;  // escapingFunctions(), from declareFunctions on
  // The initializer writes the active data segments' image itself (initialDataImage), so
  // the descriptor need not carry their bytes.
  bool active_data_inlined_ = false;
  llvm::IRBuilder<> b_;
};

}  // namespace

std::unique_ptr<llvm::Module> translateModule(BinaryenModuleRef module, const ModuleInfo& info,
                                              llvm::LLVMContext& context,
                                              const TranslateOptions& options, std::string& error) {
  auto llvm_module = std::make_unique<llvm::Module>(options.module_name, context);
  llvm_module->setDataLayout(options.data_layout);
  ModuleTranslation translation(module, info, *llvm_module, options);
  if (options.debug_info) {
    translation.debug = std::make_unique<DebugInfoBuilder>(*llvm_module, options.guest_debug, options.module_name);
  }
  error = ModuleTranslator(translation).run();
  if (!error.empty()) return nullptr;
  if (translation.debug) translation.debug->finish();
  return llvm_module;
}

}  // namespace lunaticc
