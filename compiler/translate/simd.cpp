// Lowering of WebAssembly 2.0 fixed-width SIMD to LLVM IR (see simd.h), and the function
// translator's SIMD instructions other than the operators (function.h).
//
// Every v128 crosses the interface as <2 x i64> and is bitcast to its lane shape here. The
// lowering is generic LLVM IR that is free of undefined behaviour and poison for every input
// (shift counts are masked, shuffle indices are in range, saturating conversions use
// llvm.fpto[su]i.sat, abs keeps INT_MIN). Where a generic intrinsic would turn into a libm call
// on a baseline x86-64 target (ceil/floor/trunc/roundeven) and the function is not known to be
// compiled for SSE4.1, the rounding is done with exact floating-point arithmetic instead.
//
// Binaryen's op ids are enumerators of different C++ enums (UnaryOp, BinaryOp, SIMDExtractOp,
// ...), so their numeric values overlap across categories: each entry point has a table of
// its own. Every entry point returns nullptr for an op id that is not one of its category
// (lowerLoadStoreLane also returns nullptr for the lane stores, which produce no value), so a
// caller can try the SIMD lowering first and fall back to its scalar handling.
#include "compiler/translate/simd.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsX86.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "compiler/frontend/binaryen_ir.h"
#include "compiler/translate/function.h"

namespace lunaticc::simd {

namespace {

using llvm::Value;
using Builder = llvm::IRBuilder<>;

enum class Shape : uint8_t { I8, I16, I32, I64, F32, F64 };

unsigned laneCount(Shape s) {
  switch (s) {
    case Shape::I8: return 16;
    case Shape::I16: return 8;
    case Shape::I32: case Shape::F32: return 4;
    case Shape::I64: case Shape::F64: return 2;
  }
  return 0;
}

unsigned laneBits(Shape s) { return 128 / laneCount(s); }

bool isFloat(Shape s) { return s == Shape::F32 || s == Shape::F64; }

// The integer shape with lanes of the same width.
Shape intShape(Shape s) {
  if (s == Shape::F32) return Shape::I32;
  if (s == Shape::F64) return Shape::I64;
  return s;
}

llvm::Type* laneType(llvm::LLVMContext& c, Shape s) {
  switch (s) {
    case Shape::I8: return llvm::Type::getInt8Ty(c);
    case Shape::I16: return llvm::Type::getInt16Ty(c);
    case Shape::I32: return llvm::Type::getInt32Ty(c);
    case Shape::I64: return llvm::Type::getInt64Ty(c);
    case Shape::F32: return llvm::Type::getFloatTy(c);
    case Shape::F64: return llvm::Type::getDoubleTy(c);
  }
  return nullptr;
}

llvm::FixedVectorType* vecType(llvm::LLVMContext& c, Shape s) {
  return llvm::FixedVectorType::get(laneType(c, s), laneCount(s));
}

// Reinterprets any 128-bit value (normally <2 x i64>) as the given lane shape.
Value* as(Builder& b, Value* v, Shape s) { return b.CreateBitCast(v, vecType(b.getContext(), s)); }

// Back to the interface type.
Value* out(Builder& b, Value* v) { return b.CreateBitCast(v, v128Type(b.getContext())); }

// A vector of the given integer type and lane count with every lane `value`.
Value* splatInt(Builder& b, llvm::Type* lane, unsigned n, uint64_t value) {
  return llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(n),
                                        llvm::ConstantInt::get(lane, value));
}

// Lanes [first, first + count) of `v` as a vector of `count` lanes.
Value* lanes(Builder& b, Value* v, unsigned first, unsigned count) {
  llvm::SmallVector<int, 16> mask;
  for (unsigned i = 0; i < count; ++i) mask.push_back(int(first + i));
  return b.CreateShuffleVector(v, v, mask);
}

// Lanes first, first + stride, ... of `v` (for the even/odd split of pairwise ops).
Value* strided(Builder& b, Value* v, unsigned first, unsigned stride, unsigned count) {
  llvm::SmallVector<int, 16> mask;
  for (unsigned i = 0; i < count; ++i) mask.push_back(int(first + i * stride));
  return b.CreateShuffleVector(v, v, mask);
}

// Concatenates two vectors of the same type.
Value* concat(Builder& b, Value* lo, Value* hi) {
  unsigned n = llvm::cast<llvm::FixedVectorType>(lo->getType())->getNumElements();
  llvm::SmallVector<int, 32> mask;
  for (unsigned i = 0; i < 2 * n; ++i) mask.push_back(int(i));
  return b.CreateShuffleVector(lo, hi, mask);
}

// Widens a vector of `count` lanes with zero lanes up to `total` lanes.
Value* padWithZeros(Builder& b, Value* v, unsigned total) {
  auto* type = llvm::cast<llvm::FixedVectorType>(v->getType());
  unsigned n = type->getNumElements();
  Value* zero = llvm::Constant::getNullValue(type);
  llvm::SmallVector<int, 16> mask;
  for (unsigned i = 0; i < total; ++i) mask.push_back(i < n ? int(i) : int(n));  // lane n = zero
  return b.CreateShuffleVector(v, zero, mask);
}

// Converts a scalar integer to the given integer type (truncating or zero-extending) so that
// callers passing i32 for i8/i16 lanes, or a different width by mistake, still get valid IR.
Value* fitInt(Builder& b, Value* v, llvm::Type* to) {
  if (v->getType() == to) return v;
  if (v->getType()->isIntegerTy() && to->isIntegerTy()) return b.CreateZExtOrTrunc(v, to);
  return b.CreateBitCast(v, to);
}

// Scalar operand of a splat or replace_lane, as the lane type.
Value* laneScalar(Builder& b, Value* scalar, Shape s) {
  llvm::Type* lane = laneType(b.getContext(), s);
  if (scalar->getType() == lane) return scalar;
  if (isFloat(s)) {
    // Accept the bits as an integer of the same width, too.
    return b.CreateBitCast(fitInt(b, scalar, llvm::Type::getIntNTy(b.getContext(), laneBits(s))),
                           lane);
  }
  return fitInt(b, scalar, lane);
}

Value* call(Builder& b, llvm::Intrinsic::ID id, llvm::ArrayRef<llvm::Type*> types,
            llvm::ArrayRef<Value*> args) {
  llvm::Module* m = b.GetInsertBlock()->getModule();
  llvm::Function* f = llvm::Intrinsic::getDeclaration(m, id, types);
  return b.CreateCall(f, args);
}

// Whether the function being emitted is known to be compiled for a CPU with `feature`
// (e.g. "sse4.1"), from its "target-cpu" / "target-features" attributes. Without them the
// answer is no and the generic lowering (exact on plain SSE2) is used.
bool functionHasFeature(Builder& b, const char* feature) {
  llvm::BasicBlock* block = b.GetInsertBlock();
  if (!block || !block->getParent()) return false;
  llvm::Function* f = block->getParent();
  llvm::Attribute cpuAttr = f->getFnAttribute("target-cpu");
  llvm::Attribute featuresAttr = f->getFnAttribute("target-features");
  std::string cpu = cpuAttr.isStringAttribute() ? cpuAttr.getValueAsString().str() : "";
  std::string features =
      featuresAttr.isStringAttribute() ? featuresAttr.getValueAsString().str() : "";
  if (cpu.empty() && features.empty()) return false;
  std::string triple = f->getParent()->getTargetTriple();
  if (triple.empty()) triple = "x86_64-unknown-linux-gnu";

  static std::mutex mutex;
  static std::map<std::string, bool> cache;
  std::string key = triple + "|" + cpu + "|" + features + "|" + feature;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::string error;
  if (const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error)) {
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        target->createMCSubtargetInfo(triple, cpu.empty() ? "x86-64" : cpu, features));
    bool result = info && info->checkFeatures(std::string("+") + feature);
    cache.emplace(key, result);
    return result;
  }
  // The target is not registered (yet) in this process: trust only an explicit feature
  // list, and do not cache the answer.
  std::string list = std::string(",") + features + ",";
  return list.find(std::string(",+") + feature + ",") != std::string::npos;
}

// ---------------------------------------------------------------------------------------
// Floating-point helpers.

// Sign-bit operations on the integer view, so NaN payloads are kept bit for bit.
Value* floatAbs(Builder& b, Value* v, Shape s) {
  Shape is = intShape(s);
  unsigned bits = laneBits(s);
  Value* i = as(b, v, is);
  Value* mask = splatInt(b, laneType(b.getContext(), is), laneCount(s), ~(uint64_t(1) << (bits - 1)));
  return b.CreateAnd(i, mask);
}

Value* floatNeg(Builder& b, Value* v, Shape s) {
  Shape is = intShape(s);
  unsigned bits = laneBits(s);
  Value* i = as(b, v, is);
  Value* mask = splatInt(b, laneType(b.getContext(), is), laneCount(s), uint64_t(1) << (bits - 1));
  return b.CreateXor(i, mask);
}

// Wasm fmin/fmax: NaN if either operand is NaN (quieted: llvm.minimum's x86 lowering can
// return a signalling NaN operand unchanged, which Wasm forbids), -0 < +0, else the IEEE
// minimum/maximum. Built from compares and selects so that it is exact on plain SSE2.
Value* wasmMinMax(Builder& b, Value* x, Value* y, Shape s, bool isMin) {
  Shape is = intShape(s);
  Value* pick = isMin ? b.CreateFCmpOLT(x, y) : b.CreateFCmpOGT(x, y);
  Value* r = b.CreateSelect(pick, x, y);
  // Equal operands differ at most in the sign of zero: OR the bits for min (-0 wins), AND
  // them for max (+0 wins); for other equal values both give the value itself.
  Value* xi = as(b, x, is);
  Value* yi = as(b, y, is);
  Value* merged = b.CreateBitCast(isMin ? b.CreateOr(xi, yi) : b.CreateAnd(xi, yi), x->getType());
  r = b.CreateSelect(b.CreateFCmpOEQ(x, y), merged, r);
  // Any NaN operand: an arithmetic NaN from the addition.
  return b.CreateSelect(b.CreateFCmpUNO(x, y), b.CreateFAdd(x, y), r);
}

enum class Rounding { Ceil, Floor, Trunc, Nearest };

// Rounds a float vector to an integral value without libm and without SSE4.1: for |x| below
// 2^(mantissa bits) the magic-number addition rounds to nearest-even exactly, and the other
// modes adjust that by one; larger magnitudes, infinities and NaNs are already integral (NaNs
// go through an addition of +0.0 to be quieted, which leaves every other value unchanged).
Value* roundExact(Builder& b, Value* x, Shape s, Rounding mode) {
  llvm::Type* lane = laneType(b.getContext(), s);
  unsigned n = laneCount(s);
  auto fsplat = [&](double value) {
    return llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(n),
                                          llvm::ConstantFP::get(lane, value));
  };
  Value* magic = fsplat(s == Shape::F32 ? 8388608.0 : 4503599627370496.0);  // 2^23, 2^52
  Value* one = fsplat(1.0);
  Shape is = intShape(s);
  Value* signMask =
      splatInt(b, laneType(b.getContext(), is), n, uint64_t(1) << (laneBits(s) - 1));

  Value* ax = b.CreateBitCast(floatAbs(b, x, s), x->getType());
  Value* sign = b.CreateAnd(as(b, x, is), signMask);
  // r = roundeven(|x|) for |x| < magic.
  Value* r = b.CreateFSub(b.CreateFAdd(ax, magic), magic);
  Value* result = r;  // computed on |x|, then the sign of x is put back
  switch (mode) {
    case Rounding::Nearest:
      result = r;
      break;
    case Rounding::Trunc: {
      // If rounding went up, step back down.
      Value* up = b.CreateFCmpOGT(r, ax);
      result = b.CreateSelect(up, b.CreateFSub(r, one), r);
      break;
    }
    case Rounding::Ceil:
    case Rounding::Floor: {
      Value* up = b.CreateFCmpOGT(r, ax);
      Value* t = b.CreateSelect(up, b.CreateFSub(r, one), r);  // trunc(|x|)
      // Magnitude must grow when the fractional part is non-zero and the direction points
      // away from zero: ceil for positive x, floor for negative x.
      Value* frac = b.CreateFCmpOLT(t, ax);
      Value* negative = b.CreateICmpNE(sign, llvm::Constant::getNullValue(sign->getType()));
      Value* away = mode == Rounding::Floor ? negative : b.CreateNot(negative);
      result = b.CreateSelect(b.CreateAnd(frac, away), b.CreateFAdd(t, one), t);
      break;
    }
  }
  // Put the sign of x back (this gives -0 for e.g. ceil(-0.5), as IEEE wants).
  Value* signed_ = b.CreateBitCast(b.CreateOr(as(b, result, is), sign), x->getType());
  Value* small = b.CreateFCmpOLT(ax, magic);  // false for NaN
  Value* quieted = b.CreateFAdd(x, llvm::Constant::getNullValue(x->getType()));
  return b.CreateSelect(small, signed_, quieted);
}

Value* roundFloat(Builder& b, Value* v, Shape s, Rounding mode) {
  Value* x = as(b, v, s);
  if (functionHasFeature(b, "sse4.1")) {
    llvm::Intrinsic::ID id = mode == Rounding::Ceil    ? llvm::Intrinsic::ceil
                             : mode == Rounding::Floor ? llvm::Intrinsic::floor
                             : mode == Rounding::Trunc ? llvm::Intrinsic::trunc
                                                       : llvm::Intrinsic::roundeven;
    return call(b, id, {x->getType()}, {x});
  }
  return roundExact(b, x, s, mode);
}

// ---------------------------------------------------------------------------------------
// Unary ops.

enum class UKind : uint8_t {
  Splat, Not, AnyTrue, Popcnt, Abs, Neg, AllTrue, Bitmask,
  FAbs, FNeg, FSqrt, FCeil, FFloor, FTrunc, FNearest,
  ExtAddPairwiseS, ExtAddPairwiseU,            // shape = input
  TruncSatS, TruncSatU,                        // f32x4 -> i32x4
  ConvertS, ConvertU,                          // i32x4 -> f32x4
  ExtendLowS, ExtendHighS, ExtendLowU, ExtendHighU,  // shape = input
  ConvertLowS, ConvertLowU,                    // i32x4 -> f64x2
  TruncSatZeroS, TruncSatZeroU,                // f64x2 -> i32x4
  DemoteZero, PromoteLow,
};

struct UDesc {
  UKind kind;
  Shape shape;
};

enum class BKind : uint8_t {
  Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU,
  FEq, FNe, FLt, FGt, FLe, FGe,
  And, Or, Xor, AndNot,
  Add, Sub, Mul, AddSatS, AddSatU, SubSatS, SubSatU, MinS, MinU, MaxS, MaxU, AvgrU, Q15MulrSatS,
  ExtMulLowS, ExtMulHighS, ExtMulLowU, ExtMulHighU,  // shape = input
  Dot,                                               // shape = input (i16)
  FAdd, FSub, FMul, FDiv, FMin, FMax, PMin, PMax,
  NarrowS, NarrowU,                                  // shape = input
  Swizzle,
};

struct BDesc {
  BKind kind;
  Shape shape;
};

enum class ShiftKind : uint8_t { Shl, ShrS, ShrU };
struct ShiftDesc {
  ShiftKind kind;
  Shape shape;
};

enum class ExtractKind : uint8_t { Signed, Unsigned, Plain };
struct ExtractDesc {
  ExtractKind kind;
  Shape shape;
};

enum class LoadKind : uint8_t { Splat, ExtendS, ExtendU, Zero };
struct LoadDesc {
  LoadKind kind;
  unsigned bytes;  // bytes read from memory
  Shape shape;     // lane shape of the result
};

struct LaneDesc {
  bool store;
  Shape shape;
};

struct Tables {
  std::unordered_map<BinaryenOp, UDesc> unary;
  std::unordered_map<BinaryenOp, BDesc> binary;
  std::unordered_map<BinaryenOp, ShiftDesc> shift;
  std::unordered_map<BinaryenOp, ExtractDesc> extract;
  std::unordered_map<BinaryenOp, Shape> replace;
  std::unordered_map<BinaryenOp, LoadDesc> load;
  std::unordered_map<BinaryenOp, LaneDesc> lane;
  BinaryenOp bitselect;

  Tables() {
    using S = Shape;
    auto u = [&](BinaryenOp op, UKind k, Shape s) { unary.emplace(op, UDesc{k, s}); };
    u(BinaryenSplatVecI8x16(), UKind::Splat, S::I8);
    u(BinaryenSplatVecI16x8(), UKind::Splat, S::I16);
    u(BinaryenSplatVecI32x4(), UKind::Splat, S::I32);
    u(BinaryenSplatVecI64x2(), UKind::Splat, S::I64);
    u(BinaryenSplatVecF32x4(), UKind::Splat, S::F32);
    u(BinaryenSplatVecF64x2(), UKind::Splat, S::F64);
    u(BinaryenNotVec128(), UKind::Not, S::I64);
    u(BinaryenAnyTrueVec128(), UKind::AnyTrue, S::I64);
    u(BinaryenPopcntVecI8x16(), UKind::Popcnt, S::I8);
    u(BinaryenAbsVecI8x16(), UKind::Abs, S::I8);
    u(BinaryenAbsVecI16x8(), UKind::Abs, S::I16);
    u(BinaryenAbsVecI32x4(), UKind::Abs, S::I32);
    u(BinaryenAbsVecI64x2(), UKind::Abs, S::I64);
    u(BinaryenNegVecI8x16(), UKind::Neg, S::I8);
    u(BinaryenNegVecI16x8(), UKind::Neg, S::I16);
    u(BinaryenNegVecI32x4(), UKind::Neg, S::I32);
    u(BinaryenNegVecI64x2(), UKind::Neg, S::I64);
    u(BinaryenAllTrueVecI8x16(), UKind::AllTrue, S::I8);
    u(BinaryenAllTrueVecI16x8(), UKind::AllTrue, S::I16);
    u(BinaryenAllTrueVecI32x4(), UKind::AllTrue, S::I32);
    u(BinaryenAllTrueVecI64x2(), UKind::AllTrue, S::I64);
    u(BinaryenBitmaskVecI8x16(), UKind::Bitmask, S::I8);
    u(BinaryenBitmaskVecI16x8(), UKind::Bitmask, S::I16);
    u(BinaryenBitmaskVecI32x4(), UKind::Bitmask, S::I32);
    u(BinaryenBitmaskVecI64x2(), UKind::Bitmask, S::I64);
    u(BinaryenAbsVecF32x4(), UKind::FAbs, S::F32);
    u(BinaryenAbsVecF64x2(), UKind::FAbs, S::F64);
    u(BinaryenNegVecF32x4(), UKind::FNeg, S::F32);
    u(BinaryenNegVecF64x2(), UKind::FNeg, S::F64);
    u(BinaryenSqrtVecF32x4(), UKind::FSqrt, S::F32);
    u(BinaryenSqrtVecF64x2(), UKind::FSqrt, S::F64);
    u(BinaryenCeilVecF32x4(), UKind::FCeil, S::F32);
    u(BinaryenCeilVecF64x2(), UKind::FCeil, S::F64);
    u(BinaryenFloorVecF32x4(), UKind::FFloor, S::F32);
    u(BinaryenFloorVecF64x2(), UKind::FFloor, S::F64);
    u(BinaryenTruncVecF32x4(), UKind::FTrunc, S::F32);
    u(BinaryenTruncVecF64x2(), UKind::FTrunc, S::F64);
    u(BinaryenNearestVecF32x4(), UKind::FNearest, S::F32);
    u(BinaryenNearestVecF64x2(), UKind::FNearest, S::F64);
    u(BinaryenExtAddPairwiseSVecI8x16ToI16x8(), UKind::ExtAddPairwiseS, S::I8);
    u(BinaryenExtAddPairwiseUVecI8x16ToI16x8(), UKind::ExtAddPairwiseU, S::I8);
    u(BinaryenExtAddPairwiseSVecI16x8ToI32x4(), UKind::ExtAddPairwiseS, S::I16);
    u(BinaryenExtAddPairwiseUVecI16x8ToI32x4(), UKind::ExtAddPairwiseU, S::I16);
    u(BinaryenTruncSatSVecF32x4ToVecI32x4(), UKind::TruncSatS, S::F32);
    u(BinaryenTruncSatUVecF32x4ToVecI32x4(), UKind::TruncSatU, S::F32);
    u(BinaryenConvertSVecI32x4ToVecF32x4(), UKind::ConvertS, S::I32);
    u(BinaryenConvertUVecI32x4ToVecF32x4(), UKind::ConvertU, S::I32);
    u(BinaryenExtendLowSVecI8x16ToVecI16x8(), UKind::ExtendLowS, S::I8);
    u(BinaryenExtendHighSVecI8x16ToVecI16x8(), UKind::ExtendHighS, S::I8);
    u(BinaryenExtendLowUVecI8x16ToVecI16x8(), UKind::ExtendLowU, S::I8);
    u(BinaryenExtendHighUVecI8x16ToVecI16x8(), UKind::ExtendHighU, S::I8);
    u(BinaryenExtendLowSVecI16x8ToVecI32x4(), UKind::ExtendLowS, S::I16);
    u(BinaryenExtendHighSVecI16x8ToVecI32x4(), UKind::ExtendHighS, S::I16);
    u(BinaryenExtendLowUVecI16x8ToVecI32x4(), UKind::ExtendLowU, S::I16);
    u(BinaryenExtendHighUVecI16x8ToVecI32x4(), UKind::ExtendHighU, S::I16);
    u(BinaryenExtendLowSVecI32x4ToVecI64x2(), UKind::ExtendLowS, S::I32);
    u(BinaryenExtendHighSVecI32x4ToVecI64x2(), UKind::ExtendHighS, S::I32);
    u(BinaryenExtendLowUVecI32x4ToVecI64x2(), UKind::ExtendLowU, S::I32);
    u(BinaryenExtendHighUVecI32x4ToVecI64x2(), UKind::ExtendHighU, S::I32);
    u(BinaryenConvertLowSVecI32x4ToVecF64x2(), UKind::ConvertLowS, S::I32);
    u(BinaryenConvertLowUVecI32x4ToVecF64x2(), UKind::ConvertLowU, S::I32);
    u(BinaryenTruncSatZeroSVecF64x2ToVecI32x4(), UKind::TruncSatZeroS, S::F64);
    u(BinaryenTruncSatZeroUVecF64x2ToVecI32x4(), UKind::TruncSatZeroU, S::F64);
    u(BinaryenDemoteZeroVecF64x2ToVecF32x4(), UKind::DemoteZero, S::F64);
    u(BinaryenPromoteLowVecF32x4ToVecF64x2(), UKind::PromoteLow, S::F32);

    auto bi = [&](BinaryenOp op, BKind k, Shape s) { binary.emplace(op, BDesc{k, s}); };
    // Integer comparisons.
    bi(BinaryenEqVecI8x16(), BKind::Eq, S::I8);
    bi(BinaryenNeVecI8x16(), BKind::Ne, S::I8);
    bi(BinaryenLtSVecI8x16(), BKind::LtS, S::I8);
    bi(BinaryenLtUVecI8x16(), BKind::LtU, S::I8);
    bi(BinaryenGtSVecI8x16(), BKind::GtS, S::I8);
    bi(BinaryenGtUVecI8x16(), BKind::GtU, S::I8);
    bi(BinaryenLeSVecI8x16(), BKind::LeS, S::I8);
    bi(BinaryenLeUVecI8x16(), BKind::LeU, S::I8);
    bi(BinaryenGeSVecI8x16(), BKind::GeS, S::I8);
    bi(BinaryenGeUVecI8x16(), BKind::GeU, S::I8);
    bi(BinaryenEqVecI16x8(), BKind::Eq, S::I16);
    bi(BinaryenNeVecI16x8(), BKind::Ne, S::I16);
    bi(BinaryenLtSVecI16x8(), BKind::LtS, S::I16);
    bi(BinaryenLtUVecI16x8(), BKind::LtU, S::I16);
    bi(BinaryenGtSVecI16x8(), BKind::GtS, S::I16);
    bi(BinaryenGtUVecI16x8(), BKind::GtU, S::I16);
    bi(BinaryenLeSVecI16x8(), BKind::LeS, S::I16);
    bi(BinaryenLeUVecI16x8(), BKind::LeU, S::I16);
    bi(BinaryenGeSVecI16x8(), BKind::GeS, S::I16);
    bi(BinaryenGeUVecI16x8(), BKind::GeU, S::I16);
    bi(BinaryenEqVecI32x4(), BKind::Eq, S::I32);
    bi(BinaryenNeVecI32x4(), BKind::Ne, S::I32);
    bi(BinaryenLtSVecI32x4(), BKind::LtS, S::I32);
    bi(BinaryenLtUVecI32x4(), BKind::LtU, S::I32);
    bi(BinaryenGtSVecI32x4(), BKind::GtS, S::I32);
    bi(BinaryenGtUVecI32x4(), BKind::GtU, S::I32);
    bi(BinaryenLeSVecI32x4(), BKind::LeS, S::I32);
    bi(BinaryenLeUVecI32x4(), BKind::LeU, S::I32);
    bi(BinaryenGeSVecI32x4(), BKind::GeS, S::I32);
    bi(BinaryenGeUVecI32x4(), BKind::GeU, S::I32);
    bi(BinaryenEqVecI64x2(), BKind::Eq, S::I64);
    bi(BinaryenNeVecI64x2(), BKind::Ne, S::I64);
    bi(BinaryenLtSVecI64x2(), BKind::LtS, S::I64);
    bi(BinaryenGtSVecI64x2(), BKind::GtS, S::I64);
    bi(BinaryenLeSVecI64x2(), BKind::LeS, S::I64);
    bi(BinaryenGeSVecI64x2(), BKind::GeS, S::I64);
    // Float comparisons.
    bi(BinaryenEqVecF32x4(), BKind::FEq, S::F32);
    bi(BinaryenNeVecF32x4(), BKind::FNe, S::F32);
    bi(BinaryenLtVecF32x4(), BKind::FLt, S::F32);
    bi(BinaryenGtVecF32x4(), BKind::FGt, S::F32);
    bi(BinaryenLeVecF32x4(), BKind::FLe, S::F32);
    bi(BinaryenGeVecF32x4(), BKind::FGe, S::F32);
    bi(BinaryenEqVecF64x2(), BKind::FEq, S::F64);
    bi(BinaryenNeVecF64x2(), BKind::FNe, S::F64);
    bi(BinaryenLtVecF64x2(), BKind::FLt, S::F64);
    bi(BinaryenGtVecF64x2(), BKind::FGt, S::F64);
    bi(BinaryenLeVecF64x2(), BKind::FLe, S::F64);
    bi(BinaryenGeVecF64x2(), BKind::FGe, S::F64);
    // Bitwise.
    bi(BinaryenAndVec128(), BKind::And, S::I64);
    bi(BinaryenOrVec128(), BKind::Or, S::I64);
    bi(BinaryenXorVec128(), BKind::Xor, S::I64);
    bi(BinaryenAndNotVec128(), BKind::AndNot, S::I64);
    // i8x16.
    bi(BinaryenAddVecI8x16(), BKind::Add, S::I8);
    bi(BinaryenAddSatSVecI8x16(), BKind::AddSatS, S::I8);
    bi(BinaryenAddSatUVecI8x16(), BKind::AddSatU, S::I8);
    bi(BinaryenSubVecI8x16(), BKind::Sub, S::I8);
    bi(BinaryenSubSatSVecI8x16(), BKind::SubSatS, S::I8);
    bi(BinaryenSubSatUVecI8x16(), BKind::SubSatU, S::I8);
    bi(BinaryenMinSVecI8x16(), BKind::MinS, S::I8);
    bi(BinaryenMinUVecI8x16(), BKind::MinU, S::I8);
    bi(BinaryenMaxSVecI8x16(), BKind::MaxS, S::I8);
    bi(BinaryenMaxUVecI8x16(), BKind::MaxU, S::I8);
    bi(BinaryenAvgrUVecI8x16(), BKind::AvgrU, S::I8);
    // i16x8.
    bi(BinaryenAddVecI16x8(), BKind::Add, S::I16);
    bi(BinaryenAddSatSVecI16x8(), BKind::AddSatS, S::I16);
    bi(BinaryenAddSatUVecI16x8(), BKind::AddSatU, S::I16);
    bi(BinaryenSubVecI16x8(), BKind::Sub, S::I16);
    bi(BinaryenSubSatSVecI16x8(), BKind::SubSatS, S::I16);
    bi(BinaryenSubSatUVecI16x8(), BKind::SubSatU, S::I16);
    bi(BinaryenMulVecI16x8(), BKind::Mul, S::I16);
    bi(BinaryenMinSVecI16x8(), BKind::MinS, S::I16);
    bi(BinaryenMinUVecI16x8(), BKind::MinU, S::I16);
    bi(BinaryenMaxSVecI16x8(), BKind::MaxS, S::I16);
    bi(BinaryenMaxUVecI16x8(), BKind::MaxU, S::I16);
    bi(BinaryenAvgrUVecI16x8(), BKind::AvgrU, S::I16);
    bi(BinaryenQ15MulrSatSVecI16x8(), BKind::Q15MulrSatS, S::I16);
    bi(BinaryenExtMulLowSVecI16x8(), BKind::ExtMulLowS, S::I8);
    bi(BinaryenExtMulHighSVecI16x8(), BKind::ExtMulHighS, S::I8);
    bi(BinaryenExtMulLowUVecI16x8(), BKind::ExtMulLowU, S::I8);
    bi(BinaryenExtMulHighUVecI16x8(), BKind::ExtMulHighU, S::I8);
    // i32x4.
    bi(BinaryenAddVecI32x4(), BKind::Add, S::I32);
    bi(BinaryenSubVecI32x4(), BKind::Sub, S::I32);
    bi(BinaryenMulVecI32x4(), BKind::Mul, S::I32);
    bi(BinaryenMinSVecI32x4(), BKind::MinS, S::I32);
    bi(BinaryenMinUVecI32x4(), BKind::MinU, S::I32);
    bi(BinaryenMaxSVecI32x4(), BKind::MaxS, S::I32);
    bi(BinaryenMaxUVecI32x4(), BKind::MaxU, S::I32);
    bi(BinaryenDotSVecI16x8ToVecI32x4(), BKind::Dot, S::I16);
    bi(BinaryenExtMulLowSVecI32x4(), BKind::ExtMulLowS, S::I16);
    bi(BinaryenExtMulHighSVecI32x4(), BKind::ExtMulHighS, S::I16);
    bi(BinaryenExtMulLowUVecI32x4(), BKind::ExtMulLowU, S::I16);
    bi(BinaryenExtMulHighUVecI32x4(), BKind::ExtMulHighU, S::I16);
    // i64x2.
    bi(BinaryenAddVecI64x2(), BKind::Add, S::I64);
    bi(BinaryenSubVecI64x2(), BKind::Sub, S::I64);
    bi(BinaryenMulVecI64x2(), BKind::Mul, S::I64);
    bi(BinaryenExtMulLowSVecI64x2(), BKind::ExtMulLowS, S::I32);
    bi(BinaryenExtMulHighSVecI64x2(), BKind::ExtMulHighS, S::I32);
    bi(BinaryenExtMulLowUVecI64x2(), BKind::ExtMulLowU, S::I32);
    bi(BinaryenExtMulHighUVecI64x2(), BKind::ExtMulHighU, S::I32);
    // Floats.
    bi(BinaryenAddVecF32x4(), BKind::FAdd, S::F32);
    bi(BinaryenSubVecF32x4(), BKind::FSub, S::F32);
    bi(BinaryenMulVecF32x4(), BKind::FMul, S::F32);
    bi(BinaryenDivVecF32x4(), BKind::FDiv, S::F32);
    bi(BinaryenMinVecF32x4(), BKind::FMin, S::F32);
    bi(BinaryenMaxVecF32x4(), BKind::FMax, S::F32);
    bi(BinaryenPMinVecF32x4(), BKind::PMin, S::F32);
    bi(BinaryenPMaxVecF32x4(), BKind::PMax, S::F32);
    bi(BinaryenAddVecF64x2(), BKind::FAdd, S::F64);
    bi(BinaryenSubVecF64x2(), BKind::FSub, S::F64);
    bi(BinaryenMulVecF64x2(), BKind::FMul, S::F64);
    bi(BinaryenDivVecF64x2(), BKind::FDiv, S::F64);
    bi(BinaryenMinVecF64x2(), BKind::FMin, S::F64);
    bi(BinaryenMaxVecF64x2(), BKind::FMax, S::F64);
    bi(BinaryenPMinVecF64x2(), BKind::PMin, S::F64);
    bi(BinaryenPMaxVecF64x2(), BKind::PMax, S::F64);
    // Narrowing and swizzle.
    bi(BinaryenNarrowSVecI16x8ToVecI8x16(), BKind::NarrowS, S::I16);
    bi(BinaryenNarrowUVecI16x8ToVecI8x16(), BKind::NarrowU, S::I16);
    bi(BinaryenNarrowSVecI32x4ToVecI16x8(), BKind::NarrowS, S::I32);
    bi(BinaryenNarrowUVecI32x4ToVecI16x8(), BKind::NarrowU, S::I32);
    bi(BinaryenSwizzleVecI8x16(), BKind::Swizzle, S::I8);

    auto sh = [&](BinaryenOp op, ShiftKind k, Shape s) { shift.emplace(op, ShiftDesc{k, s}); };
    sh(BinaryenShlVecI8x16(), ShiftKind::Shl, S::I8);
    sh(BinaryenShrSVecI8x16(), ShiftKind::ShrS, S::I8);
    sh(BinaryenShrUVecI8x16(), ShiftKind::ShrU, S::I8);
    sh(BinaryenShlVecI16x8(), ShiftKind::Shl, S::I16);
    sh(BinaryenShrSVecI16x8(), ShiftKind::ShrS, S::I16);
    sh(BinaryenShrUVecI16x8(), ShiftKind::ShrU, S::I16);
    sh(BinaryenShlVecI32x4(), ShiftKind::Shl, S::I32);
    sh(BinaryenShrSVecI32x4(), ShiftKind::ShrS, S::I32);
    sh(BinaryenShrUVecI32x4(), ShiftKind::ShrU, S::I32);
    sh(BinaryenShlVecI64x2(), ShiftKind::Shl, S::I64);
    sh(BinaryenShrSVecI64x2(), ShiftKind::ShrS, S::I64);
    sh(BinaryenShrUVecI64x2(), ShiftKind::ShrU, S::I64);

    auto ex = [&](BinaryenOp op, ExtractKind k, Shape s) { extract.emplace(op, ExtractDesc{k, s}); };
    ex(BinaryenExtractLaneSVecI8x16(), ExtractKind::Signed, S::I8);
    ex(BinaryenExtractLaneUVecI8x16(), ExtractKind::Unsigned, S::I8);
    ex(BinaryenExtractLaneSVecI16x8(), ExtractKind::Signed, S::I16);
    ex(BinaryenExtractLaneUVecI16x8(), ExtractKind::Unsigned, S::I16);
    ex(BinaryenExtractLaneVecI32x4(), ExtractKind::Plain, S::I32);
    ex(BinaryenExtractLaneVecI64x2(), ExtractKind::Plain, S::I64);
    ex(BinaryenExtractLaneVecF32x4(), ExtractKind::Plain, S::F32);
    ex(BinaryenExtractLaneVecF64x2(), ExtractKind::Plain, S::F64);

    replace.emplace(BinaryenReplaceLaneVecI8x16(), S::I8);
    replace.emplace(BinaryenReplaceLaneVecI16x8(), S::I16);
    replace.emplace(BinaryenReplaceLaneVecI32x4(), S::I32);
    replace.emplace(BinaryenReplaceLaneVecI64x2(), S::I64);
    replace.emplace(BinaryenReplaceLaneVecF32x4(), S::F32);
    replace.emplace(BinaryenReplaceLaneVecF64x2(), S::F64);

    auto ld = [&](BinaryenOp op, LoadKind k, unsigned bytes, Shape s) {
      load.emplace(op, LoadDesc{k, bytes, s});
    };
    ld(BinaryenLoad8SplatVec128(), LoadKind::Splat, 1, S::I8);
    ld(BinaryenLoad16SplatVec128(), LoadKind::Splat, 2, S::I16);
    ld(BinaryenLoad32SplatVec128(), LoadKind::Splat, 4, S::I32);
    ld(BinaryenLoad64SplatVec128(), LoadKind::Splat, 8, S::I64);
    ld(BinaryenLoad8x8SVec128(), LoadKind::ExtendS, 8, S::I16);
    ld(BinaryenLoad8x8UVec128(), LoadKind::ExtendU, 8, S::I16);
    ld(BinaryenLoad16x4SVec128(), LoadKind::ExtendS, 8, S::I32);
    ld(BinaryenLoad16x4UVec128(), LoadKind::ExtendU, 8, S::I32);
    ld(BinaryenLoad32x2SVec128(), LoadKind::ExtendS, 8, S::I64);
    ld(BinaryenLoad32x2UVec128(), LoadKind::ExtendU, 8, S::I64);
    ld(BinaryenLoad32ZeroVec128(), LoadKind::Zero, 4, S::I32);
    ld(BinaryenLoad64ZeroVec128(), LoadKind::Zero, 8, S::I64);

    lane.emplace(BinaryenLoad8LaneVec128(), LaneDesc{false, S::I8});
    lane.emplace(BinaryenLoad16LaneVec128(), LaneDesc{false, S::I16});
    lane.emplace(BinaryenLoad32LaneVec128(), LaneDesc{false, S::I32});
    lane.emplace(BinaryenLoad64LaneVec128(), LaneDesc{false, S::I64});
    lane.emplace(BinaryenStore8LaneVec128(), LaneDesc{true, S::I8});
    lane.emplace(BinaryenStore16LaneVec128(), LaneDesc{true, S::I16});
    lane.emplace(BinaryenStore32LaneVec128(), LaneDesc{true, S::I32});
    lane.emplace(BinaryenStore64LaneVec128(), LaneDesc{true, S::I64});

    bitselect = BinaryenBitselectVec128();
  }
};

const Tables& tables() {
  static const Tables instance;
  return instance;
}

// Wasm comparison result: all ones where true.
Value* maskResult(Builder& b, Value* cmp, Shape s) {
  return b.CreateSExt(cmp, vecType(b.getContext(), intShape(s)));
}

// The integer shape with lanes twice as wide (and half as many).
Shape widen(Shape s) {
  switch (s) {
    case Shape::I8: return Shape::I16;
    case Shape::I16: return Shape::I32;
    case Shape::I32: return Shape::I64;
    default: return s;
  }
}

// `count` lanes of `v` starting at `first`, extended to lanes twice as wide.
Value* extendLanes(Builder& b, Value* v, Shape s, unsigned first, unsigned count, bool sign) {
  llvm::LLVMContext& c = b.getContext();
  Value* part = lanes(b, v, first, count);
  auto* to = llvm::FixedVectorType::get(laneType(c, widen(s)), count);
  return sign ? b.CreateSExt(part, to) : b.CreateZExt(part, to);
}

// i8x16.swizzle: lane i of the result is a[idx[i]] for idx[i] < 16, else 0.
Value* swizzle(Builder& b, Value* data, Value* indices) {
  llvm::LLVMContext& c = b.getContext();
  Value* a = as(b, data, Shape::I8);
  Value* idx = as(b, indices, Shape::I8);
  llvm::Type* i8 = llvm::Type::getInt8Ty(c);
  if (functionHasFeature(b, "ssse3")) {
    // pshufb zeroes lanes whose index has the top bit set and uses the low four bits of the
    // others; adding 0x70 with unsigned saturation sets the top bit exactly for indices >= 16
    // and keeps the low four bits of the indices below 16.
    Value* sat = call(b, llvm::Intrinsic::uadd_sat, {idx->getType()},
                      {idx, splatInt(b, i8, 16, 0x70)});
    llvm::Function* pshufb =
        llvm::Intrinsic::getDeclaration(b.GetInsertBlock()->getModule(),
                                        llvm::Intrinsic::x86_ssse3_pshuf_b_128);
    return b.CreateCall(pshufb, {a, sat});
  }
  // Generic: pick each lane with an in-range dynamic index, then zero the lanes whose index
  // was out of range.
  Value* masked = b.CreateAnd(idx, splatInt(b, i8, 16, 15));
  Value* result = llvm::PoisonValue::get(a->getType());
  for (unsigned i = 0; i < 16; ++i) {
    Value* lane = b.CreateExtractElement(masked, b.getInt32(i));
    Value* picked = b.CreateExtractElement(a, b.CreateZExt(lane, b.getInt32Ty()));
    result = b.CreateInsertElement(result, picked, b.getInt32(i));
  }
  Value* inRange = b.CreateICmpULT(idx, splatInt(b, i8, 16, 16));
  return b.CreateSelect(inRange, result, llvm::Constant::getNullValue(a->getType()));
}

}  // namespace

llvm::FixedVectorType* v128Type(llvm::LLVMContext& context) {
  return llvm::FixedVectorType::get(llvm::Type::getInt64Ty(context), 2);
}

llvm::Value* lowerUnary(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* operand) {
  const auto& table = tables().unary;
  auto it = table.find(op);
  if (it == table.end()) return nullptr;
  const UDesc d = it->second;
  llvm::LLVMContext& c = b.getContext();
  Shape s = d.shape;
  unsigned n = laneCount(s);
  llvm::Type* i32 = llvm::Type::getInt32Ty(c);

  switch (d.kind) {
    case UKind::Splat:
      return out(b, b.CreateVectorSplat(n, laneScalar(b, operand, s)));
    case UKind::Not:
      return out(b, b.CreateNot(as(b, operand, Shape::I64)));
    case UKind::AnyTrue: {
      Value* wide = b.CreateBitCast(operand, llvm::Type::getInt128Ty(c));
      return b.CreateZExt(b.CreateICmpNE(wide, llvm::ConstantInt::get(wide->getType(), 0)), i32);
    }
    case UKind::Popcnt: {
      Value* v = as(b, operand, s);
      return out(b, call(b, llvm::Intrinsic::ctpop, {v->getType()}, {v}));
    }
    case UKind::Abs: {
      Value* v = as(b, operand, s);
      // is_int_min_poison = false: abs(INT_MIN) is INT_MIN.
      return out(b, call(b, llvm::Intrinsic::abs, {v->getType()}, {v, b.getFalse()}));
    }
    case UKind::Neg: {
      Value* v = as(b, operand, s);
      return out(b, b.CreateSub(llvm::Constant::getNullValue(v->getType()), v));
    }
    case UKind::AllTrue: {
      Value* v = as(b, operand, s);
      Value* nonZero = b.CreateICmpNE(v, llvm::Constant::getNullValue(v->getType()));
      // All lanes non-zero <=> the n-bit mask is all ones.
      Value* bits = b.CreateBitCast(nonZero, llvm::Type::getIntNTy(c, n));
      Value* all = b.CreateICmpEQ(bits, llvm::ConstantInt::get(bits->getType(), -1, true));
      return b.CreateZExt(all, i32);
    }
    case UKind::Bitmask: {
      Value* v = as(b, operand, s);
      Value* negative = b.CreateICmpSLT(v, llvm::Constant::getNullValue(v->getType()));
      Value* bits = b.CreateBitCast(negative, llvm::Type::getIntNTy(c, n));
      return b.CreateZExt(bits, i32);
    }
    case UKind::FAbs:
      return out(b, floatAbs(b, operand, s));
    case UKind::FNeg:
      return out(b, floatNeg(b, operand, s));
    case UKind::FSqrt: {
      Value* v = as(b, operand, s);
      return out(b, call(b, llvm::Intrinsic::sqrt, {v->getType()}, {v}));
    }
    case UKind::FCeil: return out(b, roundFloat(b, operand, s, Rounding::Ceil));
    case UKind::FFloor: return out(b, roundFloat(b, operand, s, Rounding::Floor));
    case UKind::FTrunc: return out(b, roundFloat(b, operand, s, Rounding::Trunc));
    case UKind::FNearest: return out(b, roundFloat(b, operand, s, Rounding::Nearest));
    case UKind::ExtAddPairwiseS:
    case UKind::ExtAddPairwiseU: {
      Value* v = as(b, operand, s);
      bool sign = d.kind == UKind::ExtAddPairwiseS;
      auto* to = llvm::FixedVectorType::get(laneType(c, widen(s)), n / 2);
      Value* even = strided(b, v, 0, 2, n / 2);
      Value* odd = strided(b, v, 1, 2, n / 2);
      even = sign ? b.CreateSExt(even, to) : b.CreateZExt(even, to);
      odd = sign ? b.CreateSExt(odd, to) : b.CreateZExt(odd, to);
      return out(b, b.CreateAdd(even, odd));
    }
    case UKind::TruncSatS:
    case UKind::TruncSatU: {
      Value* v = as(b, operand, Shape::F32);
      auto* to = vecType(c, Shape::I32);
      auto id = d.kind == UKind::TruncSatS ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat;
      return out(b, call(b, id, {to, v->getType()}, {v}));
    }
    case UKind::ConvertS:
    case UKind::ConvertU: {
      Value* v = as(b, operand, Shape::I32);
      auto* to = vecType(c, Shape::F32);
      return out(b, d.kind == UKind::ConvertS ? b.CreateSIToFP(v, to) : b.CreateUIToFP(v, to));
    }
    case UKind::ExtendLowS:
    case UKind::ExtendHighS:
    case UKind::ExtendLowU:
    case UKind::ExtendHighU: {
      Value* v = as(b, operand, s);
      bool high = d.kind == UKind::ExtendHighS || d.kind == UKind::ExtendHighU;
      bool sign = d.kind == UKind::ExtendLowS || d.kind == UKind::ExtendHighS;
      return out(b, extendLanes(b, v, s, high ? n / 2 : 0, n / 2, sign));
    }
    case UKind::ConvertLowS:
    case UKind::ConvertLowU: {
      Value* low = lanes(b, as(b, operand, Shape::I32), 0, 2);
      auto* to = vecType(c, Shape::F64);
      return out(b, d.kind == UKind::ConvertLowS ? b.CreateSIToFP(low, to) : b.CreateUIToFP(low, to));
    }
    case UKind::TruncSatZeroS:
    case UKind::TruncSatZeroU: {
      Value* v = as(b, operand, Shape::F64);
      auto* to = llvm::FixedVectorType::get(i32, 2);
      auto id = d.kind == UKind::TruncSatZeroS ? llvm::Intrinsic::fptosi_sat
                                               : llvm::Intrinsic::fptoui_sat;
      return out(b, padWithZeros(b, call(b, id, {to, v->getType()}, {v}), 4));
    }
    case UKind::DemoteZero: {
      Value* v = as(b, operand, Shape::F64);
      auto* to = llvm::FixedVectorType::get(llvm::Type::getFloatTy(c), 2);
      return out(b, padWithZeros(b, b.CreateFPTrunc(v, to), 4));
    }
    case UKind::PromoteLow: {
      Value* low = lanes(b, as(b, operand, Shape::F32), 0, 2);
      return out(b, b.CreateFPExt(low, vecType(c, Shape::F64)));
    }
  }
  return nullptr;
}

llvm::Value* lowerBinary(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* lhs, llvm::Value* rhs) {
  const auto& table = tables().binary;
  auto it = table.find(op);
  if (it == table.end()) return nullptr;
  const BDesc d = it->second;
  llvm::LLVMContext& c = b.getContext();
  Shape s = d.shape;
  unsigned n = laneCount(s);
  Value* x = as(b, lhs, s);
  Value* y = as(b, rhs, s);

  auto intrinsic = [&](llvm::Intrinsic::ID id) {
    return out(b, call(b, id, {x->getType()}, {x, y}));
  };

  switch (d.kind) {
    case BKind::Eq: return out(b, maskResult(b, b.CreateICmpEQ(x, y), s));
    case BKind::Ne: return out(b, maskResult(b, b.CreateICmpNE(x, y), s));
    case BKind::LtS: return out(b, maskResult(b, b.CreateICmpSLT(x, y), s));
    case BKind::LtU: return out(b, maskResult(b, b.CreateICmpULT(x, y), s));
    case BKind::GtS: return out(b, maskResult(b, b.CreateICmpSGT(x, y), s));
    case BKind::GtU: return out(b, maskResult(b, b.CreateICmpUGT(x, y), s));
    case BKind::LeS: return out(b, maskResult(b, b.CreateICmpSLE(x, y), s));
    case BKind::LeU: return out(b, maskResult(b, b.CreateICmpULE(x, y), s));
    case BKind::GeS: return out(b, maskResult(b, b.CreateICmpSGE(x, y), s));
    case BKind::GeU: return out(b, maskResult(b, b.CreateICmpUGE(x, y), s));
    case BKind::FEq: return out(b, maskResult(b, b.CreateFCmpOEQ(x, y), s));
    case BKind::FNe: return out(b, maskResult(b, b.CreateFCmpUNE(x, y), s));
    case BKind::FLt: return out(b, maskResult(b, b.CreateFCmpOLT(x, y), s));
    case BKind::FGt: return out(b, maskResult(b, b.CreateFCmpOGT(x, y), s));
    case BKind::FLe: return out(b, maskResult(b, b.CreateFCmpOLE(x, y), s));
    case BKind::FGe: return out(b, maskResult(b, b.CreateFCmpOGE(x, y), s));
    case BKind::And: return out(b, b.CreateAnd(x, y));
    case BKind::Or: return out(b, b.CreateOr(x, y));
    case BKind::Xor: return out(b, b.CreateXor(x, y));
    case BKind::AndNot: return out(b, b.CreateAnd(x, b.CreateNot(y)));
    case BKind::Add: return out(b, b.CreateAdd(x, y));
    case BKind::Sub: return out(b, b.CreateSub(x, y));
    case BKind::Mul: return out(b, b.CreateMul(x, y));
    case BKind::AddSatS: return intrinsic(llvm::Intrinsic::sadd_sat);
    case BKind::AddSatU: return intrinsic(llvm::Intrinsic::uadd_sat);
    case BKind::SubSatS: return intrinsic(llvm::Intrinsic::ssub_sat);
    case BKind::SubSatU: return intrinsic(llvm::Intrinsic::usub_sat);
    case BKind::MinS: return intrinsic(llvm::Intrinsic::smin);
    case BKind::MinU: return intrinsic(llvm::Intrinsic::umin);
    case BKind::MaxS: return intrinsic(llvm::Intrinsic::smax);
    case BKind::MaxU: return intrinsic(llvm::Intrinsic::umax);
    case BKind::AvgrU: {
      // (x + y + 1) >> 1 without overflow, in lanes twice as wide.
      auto* wide = llvm::FixedVectorType::get(laneType(c, widen(s)), n);
      Value* sum = b.CreateAdd(b.CreateAdd(b.CreateZExt(x, wide), b.CreateZExt(y, wide)),
                               splatInt(b, wide->getElementType(), n, 1));
      return out(b, b.CreateTrunc(b.CreateLShr(sum, splatInt(b, wide->getElementType(), n, 1)),
                                  x->getType()));
    }
    case BKind::Q15MulrSatS: {
      // (x * y + 0x4000) >> 15, saturated; only -32768 * -32768 can exceed the range.
      auto* wide = llvm::FixedVectorType::get(b.getInt32Ty(), n);
      Value* product = b.CreateMul(b.CreateSExt(x, wide), b.CreateSExt(y, wide));
      Value* rounded = b.CreateAShr(b.CreateAdd(product, splatInt(b, b.getInt32Ty(), n, 0x4000)),
                                    splatInt(b, b.getInt32Ty(), n, 15));
      Value* clamped = call(b, llvm::Intrinsic::smin, {wide},
                            {rounded, splatInt(b, b.getInt32Ty(), n, 0x7fff)});
      return out(b, b.CreateTrunc(clamped, x->getType()));
    }
    case BKind::ExtMulLowS:
    case BKind::ExtMulHighS:
    case BKind::ExtMulLowU:
    case BKind::ExtMulHighU: {
      bool high = d.kind == BKind::ExtMulHighS || d.kind == BKind::ExtMulHighU;
      bool sign = d.kind == BKind::ExtMulLowS || d.kind == BKind::ExtMulHighS;
      unsigned first = high ? n / 2 : 0;
      return out(b, b.CreateMul(extendLanes(b, x, s, first, n / 2, sign),
                                extendLanes(b, y, s, first, n / 2, sign)));
    }
    case BKind::Dot: {
      auto* wide = llvm::FixedVectorType::get(b.getInt32Ty(), n);
      Value* product = b.CreateMul(b.CreateSExt(x, wide), b.CreateSExt(y, wide));
      // Sums wrap: the one overflowing case (all four inputs -32768) gives INT_MIN, as Wasm says.
      return out(b, b.CreateAdd(strided(b, product, 0, 2, n / 2), strided(b, product, 1, 2, n / 2)));
    }
    case BKind::FAdd: return out(b, b.CreateFAdd(x, y));
    case BKind::FSub: return out(b, b.CreateFSub(x, y));
    case BKind::FMul: return out(b, b.CreateFMul(x, y));
    case BKind::FDiv: return out(b, b.CreateFDiv(x, y));
    case BKind::FMin: return out(b, wasmMinMax(b, x, y, s, /*isMin=*/true));
    case BKind::FMax: return out(b, wasmMinMax(b, x, y, s, /*isMin=*/false));
    case BKind::PMin:  // y < x ? y : x
      return out(b, b.CreateSelect(b.CreateFCmpOLT(y, x), y, x));
    case BKind::PMax:  // x < y ? y : x
      return out(b, b.CreateSelect(b.CreateFCmpOLT(x, y), y, x));
    case BKind::NarrowS:
    case BKind::NarrowU: {
      // Both inputs are read as signed lanes and clamped to the narrow range.
      Value* both = concat(b, x, y);
      auto* type = llvm::cast<llvm::FixedVectorType>(both->getType());
      llvm::Type* lane = type->getElementType();
      unsigned narrowBits = laneBits(s) / 2;
      int64_t lo = d.kind == BKind::NarrowS ? -(int64_t(1) << (narrowBits - 1)) : 0;
      int64_t hi = d.kind == BKind::NarrowS ? (int64_t(1) << (narrowBits - 1)) - 1
                                            : (int64_t(1) << narrowBits) - 1;
      auto splat = [&](int64_t value) {
        return llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(2 * n),
                                              llvm::ConstantInt::get(lane, value, true));
      };
      Value* clamped = call(b, llvm::Intrinsic::smin, {type}, {both, splat(hi)});
      clamped = call(b, llvm::Intrinsic::smax, {type}, {clamped, splat(lo)});
      auto* to = llvm::FixedVectorType::get(llvm::Type::getIntNTy(c, narrowBits), 2 * n);
      return out(b, b.CreateTrunc(clamped, to));
    }
    case BKind::Swizzle:
      return out(b, swizzle(b, lhs, rhs));
  }
  return nullptr;
}

llvm::Value* lowerExtractLane(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* vec, uint8_t lane) {
  const auto& table = tables().extract;
  auto it = table.find(op);
  if (it == table.end()) return nullptr;
  const ExtractDesc d = it->second;
  Value* v = as(b, vec, d.shape);
  Value* scalar = b.CreateExtractElement(v, b.getInt32(lane % laneCount(d.shape)));
  switch (d.kind) {
    case ExtractKind::Signed: return b.CreateSExt(scalar, b.getInt32Ty());
    case ExtractKind::Unsigned: return b.CreateZExt(scalar, b.getInt32Ty());
    case ExtractKind::Plain: return scalar;
  }
  return nullptr;
}

llvm::Value* lowerReplaceLane(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* vec, uint8_t lane,
                              llvm::Value* scalar) {
  const auto& table = tables().replace;
  auto it = table.find(op);
  if (it == table.end()) return nullptr;
  Shape s = it->second;
  Value* v = as(b, vec, s);
  return out(b, b.CreateInsertElement(v, laneScalar(b, scalar, s), b.getInt32(lane % laneCount(s))));
}

llvm::Value* lowerShuffle(llvm::IRBuilder<>& b, llvm::Value* lhs, llvm::Value* rhs,
                          const uint8_t mask[16]) {
  Value* x = as(b, lhs, Shape::I8);
  Value* y = as(b, rhs, Shape::I8);
  int indices[16];
  for (int i = 0; i < 16; ++i) indices[i] = mask[i] & 31;  // validated to be < 32 anyway
  return out(b, b.CreateShuffleVector(x, y, indices));
}

llvm::Value* lowerTernary(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* a, llvm::Value* b2,
                          llvm::Value* c) {
  if (op != tables().bitselect) return nullptr;
  // v128.bitselect(v1, v2, c) = (v1 & c) | (v2 & ~c)
  Value* x = as(b, a, Shape::I64);
  Value* y = as(b, b2, Shape::I64);
  Value* m = as(b, c, Shape::I64);
  return out(b, b.CreateOr(b.CreateAnd(x, m), b.CreateAnd(y, b.CreateNot(m))));
}

llvm::Value* lowerShift(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* vec, llvm::Value* count) {
  const auto& table = tables().shift;
  auto it = table.find(op);
  if (it == table.end()) return nullptr;
  const ShiftDesc d = it->second;
  Shape s = d.shape;
  llvm::Type* lane = laneType(b.getContext(), s);
  Value* amount = count;
  if (!amount->getType()->isIntegerTy()) amount = b.CreateBitCast(amount, b.getInt32Ty());
  amount = b.CreateAnd(amount, llvm::ConstantInt::get(amount->getType(), laneBits(s) - 1));
  amount = b.CreateZExtOrTrunc(amount, lane);
  Value* splat = b.CreateVectorSplat(laneCount(s), amount);
  Value* v = as(b, vec, s);
  switch (d.kind) {
    case ShiftKind::Shl: return out(b, b.CreateShl(v, splat));
    case ShiftKind::ShrS: return out(b, b.CreateAShr(v, splat));
    case ShiftKind::ShrU: return out(b, b.CreateLShr(v, splat));
  }
  return nullptr;
}

unsigned loadBytes(BinaryenOp op) {
  const auto& table = tables().load;
  auto it = table.find(op);
  return it == table.end() ? 0 : it->second.bytes;
}

unsigned laneAccessBytes(BinaryenOp op) {
  const auto& table = tables().lane;
  auto it = table.find(op);
  return it == table.end() ? 0 : laneBits(it->second.shape) / 8;
}

namespace {

// The caller gives a host pointer; accept an integer address too.
Value* pointer(Builder& b, Value* address) {
  if (address->getType()->isPointerTy()) return address;
  return b.CreateIntToPtr(address, llvm::PointerType::getUnqual(b.getContext()));
}

}  // namespace

llvm::Value* lowerLoad(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* address) {
  const auto& table = tables().load;
  auto it = table.find(op);
  if (it == table.end()) return nullptr;
  const LoadDesc d = it->second;
  llvm::LLVMContext& c = b.getContext();
  Value* ptr = pointer(b, address);
  const llvm::Align one(1);
  switch (d.kind) {
    case LoadKind::Splat: {
      Value* scalar = b.CreateAlignedLoad(laneType(c, d.shape), ptr, one);
      return out(b, b.CreateVectorSplat(laneCount(d.shape), scalar));
    }
    case LoadKind::ExtendS:
    case LoadKind::ExtendU: {
      // 8 bytes as lanes half as wide as the result's.
      unsigned n = laneCount(d.shape);
      auto* narrowType =
          llvm::FixedVectorType::get(llvm::Type::getIntNTy(c, laneBits(d.shape) / 2), n);
      Value* narrow = b.CreateAlignedLoad(narrowType, ptr, one);
      auto* to = vecType(c, d.shape);
      return out(b, d.kind == LoadKind::ExtendS ? b.CreateSExt(narrow, to) : b.CreateZExt(narrow, to));
    }
    case LoadKind::Zero: {
      Value* scalar = b.CreateAlignedLoad(laneType(c, d.shape), ptr, one);
      Value* zero = llvm::Constant::getNullValue(vecType(c, d.shape));
      return out(b, b.CreateInsertElement(zero, scalar, b.getInt32(0)));
    }
  }
  return nullptr;
}

llvm::Value* lowerLoadStoreLane(llvm::IRBuilder<>& b, BinaryenOp op, llvm::Value* address,
                                llvm::Value* vec, uint8_t lane) {
  const auto& table = tables().lane;
  auto it = table.find(op);
  if (it == table.end()) return nullptr;
  const LaneDesc d = it->second;
  Value* ptr = pointer(b, address);
  Value* v = as(b, vec, d.shape);
  Value* index = b.getInt32(lane % laneCount(d.shape));
  const llvm::Align one(1);
  if (d.store) {
    b.CreateAlignedStore(b.CreateExtractElement(v, index), ptr, one);
    return nullptr;
  }
  Value* scalar = b.CreateAlignedLoad(laneType(b.getContext(), d.shape), ptr, one);
  return out(b, b.CreateInsertElement(v, scalar, index));
}

}  // namespace lunaticc::simd

namespace lunaticc {

// The function translator's SIMD instructions other than the unary and binary operators
// (numeric.cpp): lanes, shuffles, ternary operators, shifts, and the loads and stores.
llvm::Value* FunctionTranslator::lowerSimd(BinaryenExpressionRef e, BinaryenExpressionId kind) {
  const ExpressionIds& id = expressionIds();
  if (kind == id.SIMDExtract) {
    Value* vec = lower(BinaryenSIMDExtractGetVec(e));
    if (dead_) return nullptr;
    return simd::lowerExtractLane(b_, BinaryenSIMDExtractGetOp(e), vec, BinaryenSIMDExtractGetIndex(e));
  }
  if (kind == id.SIMDReplace) {
    Value* vec = lower(BinaryenSIMDReplaceGetVec(e));
    if (dead_) return nullptr;
    Value* value = lower(BinaryenSIMDReplaceGetValue(e));
    if (dead_) return nullptr;
    return simd::lowerReplaceLane(b_, BinaryenSIMDReplaceGetOp(e), vec, BinaryenSIMDReplaceGetIndex(e), value);
  }
  if (kind == id.SIMDShuffle) {
    Value* lhs = lower(BinaryenSIMDShuffleGetLeft(e));
    if (dead_) return nullptr;
    Value* rhs = lower(BinaryenSIMDShuffleGetRight(e));
    if (dead_) return nullptr;
    uint8_t mask[16];
    BinaryenSIMDShuffleGetMask(e, mask);
    return simd::lowerShuffle(b_, lhs, rhs, mask);
  }
  if (kind == id.SIMDTernary) {
    Value* a = lower(BinaryenSIMDTernaryGetA(e));
    if (dead_) return nullptr;
    Value* bb = lower(BinaryenSIMDTernaryGetB(e));
    if (dead_) return nullptr;
    Value* c = lower(BinaryenSIMDTernaryGetC(e));
    if (dead_) return nullptr;
    Value* result = simd::lowerTernary(b_, BinaryenSIMDTernaryGetOp(e), a, bb, c);
    return result ? result : unsupported("SIMD ternary operator");
  }
  if (kind == id.SIMDShift) {
    Value* vec = lower(BinaryenSIMDShiftGetVec(e));
    if (dead_) return nullptr;
    Value* count = lower(BinaryenSIMDShiftGetShift(e));
    if (dead_) return nullptr;
    return simd::lowerShift(b_, BinaryenSIMDShiftGetOp(e), vec, count);
  }
  if (kind == id.SIMDLoad) {
    Value* address = lower(BinaryenSIMDLoadGetPtr(e));
    if (dead_) return nullptr;
    BinaryenOp op = BinaryenSIMDLoadGetOp(e);
    Value* host = effectiveAddress(address, BinaryenSIMDLoadGetOffset(e), simd::loadBytes(op));
    return simd::lowerLoad(b_, op, host);
  }
  if (kind == id.SIMDLoadStoreLane) {
    Value* address = lower(BinaryenSIMDLoadStoreLaneGetPtr(e));
    if (dead_) return nullptr;
    Value* vec = lower(BinaryenSIMDLoadStoreLaneGetVec(e));
    if (dead_) return nullptr;
    BinaryenOp op = BinaryenSIMDLoadStoreLaneGetOp(e);
    Value* host = effectiveAddress(address, BinaryenSIMDLoadStoreLaneGetOffset(e), simd::laneAccessBytes(op));
    return simd::lowerLoadStoreLane(b_, op, host, vec, BinaryenSIMDLoadStoreLaneGetIndex(e));
  }
  return unsupported("instruction (Binaryen " + expressionKindName(kind) + ")");
}

}  // namespace lunaticc
