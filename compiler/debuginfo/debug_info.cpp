// Guest DWARF in, LLVM debug metadata out (debug_info.h).
#include "compiler/debuginfo/debug_info.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <map>

namespace lunaticc {

GuestDebugInfo::~GuestDebugInfo() = default;

std::unique_ptr<GuestDebugInfo> GuestDebugInfo::read(BinaryenModuleRef module, const ModuleInfo& info,
                                                     const InstructionStarts& starts, std::string& warning) {
  // The buffers refer to the module's bytes, which outlive the translation; LLVM's reader
  // keeps references to those bytes, not to the buffers.
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> sections;
  bool has_lines = false;
  for (const auto& [name, contents] : info.debug_sections) {
    std::string key = name.substr(1);  // LLVM names them without the dot
    has_lines |= key == "debug_line";
    sections[key] = llvm::MemoryBuffer::getMemBuffer(
        llvm::StringRef(reinterpret_cast<const char*>(contents.data()), contents.size()), key, false);
  }
  if (!has_lines) {
    warning = "the module has no DWARF line table (.debug_line): compile the guest with -g and keep its "
              "debug sections (no wasm-opt --strip-debug) to see its source lines";
    return nullptr;
  }
  std::unique_ptr<GuestDebugInfo> guest(new GuestDebugInfo);
  // Malformed DWARF loses what it describes, never the compilation.
  guest->dwarf_ = llvm::DWARFContext::create(sections, 4, true, [](llvm::Error e) { llvm::consumeError(std::move(e)); },
                                             [](llvm::Error e) { llvm::consumeError(std::move(e)); });
  // The executable's one unit takes the language most of the guest's units have (Rust's
  // many, not the C library's start file): it tells gdb how to show names.
  std::map<unsigned, unsigned> languages;
  for (const auto& unit : guest->dwarf_->compile_units()) {
    if (llvm::DWARFDie die = unit->getUnitDIE(false)) {
      ++languages[unsigned(llvm::dwarf::toUnsigned(die.find(llvm::dwarf::DW_AT_language), 0))];
    }
  }
  unsigned most = 0;
  for (const auto& [language, count] : languages) {
    if (count > most) {
      most = count;
      guest->language = language;
    }
  }
  for (const auto& unit : guest->dwarf_->compile_units()) {
    llvm::DWARFDie die = unit->getUnitDIE(false);
    if (!die || llvm::dwarf::toUnsigned(die.find(llvm::dwarf::DW_AT_language), 0) != guest->language) continue;
    guest->language_file = llvm::dwarf::toString(die.find(llvm::dwarf::DW_AT_name), "");
    guest->directory = llvm::dwarf::toString(die.find(llvm::dwarf::DW_AT_comp_dir), "");
    guest->producer = llvm::dwarf::toString(die.find(llvm::dwarf::DW_AT_producer), "");
    break;
  }
  guest->offsets_ = mapExpressionOffsets(module, info, starts);
  for (std::span<const uint8_t> body : info.bodies) {
    guest->body_offsets_.push_back(uint32_t(body.data() - info.code_section.data()));
  }
  return guest;
}

std::vector<GuestDebugInfo::Frame> GuestDebugInfo::framesAt(uint32_t offset) const {
  using Spec = llvm::DILineInfoSpecifier;
  llvm::DIInliningInfo inlining = dwarf_->getInliningInfoForAddress(
      {offset, llvm::object::SectionedAddress::UndefSection},
      Spec(Spec::FileLineInfoKind::AbsoluteFilePath, llvm::DINameKind::ShortName));
  std::vector<Frame> frames;
  for (uint32_t i = 0; i < inlining.getNumberOfFrames(); ++i) {
    const llvm::DILineInfo& line = inlining.getFrame(i);
    if (line.Line == 0 || line.FileName == llvm::DILineInfo::BadString) return {};
    Frame frame;
    frame.function = line.FunctionName == llvm::DILineInfo::BadString ? "" : line.FunctionName;
    frame.file = line.FileName;
    frame.line = line.Line;
    frame.column = line.Column;
    frame.declaration_file = line.StartFileName == llvm::DILineInfo::BadString ? line.FileName : line.StartFileName;
    frame.declaration_line = line.StartLine;
    frames.push_back(std::move(frame));
  }
  return frames;
}

DebugInfoBuilder::DebugInfoBuilder(llvm::Module& module, const GuestDebugInfo* guest, const std::string& module_name)
    : context_(module.getContext()), guest_(guest), builder_(module) {
  module.addModuleFlag(llvm::Module::Warning, "Debug Info Version", llvm::DEBUG_METADATA_VERSION);
  module.addModuleFlag(llvm::Module::Warning, "Dwarf Version", 5);
  // The unit is the guest program's: its language tells gdb how to show names and values.
  std::string name = guest && !guest->language_file.empty() ? guest->language_file : module_name;
  std::string producer = "lunaticc";
  if (guest && !guest->producer.empty()) producer += " (from " + guest->producer + ")";
  unsigned language = guest && guest->language ? guest->language : llvm::dwarf::DW_LANG_C11;
  unit_ = builder_.createCompileUnit(language, builder_.createFile(name, guest ? guest->directory : ""), producer,
                                     true, "", 0, "",
                                     guest ? llvm::DICompileUnit::FullDebug : llvm::DICompileUnit::LineTablesOnly,
                                     0, true, false,
                                     // Parts compiled apart and joined by `lld -r` would leave
                                     // one name index per part, which gdb refuses whole.
                                     llvm::DICompileUnit::DebugNameTableKind::None);
  type_ = builder_.createSubroutineType(builder_.getOrCreateTypeArray({}));
}

DebugInfoBuilder::~DebugInfoBuilder() = default;

llvm::DIFile* DebugInfoBuilder::file(const std::string& path) {
  llvm::DIFile*& entry = files_[path];
  if (!entry) {
    entry = builder_.createFile(llvm::sys::path::filename(path), llvm::sys::path::parent_path(path));
  }
  return entry;
}

// Code of `subprogram` from another file than the one it is declared in (a macro's, an
// included header's): a lexical block file says which.
llvm::DIScope* DebugInfoBuilder::scopeIn(llvm::DISubprogram* subprogram, const std::string& path) {
  llvm::DIFile* in = file(path);
  if (in == subprogram->getFile()) return subprogram;
  return builder_.createLexicalBlockFile(subprogram, in);
}

llvm::DISubprogram* DebugInfoBuilder::subprogram(const std::string& name, const std::string& linkage_name,
                                                 const std::string& path, uint32_t line) {
  auto flags = llvm::DISubprogram::SPFlagDefinition | llvm::DISubprogram::SPFlagOptimized;
  return builder_.createFunction(path.empty() ? static_cast<llvm::DIScope*>(unit_) : file(path), name,
                                 linkage_name == name ? "" : linkage_name, path.empty() ? unit_->getFile() : file(path),
                                 line, type_, line, llvm::DINode::FlagPrototyped, flags);
}

void DebugInfoBuilder::describeFunction(llvm::Function* fn, uint32_t defined, const std::string& name) {
  std::string path, source_name = name, linkage_name = fn->getName().str();
  uint32_t line = 0;
  if (guest_) {
    // The frames at the body's first instruction with a line name the function and where
    // it is declared.
    std::vector<GuestDebugInfo::Frame> frames = guest_->framesAt(guest_->bodyOffset(defined));
    if (!frames.empty()) {
      path = frames.back().declaration_file;
      line = frames.back().declaration_line;
      // The guest's name as its DWARF has it ("report", not "_ZN8debuggee6report17h...E"):
      // the symbol keeps the other.
      if (!frames.back().function.empty()) source_name = linkage_name = frames.back().function;
    }
  }
  fn->setSubprogram(subprogram(source_name, linkage_name, path, line));
}

llvm::DILocation* DebugInfoBuilder::beginFunction(llvm::Function* fn) {
  current_ = fn->getSubprogram();
  return llvm::DILocation::get(context_, current_->getLine(), 0, current_);
}

llvm::DILocation* DebugInfoBuilder::locationOf(BinaryenExpressionRef e) {
  if (!guest_) return nullptr;
  auto found = guest_->offsets().find(e);
  if (found == guest_->offsets().end()) return nullptr;
  auto [cached, inserted] = locations_.try_emplace(found->second, nullptr);
  if (!inserted) return cached->second;
  std::vector<GuestDebugInfo::Frame> frames = guest_->framesAt(found->second);
  if (frames.empty()) return nullptr;
  // The outermost frame is the function itself; each one inside it was inlined at the line
  // the frame outside it gives.
  const GuestDebugInfo::Frame& own = frames.back();
  llvm::DILocation* location = llvm::DILocation::get(context_, own.line, own.column, scopeIn(current_, own.file));
  for (size_t i = frames.size() - 1; i-- > 0;) {
    const GuestDebugInfo::Frame& frame = frames[i];
    llvm::DISubprogram*& inlined = inlined_[{frame.function, frame.declaration_file, frame.declaration_line}];
    if (!inlined) inlined = subprogram(frame.function, frame.function, frame.declaration_file, frame.declaration_line);
    location = llvm::DILocation::get(context_, frame.line, frame.column, scopeIn(inlined, frame.file), location);
  }
  cached->second = location;
  return location;
}

void DebugInfoBuilder::finish() { builder_.finalize(); }

}  // namespace lunaticc
