// The scalar numeric instructions (i32, i64, f32, f64): arithmetic, comparisons and
// conversions with the exact semantics of the Wasm spec and no LLVM undefined behaviour.
#pragma once

#include <binaryen-c.h>
#include <llvm/IR/IRBuilder.h>

#include <functional>

namespace lunaticc {

// Emits "if (condition) trap(kind)" and leaves the builder on the path that continues.
using TrapIf = std::function<void(llvm::Value* condition, uint32_t kind)>;

// Return null if `op` is not a scalar numeric op (SIMD ops go to simd.h).
llvm::Value* lowerNumericUnary(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* value,
                               const TrapIf& trap_if);
llvm::Value* lowerNumericBinary(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* lhs,
                                llvm::Value* rhs, const TrapIf& trap_if);

}  // namespace lunaticc
