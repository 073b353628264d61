// Optimisation and object emission with LLVM (see codegen.h).
#include "codegen.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
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

#include <memory>

namespace lunaticc {
namespace {

constexpr const char* kTriple = "x86_64-pc-linux-gnu";

std::unique_ptr<llvm::TargetMachine> makeTargetMachine(const CodegenOptions& options,
                                                       std::string& error) {
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
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

void optimize(llvm::Module& module, llvm::TargetMachine& machine, int opt_level) {
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
  llvm::OptimizationLevel level = opt_level <= 0   ? llvm::OptimizationLevel::O0
                                  : opt_level == 1 ? llvm::OptimizationLevel::O1
                                  : opt_level == 2 ? llvm::OptimizationLevel::O2
                                                   : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager passes = level == llvm::OptimizationLevel::O0
                                       ? builder.buildO0DefaultPipeline(level)
                                       : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

// Prepares the module for `machine` and optimises it; returns the error, if any.
std::string prepare(llvm::Module& module, const CodegenOptions& options,
                    std::unique_ptr<llvm::TargetMachine>& machine) {
  std::string error;
  machine = makeTargetMachine(options, error);
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
  optimize(module, *machine, options.opt_level);
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
  std::unique_ptr<llvm::TargetMachine> machine;
  if (std::string error = prepare(module, options, machine); !error.empty()) return error;
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) return "cannot write " + path + ": " + ec.message();
  llvm::legacy::PassManager emit;
  if (machine->addPassesToEmitFile(emit, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    return "the target cannot emit object files";
  }
  emit.run(module);
  out.flush();
  return out.has_error() ? "cannot write " + path + ": " + out.error().message() : "";
}

std::string emitIR(llvm::Module& module, const CodegenOptions& options, const std::string& path) {
  std::unique_ptr<llvm::TargetMachine> machine;
  if (std::string error = prepare(module, options, machine); !error.empty()) return error;
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) return "cannot write " + path + ": " + ec.message();
  module.print(out, nullptr);
  return {};
}

}  // namespace lunaticc
