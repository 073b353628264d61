// Optimisation and object emission with LLVM (see codegen.h).
#include "compiler/backend/codegen.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Transforms/IPO/GlobalDCE.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "compiler/backend/module_split.h"
#include "passes/memory/address_widening.h"
#include "passes/memory/byte_compare.h"
#include "passes/preemption/charge_branches.h"
#include "passes/preemption/charge_merging.h"
#include "passes/preemption/charge_unrolling.h"
#include "passes/preemption/loop_versioning.h"

namespace lunaticc {
namespace {

constexpr const char* kTriple = "x86_64-pc-linux-gnu";

std::unique_ptr<llvm::TargetMachine> makeTargetMachine(const CodegenOptions& options,
                                                       std::string& error) {
  // Once, before any thread makes a machine of its own: registration is not thread-safe.
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
  });
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(kTriple, error);
  if (!target) return nullptr;
  std::string cpu = targetCpu(options);
  llvm::TargetOptions target_options;
  auto level = options.opt_level == 0   ? llvm::CodeGenOptLevel::None
               : options.opt_level == 1 ? llvm::CodeGenOptLevel::Less
               : options.opt_level == 2 ? llvm::CodeGenOptLevel::Default
                                        : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      kTriple, cpu, "", target_options, llvm::Reloc::PIC_, llvm::CodeModel::Small, level));
  if (!machine) error = "cannot create a target machine for CPU " + cpu;
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
  registerChargeUnrolling(builder);
  registerByteCompare(builder, options.bounds_checked);
  registerAddressWidening(builder);
  registerChargeBranches(builder);
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
  module.setTargetTriple(kTriple);
  module.setDataLayout(machine->createDataLayout());
  // Schedule and select instructions for no CPU in particular, as clang does: without a
  // "tune-cpu" LLVM tunes for the target CPU, and for x86-64-v2 that means Sandy Bridge,
  // whose double-shift rotates are slow on other CPUs (SHA-256 ran 1.9 times native).
  for (llvm::Function& f : module) {
    if (!f.isDeclaration() && !f.hasFnAttribute("tune-cpu")) f.addFnAttr("tune-cpu", "generic");
  }
  std::string verify_message;
  llvm::raw_string_ostream verify_stream(verify_message);
  if (llvm::verifyModule(module, &verify_stream)) {
    return "internal error: generated IR does not verify: " +
           verify_message.substr(0, verify_message.find('\n'));
  }
  return {};
}

// Writes the file at `path` with `write`, which returns an error or an empty string.
template <typename Write>
std::string writeFile(const std::string& path, Write write) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) return "cannot write " + path + ": " + ec.message();
  if (std::string error = write(out); !error.empty()) return error;
  out.flush();
  return out.has_error() ? "cannot write " + path + ": " + out.error().message() : "";
}

std::string writeObject(llvm::Module& module, llvm::TargetMachine& machine, const std::string& path) {
  return writeFile(path, [&](llvm::raw_pwrite_stream& out) -> std::string {
    llvm::legacy::PassManager emit;
    if (machine.addPassesToEmitFile(emit, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      return "the target cannot emit object files";
    }
    emit.run(module);
    return {};
  });
}

std::string writeIR(llvm::Module& module, llvm::TargetMachine&, const std::string& path) {
  return writeFile(path, [&](llvm::raw_pwrite_stream& out) -> std::string {
    module.print(out, nullptr);
    return {};
  });
}

using Writer = std::string (*)(llvm::Module&, llvm::TargetMachine&, const std::string&);

// Optimises `module` with the options it calls for (optionsFor) and writes it to `path`.
std::string compileModule(llvm::Module& module, const CodegenOptions& options, Writer write, const std::string& path) {
  const CodegenOptions chosen = optionsFor(module, options);
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = makeTargetMachine(chosen, error);
  if (!machine) return error;
  optimize(module, *machine, chosen);
  return write(module, *machine, path);
}

// One part of a split module, on a thread of its own: read into a context of its own,
// optimised and written to `path`.
std::string compilePart(const ModuleSplit& split, unsigned part, const CodegenOptions& options, Writer write,
                        const std::string& path) {
  llvm::LLVMContext context;
  llvm::Expected<std::unique_ptr<llvm::Module>> module = split.readPart(part, context);
  if (!module) return "internal error: a part does not read back: " + llvm::toString(module.takeError());
  return compileModule(**module, options, write, path);
}

// Optimises `module` and writes it with `write`: whole to `path` or, when large or holding
// oversized functions, in parts optimised on threads of their own (module_split.h) to the
// files it names in `part_paths`. Returns the error, if any.
std::string compileInParts(llvm::Module& module, const CodegenOptions& options, Writer write,
                           const std::string& path, std::vector<std::string>& part_paths) {
  if (std::string error = prepare(module, options); !error.empty()) return error;
  const SplitPlan plan = planSplit(module, options.parts);
  if (plan.parts == 1) return compileModule(module, options, write, path);
  const ModuleSplit split(module, plan, options.opt_level > 0);
  std::vector<std::string> errors(plan.parts);
  for (unsigned part = 0; part < plan.parts; ++part) part_paths.push_back(path + ".part" + std::to_string(part));
  std::vector<std::thread> threads;
  for (unsigned part = 0; part < plan.parts; ++part) {
    threads.emplace_back([&, part] { errors[part] = compilePart(split, part, options, write, part_paths[part]); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& error : errors) {
    if (!error.empty()) return error;
  }
  return {};
}

}  // namespace

std::string targetCpu(const CodegenOptions& options) {
  return options.cpu == "native" ? llvm::sys::getHostCPUName().str() : options.cpu;
}

std::string targetDataLayout(const CodegenOptions& options) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = makeTargetMachine(options, error);
  return machine ? machine->createDataLayout().getStringRepresentation() : std::string();
}

std::string emitObject(llvm::Module& module, const CodegenOptions& options, const std::string& path) {
  std::vector<std::string> parts;
  std::string error = compileInParts(module, options, writeObject, path, parts);
  if (error.empty() && !parts.empty()) error = joinObjects(parts, path);
  for (const std::string& part : parts) std::remove(part.c_str());
  return error;
}

std::string emitIR(llvm::Module& module, const CodegenOptions& options, const std::string& path) {
  std::vector<std::string> parts;
  std::string error = compileInParts(module, options, writeIR, path, parts);
  if (error.empty() && !parts.empty()) {
    // One file, the parts one after another.
    std::ofstream out(path, std::ios::binary);
    for (size_t part = 0; part < parts.size() && out; ++part) {
      out << "; part " << part + 1 << " of " << parts.size() << "\n" << std::ifstream(parts[part], std::ios::binary).rdbuf();
    }
    if (!out) error = "cannot write " + path;
  }
  for (const std::string& part : parts) std::remove(part.c_str());
  return error;
}

}  // namespace lunaticc
