// Lowering of WebAssembly's 128-bit SIMD instructions to LLVM IR, with the exact semantics
// the Wasm spec gives (NaN propagation, saturation, lane order). The expression translator
// lowers operands first and hands them here; v128 values are always <2 x i64> at these
// boundaries and converted to the lane shape inside.
#pragma once

#include <binaryen-c.h>
#include <llvm/IR/IRBuilder.h>

#include <cstdint>

namespace lunaticc::simd {

// The canonical LLVM type of a v128 value: <2 x i64>.
llvm::FixedVectorType* v128Type(llvm::LLVMContext& context);

// Unary ops whose operand or result is v128 (splat, neg, abs, any_true, all_true, bitmask,
// conversions, extends, popcnt, ...). `operand` is a scalar for splats, else a v128.
llvm::Value* lowerUnary(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* operand);
// Binary ops whose operands are v128 (arithmetic, comparisons, min/max, narrow, dot, ...).
llvm::Value* lowerBinary(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* lhs, llvm::Value* rhs);
llvm::Value* lowerExtractLane(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* vec, uint8_t lane);
llvm::Value* lowerReplaceLane(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* vec, uint8_t lane,
                              llvm::Value* scalar);
llvm::Value* lowerShuffle(llvm::IRBuilder<>& b, llvm::Value* lhs, llvm::Value* rhs,
                          const uint8_t mask[16]);
// bitselect (and the relaxed ternary ops, if Binaryen exposes them).
llvm::Value* lowerTernary(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* a, llvm::Value* b2,
                          llvm::Value* c);
// Shifts take the count modulo the lane width, as Wasm requires.
llvm::Value* lowerShift(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* vec, llvm::Value* count);

// Number of bytes a SIMDLoad (splat, extend, zero) or SIMDLoadStoreLane op touches, so the
// caller can bounds-check the effective address before calling the lowering below.
unsigned loadBytes(BinaryenOp op);
unsigned laneAccessBytes(BinaryenOp op);
// `address` is the host pointer of the effective address, already checked.
llvm::Value* lowerLoad(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* address);
// Returns the updated vector for lane loads, nullptr for lane stores.
llvm::Value* lowerLoadStoreLane(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* address,
                                llvm::Value* vec, uint8_t lane);

}  // namespace lunaticc::simd
