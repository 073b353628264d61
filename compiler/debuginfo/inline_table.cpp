// The inline table from an object's DWARF (inline_table.h).
#include "compiler/debuginfo/inline_table.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
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
  uint32_t begin, end, depth, name;
  bool operator<(const InlinedRange& other) const {
    return std::tie(begin, depth, end) < std::tie(other.begin, other.depth, other.end);
  }
};

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
  std::string names;
  std::map<std::string, uint32_t> name_offsets;
  if (code_index) {
    // Our own DWARF, just written: a problem in it costs frames in backtraces, nothing more.
    auto ignore = [](llvm::Error e) { llvm::consumeError(std::move(e)); };
    std::unique_ptr<llvm::DWARFContext> dwarf =
        llvm::DWARFContext::create(object, llvm::DWARFContext::ProcessDebugRelocations::Process, nullptr, "",
                                   ignore, ignore);
    for (const auto& unit : dwarf->compile_units()) {
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
        auto [found, added] = name_offsets.try_emplace(name, uint32_t(names.size()));
        if (added) names.append(name).push_back('\0');
        for (const llvm::DWARFAddressRange& range : *where) {
          if (range.SectionIndex != *code_index || range.LowPC >= range.HighPC || range.HighPC > UINT32_MAX) continue;
          ranges.push_back({uint32_t(range.LowPC), uint32_t(range.HighPC), depth, found->second});
        }
      }
    }
  }
  std::sort(ranges.begin(), ranges.end());

  // One block (abi.h): the header, the ranges, the names.
  auto module = std::make_unique<llvm::Module>(symbol, context);
  auto* i32 = llvm::Type::getInt32Ty(context);
  auto* range_type = llvm::StructType::get(context, {i32, i32, i32, i32});
  auto number = [&](uint32_t value) { return llvm::ConstantInt::get(i32, value); };
  std::vector<llvm::Constant*> entries;
  for (const InlinedRange& r : ranges) {
    entries.push_back(llvm::ConstantStruct::get(range_type, {number(r.begin), number(r.end), number(r.depth),
                                                             number(r.name)}));
  }
  auto* array_type = llvm::ArrayType::get(range_type, entries.size());
  names.push_back('\0');
  auto* name_data = llvm::ConstantDataArray::getString(context, names, false);
  uint32_t names_offset = uint32_t(sizeof(lunatic_inline_table) + entries.size() * sizeof(lunatic_inlined_range));
  auto* table_type = llvm::StructType::get(context, {i32, i32, array_type, name_data->getType()});
  auto* table = new llvm::GlobalVariable(
      *module, table_type, true, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantStruct::get(table_type, {number(uint32_t(entries.size())), number(names_offset),
                                             llvm::ConstantArray::get(array_type, entries), name_data}),
      symbol);
  table->setSection(LUNATIC_INLINE_TABLE_SECTION);
  table->setAlignment(llvm::Align(alignof(lunatic_inline_table)));
  return module;
}

}  // namespace lunaticc
