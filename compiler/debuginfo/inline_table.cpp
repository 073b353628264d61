// The inline table from an object's DWARF (inline_table.h).
#include "compiler/debuginfo/inline_table.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/DebugInfo/DWARF/DWARFDebugLine.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>
#include <llvm/Object/ObjectFile.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "lunatic/abi.h"

namespace lunaticc {
namespace {

struct InlinedRange {
  uint32_t begin, end, depth, name, call_file, call_line;
  bool operator<(const InlinedRange& other) const {
    return std::tie(begin, depth, end) < std::tie(other.begin, other.depth, other.end);
  }
};

struct CodeLine {
  uint32_t begin, file, line;
};

// The names block of the table: each string once.
class Names {
 public:
  uint32_t add(const std::string& name) {
    auto [found, added] = offsets_.try_emplace(name, uint32_t(text_.size()));
    if (added) text_.append(name).push_back('\0');
    return found->second;
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
  std::map<std::string, uint32_t> offsets_;
};

// The path of file `index` of `unit`'s line table, or "" if it has none.
std::string fileName(llvm::DWARFContext& dwarf, llvm::DWARFUnit& unit, uint64_t index) {
  const llvm::DWARFDebugLine::LineTable* table = dwarf.getLineTableForUnit(&unit);
  std::string path;
  if (table) {
    table->getFileNameByIndex(index, unit.getCompilationDir(),
                              llvm::DILineInfoSpecifier::FileLineInfoKind::RelativeFilePath, path);
  }
  return path;
}

// The rows of `unit`'s line table in the code section (with -g, the guest's lines; without,
// line 0 everywhere), added to `lines`.
void addLines(llvm::DWARFContext& dwarf, llvm::DWARFUnit& unit, uint64_t code_index, Names& names,
              std::vector<CodeLine>& lines) {
  const llvm::DWARFDebugLine::LineTable* table = dwarf.getLineTableForUnit(&unit);
  if (!table) return;
  std::map<uint16_t, uint32_t> files;  // line table index -> name offset
  for (const llvm::DWARFDebugLine::Row& row : table->Rows) {
    if (row.Address.SectionIndex != code_index || row.Address.Address > UINT32_MAX) continue;
    uint32_t line = row.EndSequence ? 0 : row.Line;
    uint32_t file = 0;
    if (line) {
      auto [found, added] = files.try_emplace(row.File, 0);
      if (added) found->second = names.add(fileName(dwarf, unit, row.File));
      file = found->second;
    }
    lines.push_back({uint32_t(row.Address.Address), file, line});
  }
}

// By address; of the rows at one address the last holds (the others cover no code), and a
// row that repeats the one before it goes.
void settleLines(std::vector<CodeLine>& lines) {
  std::stable_sort(lines.begin(), lines.end(), [](const CodeLine& a, const CodeLine& b) { return a.begin < b.begin; });
  std::vector<CodeLine> settled;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i + 1 < lines.size() && lines[i + 1].begin == lines[i].begin) continue;
    if (!settled.empty() && settled.back().file == lines[i].file && settled.back().line == lines[i].line) continue;
    settled.push_back(lines[i]);
  }
  bool any = std::any_of(settled.begin(), settled.end(), [](const CodeLine& row) { return row.line != 0; });
  lines = any ? std::move(settled) : std::vector<CodeLine>{};
}

}  // namespace

std::unique_ptr<llvm::Module> buildInlineTable(const std::string& object_path, const std::string& code_section,
                                               const std::string& symbol, llvm::LLVMContext& context,
                                               std::string& error) {
  llvm::Expected<llvm::object::OwningBinary<llvm::object::ObjectFile>> binary =
      llvm::object::ObjectFile::createObjectFile(object_path);
  if (!binary) {
    error = "cannot read the object for its inline table: " + llvm::toString(binary.takeError());
    return nullptr;
  }
  const llvm::object::ObjectFile& object = *binary->getBinary();
  std::optional<uint64_t> code_index;
  for (const llvm::object::SectionRef& section : object.sections()) {
    llvm::Expected<llvm::StringRef> name = section.getName();
    if (!name) {
      llvm::consumeError(name.takeError());
      continue;
    }
    if (*name == code_section) code_index = section.getIndex();
  }

  std::vector<InlinedRange> ranges;
  std::vector<CodeLine> lines;
  Names names;
  if (code_index) {
    // Our own DWARF, just written: a problem in it costs frames in backtraces, nothing more.
    auto ignore = [](llvm::Error e) { llvm::consumeError(std::move(e)); };
    std::unique_ptr<llvm::DWARFContext> dwarf =
        llvm::DWARFContext::create(object, llvm::DWARFContext::ProcessDebugRelocations::Process, nullptr, "",
                                   ignore, ignore);
    for (const auto& unit : dwarf->compile_units()) {
      addLines(*dwarf, *unit, *code_index, names, lines);
      for (unsigned i = 0, n = unit->getNumDIEs(); i < n; ++i) {
        llvm::DWARFDie die = unit->getDIEAtIndex(i);
        if (die.getTag() != llvm::dwarf::DW_TAG_inlined_subroutine) continue;
        uint32_t depth = 0;
        for (llvm::DWARFDie at = die; at; at = at.getParent()) {
          depth += at.getTag() == llvm::dwarf::DW_TAG_inlined_subroutine;
        }
        const char* name = die.getName(llvm::DINameKind::ShortName);
        if (!name) continue;
        llvm::Expected<llvm::DWARFAddressRangesVector> where = die.getAddressRanges();
        if (!where) {
          llvm::consumeError(where.takeError());
          continue;
        }
        uint32_t name_offset = names.add(name);
        uint32_t call_file = 0, call_line = 0, call_column = 0, discriminator = 0;
        die.getCallerFrame(call_file, call_line, call_column, discriminator);
        uint32_t call_file_offset = call_line ? names.add(fileName(*dwarf, *unit, call_file)) : 0;
        for (const llvm::DWARFAddressRange& range : *where) {
          if (range.SectionIndex != *code_index || range.LowPC >= range.HighPC || range.HighPC > UINT32_MAX) continue;
          ranges.push_back({uint32_t(range.LowPC), uint32_t(range.HighPC), depth, name_offset, call_file_offset,
                            call_line});
        }
      }
    }
  }
  std::sort(ranges.begin(), ranges.end());
  settleLines(lines);

  // One block (abi.h): the header, the ranges, the lines, the names.
  auto module = std::make_unique<llvm::Module>(symbol, context);
  auto* i32 = llvm::Type::getInt32Ty(context);
  auto* range_type = llvm::StructType::get(context, {i32, i32, i32, i32, i32, i32});
  auto* line_type = llvm::StructType::get(context, {i32, i32, i32});
  auto number = [&](uint32_t value) { return llvm::ConstantInt::get(i32, value); };
  std::vector<llvm::Constant*> range_entries, line_entries;
  for (const InlinedRange& r : ranges) {
    range_entries.push_back(llvm::ConstantStruct::get(
        range_type, {number(r.begin), number(r.end), number(r.depth), number(r.name), number(r.call_file),
                     number(r.call_line)}));
  }
  for (const CodeLine& row : lines) {
    line_entries.push_back(llvm::ConstantStruct::get(line_type, {number(row.begin), number(row.file), number(row.line)}));
  }
  auto* ranges_type = llvm::ArrayType::get(range_type, range_entries.size());
  auto* lines_type = llvm::ArrayType::get(line_type, line_entries.size());
  std::string name_text = names.take();
  name_text.push_back('\0');
  auto* name_data = llvm::ConstantDataArray::getString(context, name_text, false);
  uint32_t lines_offset =
      uint32_t(sizeof(lunatic_inline_table) + range_entries.size() * sizeof(lunatic_inlined_range));
  uint32_t names_offset = uint32_t(lines_offset + line_entries.size() * sizeof(lunatic_code_line));
  auto* table_type = llvm::StructType::get(context, {i32, i32, i32, i32, ranges_type, lines_type, name_data->getType()});
  auto* table = new llvm::GlobalVariable(
      *module, table_type, true, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantStruct::get(table_type, {number(uint32_t(range_entries.size())), number(names_offset),
                                             number(uint32_t(line_entries.size())), number(lines_offset),
                                             llvm::ConstantArray::get(ranges_type, range_entries),
                                             llvm::ConstantArray::get(lines_type, line_entries), name_data}),
      symbol);
  table->setSection(LUNATIC_INLINE_TABLE_SECTION);
  table->setAlignment(llvm::Align(alignof(lunatic_inline_table)));
  return module;
}

}  // namespace lunaticc
