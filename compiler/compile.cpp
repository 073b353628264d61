// The pipeline behind `lunaticc` (see compile.h): front end, Binaryen passes (passes/),
// translation, LLVM, lld.
#include "compiler/compile.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>

#include "compiler/backend/codegen.h"
#include "compiler/backend/cache_store.h"
#include "compiler/backend/link.h"
#include "compiler/backend/module_split.h"
#include "compiler/backend/parts_cache.h"
#include "compiler/backend/targets.h"
#include "compiler/backend/timings.h"
#include "compiler/debuginfo/debug_info.h"
#include "compiler/debuginfo/inline_table.h"
#include "compiler/frontend/binaryen_compat.h"
#include "compiler/frontend/binaryen_reader.h"
#include "compiler/frontend/host_functions.h"
#include "compiler/frontend/module_info.h"
#include "compiler/frontend/validate.h"
#include "compiler/translate/module.h"
#include "passes/preemption/reductions.h"

namespace lunaticc {
namespace {

constexpr const char* kDefaultEntry = "_start";  // a WASI command's

std::string readFile(const std::string& path, std::vector<char>& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read the file";
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return "cannot read the file";
  return {};
}

// Whether the module exports a test (abi.h: lunatic_main_entry).
bool exportsTests(const ModuleInfo& info) {
  return std::any_of(info.exports.begin(), info.exports.end(), [](const Export& e) {
    return e.kind == LUNATIC_EXTERN_FUNC && e.name.starts_with(LUNATIC_TEST_EXPORT_PREFIX);
  });
}

std::string checkEntry(BinaryenModuleRef module, const std::string& entry) {
  BinaryenExportRef exported = BinaryenGetExport(module, entry.c_str());
  if (!exported) return "no export named '" + entry + "' to run (choose one with --entry)";
  if (BinaryenExportGetKind(exported) != BinaryenExternalFunction()) {
    return "export '" + entry + "' is not a function";
  }
  return {};
}

// The import module the compiler's own passes use for their markers (passes/preemption/reductions.h)
// is reserved: a module of the user's importing from it would be taken for them.
std::string checkNoInternalImports(const ModuleInfo& info) {
  for (const Import& import : info.imports) {
    if (import.module == kInternalImportModule) {
      return "import " + import.module + "." + import.name + ": the import module '" +
             kInternalImportModule + "' is reserved for lunaticc";
    }
  }
  return {};
}

// lunatic_main_wasi_grants in abi.h's encoding: records of three NUL-terminated strings, then
// "". (The strings come from the command line, so none holds a NUL.)
std::string wasiGrants(const CompileOptions& options) {
  std::string grants;
  auto record = [&](const char* kind, const std::string& first, const std::string& second) {
    for (const char* s : {kind, first.c_str(), second.c_str()}) grants.append(s).push_back('\0');
  };
  for (const auto& [key, value] : options.environment) record(LUNATIC_GRANT_ENVIRONMENT_VARIABLE, key, value);
  for (const DirectoryGrant& dir : options.directories)
    record(dir.read_only ? LUNATIC_GRANT_READ_ONLY_DIRECTORY : LUNATIC_GRANT_DIRECTORY, dir.host, dir.guest);
  grants.push_back('\0');
  return grants;
}

// A module read, validated and translated: its LLVM IR, and what the executable needs of it.
struct TranslatedModule {
  std::unique_ptr<llvm::Module> ir;
  std::string entry;                  // what lunatic_main_entry names (the main module's)
  std::array<unsigned char, 32> sha256{};  // of its bytes (a module of several: abi.h)
  bool has_names = true;  // it has a name section, or no code to name
  std::string warnings;   // lines `lunaticc: warning: FILE: ...` about it
};

// The warning for a module with code and no name section, once per module.
std::string noNamesWarning(const std::string& path) {
  return "lunaticc: warning: " + path +
         ": the module has no name section, so backtraces will number its functions rather than "
         "name them. clang -O2 drops the section when it runs wasm-opt at link time: compile with "
         "-O2 -c, then link without -O (README, \"Keep the function names\").\n";
}

// The front end and translation of the module at `path`, as `translate_options` say. The
// main module of an executable gets its entry checked (or test mode chosen); every module of
// an executable has its imports checked, and, when `hash` is set, its bytes hashed.
std::string translateFile(const std::string& path, const CompileOptions& options, bool is_main, bool hash,
                          const TranslateOptions& translate_options, llvm::LLVMContext& context, Timings& timings,
                          TranslatedModule& out) {
  std::vector<char> bytes;
  if (std::string error = readFile(path, bytes); !error.empty()) return error;

  std::string error = checkHeader(bytes);
  if (!error.empty()) return error;
  if (hash) {
    Sha256 sha256;
    sha256.add({bytes.data(), bytes.size()});
    out.sha256 = sha256.digest();
  }
  // Our own reader goes first: it fails cleanly where Binaryen's would end the process.
  std::optional<ModuleInfo> info = readModuleInfo(
      {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, error);
  if (!info) return error;
  CodeEdits edits;
  InstructionStarts starts;
  if (error = validateModule(*info, &edits, options.debug ? &starts : nullptr); !error.empty()) return error;
  if (!edits.unsupported.empty()) return "unsupported: " + edits.unsupported;
  if (error = checkNoInternalImports(*info); !error.empty()) return error;
  timings.endPhase("read and validate");
  // `info` points into `bytes`, so Binaryen gets a rewritten copy.
  std::vector<char> readable = makeReadableByBinaryen(
      {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, *info, edits);
  BinaryenModulePtr module = readModule(readable, error);
  if (!module) return error;
  timings.endPhase("Binaryen read");

  // What lunatic_main_entry names: the export to run, or "" for test mode. Other modules
  // have no entry: their processes run the exports spawn names.
  out.entry = options.entry;
  if (!options.object_only) {
    if (error = checkExecutableImports(*info); !error.empty()) return error;
    if (is_main) {
      if (out.entry.empty() && (options.serve || !exportsTests(*info))) out.entry = kDefaultEntry;
      if (!out.entry.empty()) {
        if (error = checkEntry(module.get(), out.entry); !error.empty()) return error;
      }
    }
  }

  // The guest's DWARF is matched to the module as read, before the passes add to it.
  std::unique_ptr<GuestDebugInfo> guest_debug;
  TranslateOptions module_options = translate_options;
  if (options.debug) {
    std::string warning;
    guest_debug = GuestDebugInfo::read(module.get(), *info, starts, warning);
    if (!guest_debug) out.warnings += "lunaticc: warning: " + path + ": " + warning + "\n";
    module_options.guest_debug = guest_debug.get();
    timings.endPhase("debug info");
  }

  // Passes over Binaryen IR, on the valid module as the translator will see it.
  if (options.preempt) {
    std::vector<uint32_t> referenced;  // functions that element segments name
    for (const ElemSegment& segment : info->elem_segments) {
      for (const ConstExpr& item : segment.items) {
        if (item.kind == ConstExpr::Kind::RefFunc) referenced.push_back(item.index);
      }
    }
    addReductionCounting(module.get(), referenced);
  }
  timings.endPhase("Binaryen passes");

  out.has_names = info->has_name_section || info->bodies.empty();
  out.ir = translateModule(module.get(), *info, context, module_options, error);
  if (!out.ir) return error;
  timings.endPhase("translate");
  return {};
}

// lunatic_main_module_table (abi.h), in `ir` (a module of its own): the main module, then
// `others`, each with the SHA-256 of its bytes.
void addModuleTable(llvm::Module& ir, const std::array<unsigned char, 32>& main_sha256,
                    const std::vector<std::pair<std::string, std::array<unsigned char, 32>>>& others,
                    const std::string& main_symbol) {
  llvm::LLVMContext& context = ir.getContext();
  auto* ptr = llvm::PointerType::get(context, 0);
  auto* i32 = llvm::Type::getInt32Ty(context);
  auto* digest_type = llvm::ArrayType::get(llvm::Type::getInt8Ty(context), 32);
  auto* entry_type = llvm::StructType::get(context, {ptr, digest_type});
  std::vector<llvm::Constant*> entries;
  auto entry = [&](const std::string& symbol, const std::array<unsigned char, 32>& sha256) {
    llvm::Constant* descriptor = ir.getNamedValue(symbol);
    if (!descriptor) {
      descriptor = new llvm::GlobalVariable(ir, llvm::Type::getInt8Ty(context), true,
                                            llvm::GlobalValue::ExternalLinkage, nullptr, symbol);
    }
    auto* digest = llvm::ConstantDataArray::get(context, llvm::ArrayRef<uint8_t>(sha256.data(), sha256.size()));
    entries.push_back(llvm::ConstantStruct::get(entry_type, {descriptor, digest}));
  };
  entry(main_symbol, main_sha256);
  for (const auto& [symbol, sha256] : others) entry(symbol, sha256);
  auto* array_type = llvm::ArrayType::get(entry_type, entries.size());
  auto* array = new llvm::GlobalVariable(ir, array_type, true, llvm::GlobalValue::InternalLinkage,
                                         llvm::ConstantArray::get(array_type, entries), "lunatic_modules");
  auto* table_type = llvm::StructType::get(context, {i32, ptr});
  new llvm::GlobalVariable(ir, table_type, true, llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantStruct::get(table_type, {llvm::ConstantInt::get(i32, entries.size()), array}),
                           "lunatic_main_module_table");
}

// Emits a module of a few constants that change with every edit (the module table, an
// inline table) to `path`: no part of the parts cache, whose entries are the modules' parts,
// and no phase of its own in --timings.
std::string emitConstants(llvm::Module& constants, const CodegenOptions& codegen, const std::string& path) {
  CodegenOptions uncached = codegen;
  uncached.cache = nullptr;
  uncached.timings = nullptr;
  return emitObject(constants, uncached, path);
}

// Emits `ir`, the module whose code lies in `code_section`, to a new object of `objects`,
// and, for an executable, its inline table (abi.h) to another.
std::string emitModuleObjects(llvm::Module& ir, const std::string& code_section, const std::string& module_symbol,
                              const CodegenOptions& codegen, const std::string& path, std::vector<std::string>& objects) {
  objects.push_back(path);
  if (std::string error = emitObject(ir, codegen, path); !error.empty()) return error;
  llvm::LLVMContext context;
  std::string error;
  std::unique_ptr<llvm::Module> table =
      buildInlineTable(path, code_section, LUNATIC_INLINE_TABLE_PREFIX + module_symbol, context, error);
  if (!table) return error;
  objects.push_back(path + ".inlines.o");
  return emitConstants(*table, codegen, objects.back());
}

// compile(), the phases' times going to `timings`, warnings to `warnings`.
std::string compileTimed(const CompileOptions& options, Timings& timings, std::string& warnings) {
  std::string error;
  TranslateOptions translate_options;
  translate_options.memory_mode = options.memory_mode;
  translate_options.module_symbol = options.module_symbol;
  translate_options.code_section =
      options.object_only ? "lunatic_code_" + options.module_symbol : "lunatic_code";
  translate_options.module_name = options.module_symbol;
  const Target* target = findTarget(options.target);
  if (!target) return "unknown target " + options.target;
  // An executable always gets the debug info its inline table is read from (the trap
  // backtrace's inlined frames, debuginfo/inline_table.h); the linker keeps it only with -g.
  translate_options.debug_info = options.debug || (!options.object_only && !options.emit_llvm);
  CodegenOptions codegen{options.opt_level, options.cpu, target, options.codegen_parts,
                         options.memory_mode == LUNATIC_MEMORY_BOUNDS_CHECKED};
  codegen.timings = &timings;
  std::optional<PartsCache> cache;
  if (options.parts_cache && !options.emit_llvm) {
    // A cache that cannot be had (no home, a read-only one, as in a sandboxed build) only
    // makes this compilation slower; a bad LUNATICC_CACHE_SIZE is the user's to fix.
    bool unavailable = false;
    cache = PartsCache::open(&error, &unavailable);
    if (!cache && !unavailable) return error;
    if (!cache) timings.note("parts cache: none, " + error);
    codegen.cache = cache ? &*cache : nullptr;
    error.clear();
  }
  translate_options.data_layout = targetDataLayout(codegen, error);
  if (translate_options.data_layout.empty()) return error;
  translate_options.stack_probe_function = target->calls_stack_probe;
  // On every function, so that LLVM picks the instructions the CPU has.
  translate_options.target_cpu = targetCpu(codegen);

  const std::string temporary = CacheStore::temporaryPathFor(options.output);
  // Objects to link: each --module's, compiled one after another (each on every core, in
  // parts, through the parts cache), then the main module's.
  std::vector<std::string> objects;
  auto remove_objects = [&] {
    for (const std::string& object : objects) std::remove(object.c_str());
  };
  std::vector<std::pair<std::string, std::array<unsigned char, 32>>> others;
  for (size_t i = 0; i < options.modules.size(); ++i) {
    const std::string& path = options.modules[i];
    TranslateOptions module_options = translate_options;
    module_options.module_symbol = LUNATIC_MODULE_SYMBOL_PREFIX + std::to_string(i + 1);
    module_options.module_name = module_options.module_symbol;
    module_options.code_section = "lunatic_code_" + module_options.module_symbol;
    llvm::LLVMContext context;
    TranslatedModule translated;
    error = translateFile(path, options, false, true, module_options, context, timings, translated);
    if (error.empty()) {
      error = emitModuleObjects(*translated.ir, module_options.code_section, module_options.module_symbol, codegen,
                                temporary + "." + module_options.module_symbol + ".o", objects);
    }
    if (!error.empty()) {
      remove_objects();
      return "--module " + path + ": " + error;
    }
    others.emplace_back(module_options.module_symbol, translated.sha256);
    if (!translated.has_names) warnings += noNamesWarning(path);
    warnings += translated.warnings;
  }

  llvm::LLVMContext context;
  TranslatedModule main_module;
  // Every executable names its main module by its hash (lunatic::distributed's module ids).
  error = translateFile(options.input, options, true, !options.object_only, translate_options, context, timings,
                        main_module);
  if (!error.empty()) {
    remove_objects();
    return error;
  }
  if (!main_module.has_names) warnings += noNamesWarning(options.input);
  warnings += main_module.warnings;
  llvm::Module& ir = *main_module.ir;

  if (!options.object_only) {
    // The runtime's main() looks for the entry's name under this symbol.
    auto* name = llvm::ConstantDataArray::getString(context, main_module.entry);
    // The module takes ownership of globals created this way, as LLVM's API has it.
    new llvm::GlobalVariable(ir, name->getType(), true, llvm::GlobalValue::ExternalLinkage, name,
                             "lunatic_main_entry");
    auto* grants = llvm::ConstantDataArray::getString(context, wasiGrants(options), false);
    new llvm::GlobalVariable(ir, grants->getType(), true, llvm::GlobalValue::ExternalLinkage, grants,
                             "lunatic_main_wasi_grants");
    if (main_module.entry.empty()) {
      // A reference to test mode's runner, which makes the linker bring it in (abi.h).
      auto* runner = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(context), false),
                                            llvm::GlobalValue::ExternalLinkage, LUNATIC_TEST_RUNNER, ir);
      new llvm::GlobalVariable(ir, runner->getType(), true, llvm::GlobalValue::ExternalLinkage, runner,
                               LUNATIC_TEST_RUNNER_REFERENCE);
    }
  }

  if (options.emit_llvm) {
    error = emitIR(ir, codegen, temporary);
  } else if (options.object_only && target->calls_stack_probe) {
    error = emitObject(ir, codegen, temporary);
  } else {
    if (options.object_only) {
      objects.push_back(temporary + ".o");
      error = emitObject(ir, codegen, objects.back());
    } else {
      error = emitModuleObjects(ir, translate_options.code_section, options.module_symbol, codegen, temporary + ".o",
                                objects);
      timings.endPhase("inline table");
    }
    if (error.empty() && !options.object_only) {
      // The module table goes in an object of its own: the main module's hash changes with
      // any change to it, and among the main module's variables it would change the part
      // that holds them, so that a change to one function would compile two parts.
      llvm::Module table("lunatic_main_module_table", context);
      table.setTargetTriple(ir.getTargetTriple());
      table.setDataLayout(ir.getDataLayout());
      addModuleTable(table, main_module.sha256, others, options.module_symbol);
      objects.push_back(temporary + ".modules.o");
      error = emitConstants(table, codegen, objects.back());
    }
    if (error.empty() && !target->calls_stack_probe) {
      // The largest frame goes with the code, into the executable or the object (abi.h,
      // LUNATIC_FRAME_SIZES_SECTION).
      const std::string frame_sizes = temporary + ".frames.o";
      error = emitFrameSizes(objects, codegen, frame_sizes);
      objects.push_back(frame_sizes);
    }
    if (error.empty()) {
      error = options.object_only
                  ? joinObjects(objects, temporary)
                  : linkExecutable(objects, temporary,
                                   {options.strip, options.serve, options.static_link, target, options.debug});
    }
    timings.endPhase("link");
  }
  remove_objects();
  if (error.empty() && std::rename(temporary.c_str(), options.output.c_str()) != 0) {
    error = "cannot write " + options.output;
  }
  if (!error.empty()) std::remove(temporary.c_str());
  return error;
}

}  // namespace

std::string compile(const CompileOptions& options, std::string* timings_report, std::string* warnings) {
  Timings timings;
  std::string warned;
  std::string error = compileTimed(options, timings, warned);
  if (timings_report) *timings_report = timings.report();
  if (warnings) *warnings = std::move(warned);
  return error;
}

}  // namespace lunaticc
