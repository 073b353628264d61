// Tables of references (abi.h): storage that grows, owned by whoever defines the table.
#pragma once

#include <memory>
#include <vector>

#include "lunatic/abi.h"

namespace lunatic::rt {

// The ABI view comes first so a Table* is usable where generated code wants a lunatic_table*.
struct Table {
  lunatic_table abi{};
  std::vector<void*> storage;
};

void initTable(Table& table, uint8_t elem_type, uint32_t min, uint32_t max);
std::unique_ptr<Table> createTable(uint8_t elem_type, uint32_t min, uint32_t max);
// Old size, or UINT32_MAX if the table cannot grow by `delta`.
uint32_t growTable(lunatic_table* table, uint32_t delta, void* init);

}  // namespace lunatic::rt
