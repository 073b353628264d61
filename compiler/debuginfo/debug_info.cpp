// Guest DWARF in, LLVM debug metadata out (debug_info.h).
#include "compiler/debuginfo/debug_info.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/DebugInfo/DWARF/DWARFCompileUnit.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/LEB128.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <map>

#include "compiler/frontend/binaryen_ir.h"

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
  for (size_t i = 0; i < info.bodies.size(); ++i) {
    uint32_t body = uint32_t(info.bodies[i].data() - info.code_section.data());
    guest->body_offsets_.push_back(body);
    guest->first_instructions_.push_back(i < starts.size() && !starts[i].empty() ? body + starts[i].front() : body);
  }
  return guest;
}

namespace {

using GuestVariable = GuestDebugInfo::Variable;

// The local a location expression names when it is exactly the value of Wasm local N:
// DW_OP_WASM_location 0x0 N, with or without DW_OP_stack_value. Anything more (an offset
// from a local is an address in linear memory) is not.
uint32_t localOf(llvm::ArrayRef<uint8_t> expression) {
  if (expression.size() < 3 || expression[0] != llvm::dwarf::DW_OP_WASM_location || expression[1] != 0) {
    return GuestVariable::kNoLocal;
  }
  unsigned length = 0;
  const char* error = nullptr;
  uint64_t local = llvm::decodeULEB128(expression.data() + 2, &length, expression.end(), &error);
  size_t rest = 2 + length;
  bool plain = rest == expression.size() ||
               (rest + 1 == expression.size() && expression[rest] == llvm::dwarf::DW_OP_stack_value);
  return error || !plain || local >= GuestVariable::kNoLocal ? GuestVariable::kNoLocal : uint32_t(local);
}

// The base type a value of `type` is shown with, through typedefs and qualifiers; a pointer
// or reference is its 32-bit offset in linear memory. False for the rest (structures,
// arrays, enumerations), which a Wasm local does not hold whole.
bool takeBaseType(llvm::DWARFDie type, GuestVariable& variable) {
  for (int depth = 0; type && depth < 16; ++depth) {
    switch (type.getTag()) {
      case llvm::dwarf::DW_TAG_base_type:
        variable.type_name = type.getShortName() ? type.getShortName() : "";
        variable.encoding = unsigned(llvm::dwarf::toUnsigned(type.find(llvm::dwarf::DW_AT_encoding), 0));
        variable.bytes = uint32_t(llvm::dwarf::toUnsigned(type.find(llvm::dwarf::DW_AT_byte_size), 0));
        return variable.encoding != 0 && variable.bytes != 0 && variable.bytes <= 8;
      case llvm::dwarf::DW_TAG_pointer_type:
      case llvm::dwarf::DW_TAG_reference_type:
      case llvm::dwarf::DW_TAG_rvalue_reference_type: {
        llvm::raw_string_ostream name(variable.type_name);
        llvm::dumpTypeQualifiedName(type, name);
        variable.encoding = llvm::dwarf::DW_ATE_unsigned;
        variable.bytes = uint32_t(llvm::dwarf::toUnsigned(type.find(llvm::dwarf::DW_AT_byte_size), 4));
        return variable.bytes == 4 || variable.bytes == 8;
      }
      case llvm::dwarf::DW_TAG_typedef:
      case llvm::dwarf::DW_TAG_const_type:
      case llvm::dwarf::DW_TAG_volatile_type:
      case llvm::dwarf::DW_TAG_restrict_type:
      case llvm::dwarf::DW_TAG_atomic_type:
        type = type.getAttributeValueAsReferencedDie(llvm::dwarf::DW_AT_type);
        break;
      default:
        return false;
    }
  }
  return false;
}

// The variables of `scope` (a subprogram or a lexical block in it) that live in locals.
// Those of functions inlined in it (DW_TAG_inlined_subroutine) are not looked at.
void collectVariables(llvm::DWARFDie scope, unsigned& parameters, std::vector<GuestVariable>& out) {
  for (llvm::DWARFDie child : scope.children()) {
    llvm::dwarf::Tag tag = child.getTag();
    if (tag == llvm::dwarf::DW_TAG_lexical_block) {
      collectVariables(child, parameters, out);
      continue;
    }
    if (tag != llvm::dwarf::DW_TAG_formal_parameter && tag != llvm::dwarf::DW_TAG_variable) continue;
    GuestVariable variable;
    // Counted whether kept or not: the number is the parameter's place in the source.
    if (tag == llvm::dwarf::DW_TAG_formal_parameter) variable.argument = ++parameters;
    const char* name = child.getShortName();
    if (!name || !*name) continue;
    variable.name = name;
    variable.file = child.getDeclFile(llvm::DILineInfoSpecifier::FileLineInfoKind::AbsoluteFilePath);
    variable.line = uint32_t(child.getDeclLine());
    std::optional<llvm::DWARFFormValue> type = child.findRecursively(llvm::dwarf::DW_AT_type);
    if (!type || !takeBaseType(child.getAttributeValueAsReferencedDie(*type), variable)) continue;
    llvm::Expected<llvm::DWARFLocationExpressionsVector> locations = child.getLocations(llvm::dwarf::DW_AT_location);
    if (!locations) {
      llvm::consumeError(locations.takeError());
      continue;
    }
    if (locations->size() == 1 && !locations->front().Range) {
      variable.everywhere_in = localOf(locations->front().Expr);
    } else {
      // A default entry (no range) means "wherever no other entry is": left out.
      for (const llvm::DWARFLocationExpression& entry : *locations) {
        uint32_t local = localOf(entry.Expr);
        if (!entry.Range || local == GuestVariable::kNoLocal || entry.Range->HighPC > UINT32_MAX ||
            entry.Range->LowPC >= entry.Range->HighPC) {
          continue;
        }
        variable.ranges.push_back({uint32_t(entry.Range->LowPC), uint32_t(entry.Range->HighPC), local});
      }
    }
    if (variable.everywhere_in != GuestVariable::kNoLocal || !variable.ranges.empty()) out.push_back(std::move(variable));
  }
}

}  // namespace

std::vector<GuestDebugInfo::Variable> GuestDebugInfo::variablesOf(uint32_t defined) const {
  uint32_t offset = first_instructions_[defined];
  llvm::DWARFCompileUnit* unit = dwarf_->getCompileUnitForCodeAddress(offset);
  if (!unit) return {};
  llvm::DWARFDie function = unit->getSubroutineForAddress(offset);
  while (function && function.getTag() != llvm::dwarf::DW_TAG_subprogram) function = function.getParent();
  // The body's own, not one whose (malformed) range reaches into it from before.
  uint64_t low = 0, high = 0, section = 0;
  if (!function || !function.getLowAndHighPC(low, high, section) || low < bodyOffset(defined)) return {};
  std::vector<Variable> variables;
  unsigned parameters = 0;
  collectVariables(function, parameters, variables);
  return variables;
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

llvm::DILocalVariable* DebugInfoBuilder::localVariable(const GuestDebugInfo::Variable& variable) {
  llvm::DIBasicType*& type = types_[{variable.type_name, variable.encoding, variable.bytes}];
  if (!type) type = builder_.createBasicType(variable.type_name, variable.bytes * 8, variable.encoding);
  llvm::DIFile* in = variable.file.empty() ? current_->getFile() : file(variable.file);
  // In the function's own scope: a lexical block would need code located in it, and the
  // guest's blocks are not carried over.
  if (variable.argument) {
    return builder_.createParameterVariable(current_, variable.name, variable.argument, in, variable.line, type);
  }
  return builder_.createAutoVariable(current_, variable.name, in, variable.line, type);
}

namespace {

// Which locals some local.set or local.tee in `body` writes.
std::vector<bool> writtenLocals(BinaryenExpressionRef body, size_t locals) {
  std::vector<bool> written(locals, false);
  std::vector<BinaryenExpressionRef> pending = {body};
  std::vector<Child> children;
  while (!pending.empty()) {
    BinaryenExpressionRef e = pending.back();
    pending.pop_back();
    if (BinaryenExpressionGetId(e) == expressionIds().LocalSet && BinaryenLocalSetGetIndex(e) < locals) {
      written[BinaryenLocalSetGetIndex(e)] = true;
    }
    children.clear();
    childrenOf(e, children);
    for (const Child& child : children) pending.push_back(child.expr);
  }
  return written;
}

}  // namespace

void DebugInfoBuilder::describeVariables(uint32_t defined, const std::vector<llvm::AllocaInst*>& slots,
                                         const std::vector<llvm::Value*>& initial, BinaryenExpressionRef body,
                                         llvm::BasicBlock* entry, llvm::BasicBlock* block) {
  using Variable = GuestDebugInfo::Variable;
  ranged_.clear();
  known_.assign(slots.size(), {});
  if (!guest_) return;
  // A local shows a variable if it is a number of its kind at least as wide (an i32 holds
  // a bool, an i64 a 32-bit int in its low half, a float only a float of its size).
  auto holds = [&](uint32_t local, const Variable& variable) {
    if (local >= slots.size()) return false;
    llvm::Type* type = slots[local]->getAllocatedType();
    if (variable.encoding == llvm::dwarf::DW_ATE_float) {
      return type->isFloatingPointTy() && type->getPrimitiveSizeInBits() == variable.bytes * 8;
    }
    return type->isIntegerTy() && type->getPrimitiveSizeInBits() >= variable.bytes * 8;
  };
  std::vector<Variable> variables = guest_->variablesOf(defined);
  if (variables.empty()) return;
  std::vector<bool> written = writtenLocals(body, slots.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    if (written[i]) {
      known_[i].block = block;
      known_[i].stored = initial[i];
    } else {
      known_[i].fixed = initial[i];
    }
  }
  for (Variable& variable : variables) {
    uint32_t local = variable.everywhere_in;
    if (local != Variable::kNoLocal && holds(local, variable) && known_[local].fixed) {
      // Its value from the entry on, before the stack check whose block the stores follow,
      // so `break function` sees it too; ahead of the entry's code, not on its branch,
      // which passes may remake without it.
      builder_.insertDbgValueIntrinsic(known_[local].fixed, localVariable(variable), builder_.createExpression(),
                                       llvm::DILocation::get(context_, 0, 0, current_),
                                       &*entry->getFirstNonPHIOrDbgOrAlloca());
      continue;
    }
    // Written: what the guest's DWARF says of it holds only until a write (see afterLocalSet).
    if (local != Variable::kNoLocal) variable.ranges = {{0, UINT32_MAX, local}};
    std::erase_if(variable.ranges, [&](const Variable::Range& range) { return !holds(range.local, variable); });
    if (!variable.ranges.empty()) ranged_.push_back({localVariable(variable), std::move(variable.ranges)});
  }
}

void DebugInfoBuilder::setValue(const RangedVariable& ranged, llvm::Value* value, llvm::BasicBlock* block) {
  if (!value) value = llvm::PoisonValue::get(llvm::Type::getInt32Ty(context_));  // no location
  builder_.insertDbgValueIntrinsic(value, ranged.variable, builder_.createExpression(),
                                   llvm::DILocation::get(context_, 0, 0, current_), block);
}

void DebugInfoBuilder::moveTo(uint32_t offset, llvm::BasicBlock* block) {
  for (RangedVariable& ranged : ranged_) {
    uint32_t in = GuestDebugInfo::Variable::kNoLocal;
    for (const GuestDebugInfo::Variable::Range& range : ranged.ranges) {
      if (range.begin <= offset && offset < range.end) {
        in = range.local;
        break;
      }
    }
    if (in == ranged.in) continue;
    ranged.in = in;
    llvm::Value* value = nullptr;
    if (in != GuestDebugInfo::Variable::kNoLocal) {
      const Known& known = known_[in];
      value = known.fixed ? known.fixed : known.block == block ? known.stored : nullptr;
    }
    setValue(ranged, value, block);
  }
}

void DebugInfoBuilder::afterExpression(BinaryenExpressionRef e, llvm::BasicBlock* block) {
  if (ranged_.empty()) return;
  auto found = guest_->offsets().find(e);
  if (found != guest_->offsets().end()) moveTo(found->second, block);
}

void DebugInfoBuilder::afterLocalSet(BinaryenExpressionRef e, uint32_t local, llvm::Value* value,
                                     llvm::BasicBlock* block) {
  if (ranged_.empty()) return;
  afterExpression(e, block);
  known_[local].block = block;
  known_[local].stored = value;
  // A write inside a range may be the variable's own new value, or the local given to
  // another value while the guest's range goes on: clang's Wasm backend reuses locals
  // without ending the ranges of the variables they held. The two look alike once the
  // guest's compiler has merged adjacent ranges, so the variable has no location until
  // it enters a range again. (A write just before a range starts is how it gets a value.)
  for (const RangedVariable& ranged : ranged_) {
    if (ranged.in == local) setValue(ranged, nullptr, block);
  }
}

void DebugInfoBuilder::finish() { builder_.finalize(); }

}  // namespace lunaticc
