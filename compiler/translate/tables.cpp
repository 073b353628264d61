// Table and reference instructions (function.h): table.get/set/size/grow, ref.null,
// ref.is_null and ref.func. call_indirect, which also reads a table, is in calls.cpp.
#include "compiler/translate/function.h"

namespace lunaticc {

using llvm::Value;

Value* FunctionTranslator::tableObject(uint32_t index) {
  Value* tables = t_.loadInstanceField(b_, instance_, offsetof(lunatic_instance, tables), "tables");
  return t_.loadField(b_, t_.ptr, tables, size_t(index) * sizeof(void*), true, "table");
}

Value* FunctionTranslator::tableSlot(Value* table, Value* element) {
  // Not invariant: growing a table may move its elements.
  Value* elements = t_.loadField(b_, t_.ptr, table, offsetof(lunatic_table, elements), false, "elements");
  return b_.CreateGEP(t_.ptr, elements, b_.CreateZExt(element, t_.i64));
}

Value* FunctionTranslator::checkedTableSlot(uint32_t table_index, Value* element) {
  Value* table = tableObject(table_index);
  Value* size = t_.loadField(b_, t_.i32, table, offsetof(lunatic_table, size), false, "table.size");
  trapIf(b_.CreateICmpUGE(element, size), LUNATIC_TRAP_TABLE_OUT_OF_BOUNDS);
  return tableSlot(table, element);
}

Value* FunctionTranslator::lowerTableGet(BinaryenExpressionRef e) {
  Value* element = lower(BinaryenTableGetGetIndex(e));
  if (dead_) return nullptr;
  return b_.CreateLoad(t_.ptr, checkedTableSlot(tableIndex(BinaryenTableGetGetTable(e)), element));
}

Value* FunctionTranslator::lowerTableSet(BinaryenExpressionRef e) {
  Value* element = lower(BinaryenTableSetGetIndex(e));
  if (dead_) return nullptr;
  Value* value = lower(BinaryenTableSetGetValue(e));
  if (dead_) return nullptr;
  b_.CreateStore(value, checkedTableSlot(tableIndex(BinaryenTableSetGetTable(e)), element));
  return nullptr;
}

Value* FunctionTranslator::lowerTableSize(BinaryenExpressionRef e) {
  Value* table = tableObject(tableIndex(BinaryenTableSizeGetTable(e)));
  return t_.loadField(b_, t_.i32, table, offsetof(lunatic_table, size), false, "table.size");
}

Value* FunctionTranslator::lowerTableGrow(BinaryenExpressionRef e) {
  Value* value = lower(BinaryenTableGrowGetValue(e));
  if (dead_) return nullptr;
  Value* delta = lower(BinaryenTableGrowGetDelta(e));
  if (dead_) return nullptr;
  return callingOut([&] {
    return b_.CreateCall(t_.runtime("lunatic_table_grow", t_.i32, {t_.ptr, t_.i32, t_.ptr, t_.i32}),
                         {instance_, b_.getInt32(tableIndex(BinaryenTableGrowGetTable(e))), value, delta});
  });
}

Value* FunctionTranslator::lowerRefNull() { return llvm::ConstantPointerNull::get(t_.ptr); }

Value* FunctionTranslator::lowerRefIs(BinaryenExpressionRef e) {
  Value* value = lower(BinaryenRefIsGetValue(e));
  if (dead_) return nullptr;
  if (BinaryenRefIsGetOp(e) != BinaryenRefIsNull()) return unsupported("ref.is operator");
  return b_.CreateZExt(b_.CreateIsNull(value), t_.i32);
}

Value* FunctionTranslator::lowerRefFunc(BinaryenExpressionRef e) {
  return t_.funcObject(b_, instance_, functionIndex(BinaryenRefFuncGetFunc(e)));
}

}  // namespace lunaticc
