// Optimisation and object emission with LLVM (see codegen.h).
#include "compiler/backend/codegen.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/LEB128.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/Threading.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Transforms/IPO/GlobalDCE.h>
#include <llvm/Transforms/Utils/ModuleUtils.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include "compiler/backend/module_split.h"
#include "compiler/backend/parts_cache.h"
#include "compiler/backend/targets.h"
#include "compiler/backend/timings.h"
#include "passes/codegen/select_branches.h"
#include "passes/memory/check_limits.h"
#include "passes/memory/address_widening.h"
#include "passes/memory/byte_compare.h"
#include "passes/preemption/charge_branches.h"
#include "passes/preemption/charge_merging.h"
#include "passes/preemption/charge_unrolling.h"
#include "passes/preemption/loop_versioning.h"
#include "lunatic/abi.h"

namespace lunaticc {
namespace {

const Target& targetOf(const CodegenOptions& options) { return options.target ? *options.target : hostTarget(); }

std::unique_ptr<llvm::TargetMachine> makeTargetMachine(const CodegenOptions& options,
                                                       std::string& error) {
  // Once, before any thread makes a machine of its own: registration is not thread-safe.
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
  });
  const char* triple = targetOf(options).llvm_triple;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) return nullptr;
  std::string cpu = targetCpu(options);
  if (options.cpu == "native" && &targetOf(options) != &hostTarget()) {
    error = "--cpu native names this machine's CPU, not one of " + std::string(targetOf(options).name);
    return nullptr;
  }
  llvm::TargetOptions target_options;
  // Where the code generator checks no large frame before allocating it, the largest is
  // read back from the objects (emitFrameSizes).
  target_options.EmitStackSizeSection = !targetOf(options).calls_stack_probe;
  auto level = options.opt_level == 0   ? llvm::CodeGenOptLevel::None
               : options.opt_level == 1 ? llvm::CodeGenOptLevel::Less
               : options.opt_level == 2 ? llvm::CodeGenOptLevel::Default
                                        : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, "", target_options, llvm::Reloc::PIC_, llvm::CodeModel::Small, level));
  if (!machine) {
    error = "cannot create a target machine for CPU " + cpu;
  } else if (!machine->getMCSubtargetInfo()->isCPUStringValid(cpu)) {
    error = "unknown CPU " + cpu + " for " + std::string(targetOf(options).name);
    machine.reset();
  }
  return machine;
}

llvm::OptimizationLevel optimizationLevel(int opt_level) {
  return opt_level <= 0   ? llvm::OptimizationLevel::O0
         : opt_level == 1 ? llvm::OptimizationLevel::O1
         : opt_level == 2 ? llvm::OptimizationLevel::O2
                          : llvm::OptimizationLevel::O3;
}

// Runs on `module` the passes `build` makes with a PassBuilder set up for `machine`.
template <typename BuildPasses>
void runPasses(llvm::Module& module, llvm::TargetMachine& machine, const CodegenOptions& options, BuildPasses build) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  registerChargeMerging(builder);
  registerChargeVersioning(builder);
  // Before charge unrolling, which would unroll the compare loops it takes.
  registerByteCompare(builder, options.bounds_checked);
  registerChargeUnrolling(builder, options.bounds_checked);
  registerAddressWidening(builder);
  registerChargeBranches(builder);
  registerSelectBranches(builder);
  registerCheckLimits(builder);
  llvm::ModulePassManager passes = build(builder);
  passes.run(module, mam);
}

// Longest basic block -O0 code generation is given. LLVM's fast register allocator costs
// more than linear time in a block's length (a function of 40,000 live locals, one block of
// 400,000 instructions: 3.1 s in the allocator, 4.7 s in all; cut into blocks of 500, 2.0 s
// in all), and linear time in the number of blocks.
constexpr size_t kMaxBlockInstructions = 1000;

// Cuts basic blocks longer than kMaxBlockInstructions into pieces that branch to one another.
class BoundBlocksPass : public llvm::PassInfoMixin<BoundBlocksPass> {
 public:
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager&) {
    bool changed = false;
    std::vector<llvm::BasicBlock::iterator> cuts;
    for (llvm::BasicBlock& block : f) {
      cuts.clear();
      auto cut = block.getFirstInsertionPt();
      if (block.isEntryBlock()) {
        // Allocas stay in the entry block, where they are static.
        auto last_alloca = std::find_if(block.rbegin(), block.rend(),
                                        [](const llvm::Instruction& i) { return llvm::isa<llvm::AllocaInst>(i); });
        if (last_alloca != block.rend()) cut = std::next(last_alloca->getIterator());
      }
      size_t length = 0;
      for (; cut != block.end() && !cut->isTerminator(); ++cut) {
        if (++length <= kMaxBlockInstructions) continue;
        const auto* previous = llvm::dyn_cast<llvm::CallInst>(&*std::prev(cut));
        if (previous && previous->isMustTailCall()) continue;  // must stay next to its return
        cuts.push_back(cut);
        length = 1;
      }
      // From the last: each cut moves only the instructions up to the one after it, so
      // cutting costs time linear in the block's length. Each new block goes right after
      // `block`, so the pieces stay in order (the loop visits them next: short enough).
      for (auto at = cuts.rbegin(); at != cuts.rend(); ++at) block.splitBasicBlock(*at);
      changed |= !cuts.empty();
    }
    return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }
};

// LLVM's standard pipeline for the level, as clang runs it. At -O0 it also drops the
// constants a part was given copies of but does not use (module_split.h), and cuts long
// blocks (BoundBlocksPass).
void optimize(llvm::Module& module, llvm::TargetMachine& machine, const CodegenOptions& options) {
  llvm::OptimizationLevel level = optimizationLevel(options.opt_level);
  runPasses(module, machine, options, [&](llvm::PassBuilder& builder) {
    if (level != llvm::OptimizationLevel::O0) return builder.buildPerModuleDefaultPipeline(level);
    llvm::ModulePassManager passes = builder.buildO0DefaultPipeline(level);
    passes.addPass(llvm::GlobalDCEPass());
    passes.addPass(llvm::createModuleToFunctionPassAdaptor(BoundBlocksPass()));
    return passes;
  });
}

// The options `module` is compiled with: those given, but -O0 for a module (or part) with an
// oversized function (module_split.h), which LLVM's optimisations would take minutes on.
CodegenOptions optionsFor(const llvm::Module& module, const CodegenOptions& options) {
  CodegenOptions chosen = options;
  if (std::any_of(module.begin(), module.end(),
                  [](const llvm::Function& f) { return !f.isDeclaration() && isOversized(f); })) {
    chosen.opt_level = 0;
  }
  return chosen;
}

// Prepares the module for the target; returns the error, if any.
std::string prepare(llvm::Module& module, const CodegenOptions& options) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = makeTargetMachine(options, error);
  if (!machine) return error;
  module.setTargetTriple(targetOf(options).llvm_triple);
  module.setDataLayout(machine->createDataLayout());
  // Schedule and select instructions for no CPU in particular, as clang does: without a
  // "tune-cpu" LLVM tunes for the target CPU, and for x86-64-v2 that means Sandy Bridge,
  // whose double-shift rotates are slow on other CPUs (SHA-256 ran 1.9 times native).
  for (llvm::Function& f : module) {
    if (!f.isDeclaration() && !f.hasFnAttribute("tune-cpu")) f.addFnAttr("tune-cpu", "generic");
  }
  return {};
}

// The verifier's first complaint about `module`, or "". Each part is verified apart (on the
// threads, and only if it is compiled: a part the cache has was verified when compiled).
std::string verify(const llvm::Module& module) {
  std::string verify_message;
  llvm::raw_string_ostream verify_stream(verify_message);
  if (!llvm::verifyModule(module, &verify_stream)) return {};
  return "internal error: generated IR does not verify: " + verify_message.substr(0, verify_message.find('\n'));
}

// Writes `bytes` to the file at `path`. "" or why not.
std::string writeFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  return out ? "" : "cannot write " + path;
}

std::string writeObject(llvm::Module& module, llvm::TargetMachine& machine, llvm::raw_pwrite_stream& out) {
  llvm::legacy::PassManager emit;
  if (machine.addPassesToEmitFile(emit, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    return "the target cannot emit object files";
  }
  emit.run(module);
  return {};
}

std::string writeIR(llvm::Module& module, llvm::TargetMachine&, llvm::raw_pwrite_stream& out) {
  module.print(out, nullptr);
  return {};
}

using Writer = std::string (*)(llvm::Module&, llvm::TargetMachine&, llvm::raw_pwrite_stream&);

// Every option that shapes an object beyond the bitcode it is compiled from: with the
// bitcode, what the parts cache keys an object by (parts_cache.h). A new option of
// CodegenOptions that changes the code generated must join it.
std::string codegenFingerprint(const CodegenOptions& options) {
  return std::string("triple=") + targetOf(options).llvm_triple + ";pic;small;opt=" + std::to_string(options.opt_level) +
         ";cpu=" + targetCpu(options) + ";bounds=" + (options.bounds_checked ? "1" : "0");
}

// What compiling a unit (the module, or a part of it) did.
struct UnitResult {
  std::string error;
  std::string output;  // the object, or the IR
  bool from_cache = false;
  // CPU seconds of the thread (wall time on a busy machine says little): reading the part
  // and writing and hashing its bitcode, looking the cache up; optimising and writing it.
  double keying_seconds = 0;
  double compile_seconds = 0;
  size_t instructions = 0;  // of a part, as translated
};

double threadCpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return double(now.tv_sec) + double(now.tv_nsec) * 1e-9;
}

// Optimises `module` with the options it calls for (optionsFor) and writes it with `write`;
// or takes its object from the parts cache, if one is given and has it, and else stores it.
UnitResult compileUnit(llvm::Module& module, const CodegenOptions& options, Writer write) {
  UnitResult result;
  const CodegenOptions chosen = optionsFor(module, options);
  double start = threadCpuSeconds();
  std::string entry;
  if (options.cache) {
    llvm::SmallVector<char, 0> bitcode;
    llvm::raw_svector_ostream bitcode_out(bitcode);
    llvm::WriteBitcodeToFile(module, bitcode_out);
    entry = options.cache->entryFor({bitcode.data(), bitcode.size()}, codegenFingerprint(chosen));
    std::optional<std::string> object = PartsCache::load(entry);
    result.keying_seconds = threadCpuSeconds() - start;
    if (object) {
      result.output = std::move(*object);
      result.from_cache = true;
      return result;
    }
  }
  start = threadCpuSeconds();
  if (result.error = verify(module); !result.error.empty()) return result;
  std::unique_ptr<llvm::TargetMachine> machine = makeTargetMachine(chosen, result.error);
  if (!machine) return result;
  optimize(module, *machine, chosen);
  llvm::SmallVector<char, 0> output;
  llvm::raw_svector_ostream out(output);
  if (result.error = write(module, *machine, out); !result.error.empty()) return result;
  result.output.assign(output.data(), output.size());
  if (!entry.empty()) PartsCache::store(entry, result.output);
  result.compile_seconds = threadCpuSeconds() - start;
  return result;
}

// Optimises `module` and writes it with `write`: whole or, when large or holding oversized
// functions, in parts (module_split.h) compiled on every core, the largest first. Returns
// each unit's output, in the parts' order, or the first error.
std::string compileInParts(llvm::Module& module, const CodegenOptions& options, Writer write,
                           std::vector<std::string>& outputs) {
  if (std::string error = prepare(module, options); !error.empty()) return error;
  const SplitPlan plan = planSplit(module, options.parts);
  std::vector<UnitResult> results;
  if (plan.parts <= 1) {
    if (options.timings) options.timings->endPhase("codegen: prepare");
    results.push_back(compileUnit(module, options, write));
  } else {
    const ModuleSplit split(module, plan, options.opt_level > 0);
    if (options.timings) options.timings->endPhase("codegen: split");
    results.resize(split.parts());
    std::vector<unsigned> order(split.parts());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](unsigned a, unsigned b) { return split.instructions(a) > split.instructions(b); });
    std::atomic<size_t> next = 0;
    auto work = [&] {
      for (size_t taken; (taken = next++) < order.size();) {
        const unsigned part = order[taken];
        llvm::LLVMContext context;
        const double start = threadCpuSeconds();
        llvm::Expected<std::unique_ptr<llvm::Module>> read = split.readPart(part, context);
        if (!read) {
          results[part].error = "internal error: a part does not read back: " + llvm::toString(read.takeError());
          continue;
        }
        const double reading = threadCpuSeconds() - start;
        results[part] = compileUnit(**read, options, write);
        results[part].keying_seconds += reading;
        results[part].instructions = split.instructions(part);
      }
    };
    const unsigned threads =
        std::min(split.parts(), std::max(1u, llvm::hardware_concurrency().compute_thread_count()));
    std::vector<std::thread> pool;
    for (unsigned thread = 1; thread < threads; ++thread) pool.emplace_back(work);
    work();
    for (std::thread& thread : pool) thread.join();
  }
  unsigned from_cache = 0;
  double keying = 0, compiling = 0;
  for (UnitResult& result : results) {
    if (!result.error.empty()) return result.error;
    from_cache += result.from_cache;
    keying += result.keying_seconds;
    compiling += result.compile_seconds;
  }
  if (options.timings) {
    options.timings->endPhase("codegen: parts");
    char line[200];
    std::snprintf(line, sizeof line,
                  "%zu parts, %u from the cache; CPU seconds: %.3f reading and keying, %.3f compiling",
                  results.size(), from_cache, keying, compiling);
    options.timings->note(line);
    for (size_t part = 0; part < results.size() && results.size() > 1; ++part) {
      if (results[part].from_cache) continue;
      std::snprintf(line, sizeof line, "part %zu: %zu instructions, %.3f CPU seconds to compile", part,
                    results[part].instructions, results[part].compile_seconds);
      options.timings->note(line);
    }
  }
  if (options.cache && from_cache < results.size()) {
    options.cache->trim();
    if (options.timings) options.timings->endPhase("codegen: cache trim");
  }
  for (UnitResult& result : results) outputs.push_back(std::move(result.output));
  return {};
}

}  // namespace

std::string targetCpu(const CodegenOptions& options) {
  if (options.cpu.empty()) return targetOf(options).default_cpu;
  return options.cpu == "native" ? llvm::sys::getHostCPUName().str() : options.cpu;
}

std::string emitFrameSizes(const std::vector<std::string>& objects, const CodegenOptions& options,
                             const std::string& path) {
  // .stack_sizes: for each function, its address (8 bytes, relocated) and its frame's size
  // in bytes (ULEB128).
  uint64_t largest = 0;
  for (const std::string& object_path : objects) {
    auto object = llvm::object::ObjectFile::createObjectFile(object_path);
    if (!object) return "cannot read " + object_path + ": " + llvm::toString(object.takeError());
    for (const llvm::object::SectionRef& section : object->getBinary()->sections()) {
      llvm::Expected<llvm::StringRef> name = section.getName();
      if (!name || *name != ".stack_sizes") {
        if (!name) llvm::consumeError(name.takeError());
        continue;
      }
      llvm::Expected<llvm::StringRef> contents = section.getContents();
      if (!contents) return "cannot read the frame sizes of " + object_path + ": " + llvm::toString(contents.takeError());
      const auto* at = reinterpret_cast<const uint8_t*>(contents->data());
      const auto* end = at + contents->size();
      while (end - at > 8) {
        at += 8;
        unsigned length = 0;
        const char* leb_error = nullptr;
        uint64_t size = llvm::decodeULEB128(at, &length, end, &leb_error);
        if (leb_error) return "malformed frame sizes in " + object_path;
        largest = std::max(largest, size);
        at += length;
      }
    }
  }
  if (largest > LUNATIC_MAX_UNPROBED_FRAME) {
    return "a function needs a frame of " + std::to_string(largest / 1024) + " KiB, more than the " +
           std::to_string(LUNATIC_MAX_UNPROBED_FRAME / 1024) + " KiB " + std::string(targetOf(options).name) +
           " allows (abi.h; fewer locals, or -O2 rather than -O0, make smaller frames)";
  }
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = makeTargetMachine(options, error);
  if (!machine) return error;
  llvm::LLVMContext context;
  llvm::Module module("frame_sizes", context);
  module.setTargetTriple(targetOf(options).llvm_triple);
  module.setDataLayout(machine->createDataLayout());
  auto* i64 = llvm::Type::getInt64Ty(context);
  // The module takes ownership of globals created this way, as LLVM's API has it.
  auto* size = new llvm::GlobalVariable(module, i64, true, llvm::GlobalValue::InternalLinkage,
                                        llvm::ConstantInt::get(i64, largest), "frame_size");
  size->setSection(LUNATIC_FRAME_SIZES_SECTION);
  size->setAlignment(llvm::Align(8));
  llvm::appendToCompilerUsed(module, {size});
  std::error_code file_error;
  llvm::raw_fd_ostream out(path, file_error);
  if (file_error) return "cannot write " + path + ": " + file_error.message();
  return writeObject(module, *machine, out);
}

std::string targetDataLayout(const CodegenOptions& options, std::string& error) {
  std::unique_ptr<llvm::TargetMachine> machine = makeTargetMachine(options, error);
  return machine ? machine->createDataLayout().getStringRepresentation() : std::string();
}

std::string emitObject(llvm::Module& module, const CodegenOptions& options, const std::string& path) {
  std::vector<std::string> objects;
  if (std::string error = compileInParts(module, options, writeObject, objects); !error.empty()) return error;
  if (objects.size() == 1) return writeFile(path, objects.front());
  std::vector<std::string> parts;
  std::string error;
  for (size_t part = 0; part < objects.size() && error.empty(); ++part) {
    parts.push_back(path + ".part" + std::to_string(part));
    error = writeFile(parts.back(), objects[part]);
  }
  if (error.empty()) error = joinObjects(parts, path);
  for (const std::string& part : parts) std::remove(part.c_str());
  if (options.timings) options.timings->endPhase("codegen: join parts");
  return error;
}

std::string emitIR(llvm::Module& module, const CodegenOptions& options, const std::string& path) {
  CodegenOptions uncached = options;
  uncached.cache = nullptr;  // the cache holds objects only
  std::vector<std::string> parts;
  if (std::string error = compileInParts(module, uncached, writeIR, parts); !error.empty()) return error;
  if (parts.size() == 1) return writeFile(path, parts.front());
  // One file, the parts one after another.
  std::string text;
  for (size_t part = 0; part < parts.size(); ++part) {
    text += "; part " + std::to_string(part + 1) + " of " + std::to_string(parts.size()) + "\n" + parts[part];
  }
  return writeFile(path, text);
}

}  // namespace lunaticc
