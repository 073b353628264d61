// Lowering of table-instruction markers to runtime helpers (see table_markers.h).
#include "compiler/frontend/table_markers.h"

#include <llvm/IR/Module.h>

#include <algorithm>

namespace lunaticc {

const TableOpMarker* findTableOpMarker(const ModuleInfo& info, uint32_t function_index) {
  auto it = std::find_if(info.table_op_markers.begin(), info.table_op_markers.end(),
                         [&](const TableOpMarker& m) { return m.function_index == function_index; });
  return it == info.table_op_markers.end() ? nullptr : &*it;
}

void emitTableOpMarker(llvm::IRBuilder<>& b, const TableOpMarker& marker, llvm::Value* instance,
                       llvm::ArrayRef<llvm::Value*> args) {
  llvm::Module& module = *b.GetInsertBlock()->getModule();
  llvm::Type* i32 = b.getInt32Ty();
  llvm::Type* ptr = b.getPtrTy();
  auto helper = [&](const char* name, llvm::ArrayRef<llvm::Type*> params) {
    return module.getOrInsertFunction(name, llvm::FunctionType::get(b.getVoidTy(), params, false));
  };
  auto imm = [&](int i) { return b.getInt32(marker.immediates[i]); };
  switch (marker.misc_opcode) {
    case 12:  // table.init elem table: lunatic_table_init(instance, table, segment, dst, src, len)
      b.CreateCall(helper("lunatic_table_init", {ptr, i32, i32, i32, i32, i32}),
                   {instance, imm(1), imm(0), args[0], args[1], args[2]});
      break;
    case 13:  // elem.drop elem
      b.CreateCall(helper("lunatic_elem_drop", {ptr, i32}), {instance, imm(0)});
      break;
    case 14:  // table.copy dst src: lunatic_table_copy(instance, dst_table, src_table, dst, src, len)
      b.CreateCall(helper("lunatic_table_copy", {ptr, i32, i32, i32, i32, i32}),
                   {instance, imm(0), imm(1), args[0], args[1], args[2]});
      break;
    case 17:  // table.fill table: lunatic_table_fill(instance, table, dst, value, len)
      b.CreateCall(helper("lunatic_table_fill", {ptr, i32, i32, ptr, i32}),
                   {instance, imm(0), args[0], args[1], args[2]});
      break;
  }
}

}  // namespace lunaticc
