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

// Sets the quiet bit of `value` if it is a NaN, else returns it unchanged: bit operations
// only, so nothing LLVM folds can undo it. Wasm wants an arithmetic (quiet) NaN from every
// float operation whose input is a NaN, but LLVM folds x*1, x+(-0), fptrunc(fpext x) ...
// to x, and llvm.minimum/maximum return a NaN operand as it is, signalling or not.
llvm::Value* quietNaN(llvm::IRBuilder<>& b, llvm::Value* value);

// Whether LLVM may fold a float add, sub, mul or div of these operands to one of them or its
// negation, so that a signalling NaN passes through unquieted: only when an operand is the
// constant +-0 or +-1 (x*1, x/1, x+(-0), x-0, -0-x, x*-1, x/-1). Other constants leave real
// arithmetic, which quiets NaNs, so their results need no quietNaN (which costs the
// latency of a compare and a blend after every division by a constant in a hot loop).
bool mayFoldToOperand(llvm::Value* lhs, llvm::Value* rhs);

}  // namespace lunaticc
