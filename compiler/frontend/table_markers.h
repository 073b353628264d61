// The translator's half of binaryen_compat.h's table-instruction markers: a call to a marker
// function becomes the runtime helper call the original instruction stands for.
#pragma once

#include <llvm/ADT/ArrayRef.h>
#include <llvm/IR/IRBuilder.h>

#include "compiler/frontend/module_info.h"

namespace lunaticc {

// Returns the marker a call to `function_index` stands for, or null for an ordinary call.
const TableOpMarker* findTableOpMarker(const ModuleInfo& info, uint32_t function_index);

// Emits the runtime call for `marker`. `args` are the call's operands, already lowered:
// (dst, src, len) for table.init and table.copy, (dst, value, len) for table.fill, none for
// elem.drop. The instance is the calling function's.
void emitTableOpMarker(llvm::IRBuilder<>& builder, const TableOpMarker& marker,
                       llvm::Value* instance, llvm::ArrayRef<llvm::Value*> args);

}  // namespace lunaticc
