// Numeric instructions: the scalar operators (numeric.h), and the function translator's
// lowering of constants and of unary and binary operators (function.h), which hands the
// v128 ones to simd.h.
#include "compiler/translate/numeric.h"

#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Module.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "compiler/translate/function.h"
#include "compiler/translate/simd.h"
#include "lunatic/abi.h"

namespace lunaticc {
namespace {

using llvm::Value;
using Builder = llvm::IRBuilder<>;

Value* boolToI32(Builder& b, Value* v) { return b.CreateZExt(v, b.getInt32Ty()); }

Value* intrinsic(Builder& b, llvm::Intrinsic::ID id, llvm::ArrayRef<Value*> args) {
  return b.CreateIntrinsic(id, {args[0]->getType()}, args);
}

// Trapping float-to-int truncation: NaN is an invalid conversion, anything whose truncation
// falls outside the target range an overflow. The bounds are exact in double precision.
Value* truncTrapping(Builder& b, Value* x, llvm::Type* to, bool is_signed, const TrapIf& trap_if) {
  trap_if(b.CreateFCmpUNO(x, x), LUNATIC_TRAP_INVALID_CONVERSION);
  Value* wide = x->getType()->isFloatTy() ? b.CreateFPExt(x, b.getDoubleTy()) : x;
  bool to64 = to->isIntegerTy(64);
  double low, high;  // x must satisfy low < x < high (low <= x for the i64 signed case)
  if (is_signed) {
    low = to64 ? -9223372036854775808.0 : -2147483649.0;
    high = to64 ? 9223372036854775808.0 : 2147483648.0;
  } else {
    low = -1.0;
    high = to64 ? 18446744073709551616.0 : 4294967296.0;
  }
  llvm::Type* f64 = b.getDoubleTy();
  Value* above_low = (is_signed && to64) ? b.CreateFCmpOGE(wide, llvm::ConstantFP::get(f64, low))
                                         : b.CreateFCmpOGT(wide, llvm::ConstantFP::get(f64, low));
  Value* in_range = b.CreateAnd(above_low, b.CreateFCmpOLT(wide, llvm::ConstantFP::get(f64, high)));
  trap_if(b.CreateNot(in_range), LUNATIC_TRAP_INTEGER_OVERFLOW);
  return is_signed ? b.CreateFPToSI(x, to) : b.CreateFPToUI(x, to);
}

Value* truncSaturating(Builder& b, Value* x, llvm::Type* to, bool is_signed) {
  return b.CreateIntrinsic(is_signed ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat,
                           {to, x->getType()}, {x});
}

Value* divide(Builder& b, Value* lhs, Value* rhs, bool is_signed, bool remainder, const TrapIf& trap_if) {
  llvm::Type* type = lhs->getType();
  trap_if(b.CreateICmpEQ(rhs, llvm::ConstantInt::get(type, 0)), LUNATIC_TRAP_INTEGER_DIVIDE_BY_ZERO);
  if (!is_signed) return remainder ? b.CreateURem(lhs, rhs) : b.CreateUDiv(lhs, rhs);
  Value* minus_one = llvm::ConstantInt::getSigned(type, -1);
  Value* rhs_is_minus_one = b.CreateICmpEQ(rhs, minus_one);
  if (!remainder) {
    Value* lhs_is_min = b.CreateICmpEQ(
        lhs, llvm::ConstantInt::get(type, llvm::APInt::getSignedMinValue(type->getIntegerBitWidth())));
    trap_if(b.CreateAnd(lhs_is_min, rhs_is_minus_one), LUNATIC_TRAP_INTEGER_OVERFLOW);
    return b.CreateSDiv(lhs, rhs);
  }
  // x rem_s -1 is 0 in Wasm; srem by -1 may overflow in LLVM, so divide by 1 instead.
  Value* safe_rhs = b.CreateSelect(rhs_is_minus_one, llvm::ConstantInt::get(type, 1), rhs);
  return b.CreateSRem(lhs, safe_rhs);
}

Value* shiftCount(Builder& b, Value* count) {
  unsigned bits = count->getType()->getIntegerBitWidth();
  return b.CreateAnd(count, llvm::ConstantInt::get(count->getType(), bits - 1));
}

using UnaryLowering = std::function<Value*(Builder&, Value*, const TrapIf&)>;
using BinaryLowering = std::function<Value*(Builder&, Value*, Value*, const TrapIf&)>;

const std::unordered_map<BinaryenOp, UnaryLowering>& unaryOps() {
  static const std::unordered_map<BinaryenOp, UnaryLowering> ops = [] {
    std::unordered_map<BinaryenOp, UnaryLowering> m;
    using I = llvm::Intrinsic::ID;
    auto bit_count = [](I id) {
      return [id](Builder& b, Value* v, const TrapIf&) -> Value* {
        if (id == llvm::Intrinsic::ctpop) return intrinsic(b, id, {v});
        return intrinsic(b, id, {v, b.getFalse()});  // defined for zero: the bit width
      };
    };
    auto float_intrinsic = [](I id) {
      return [id](Builder& b, Value* v, const TrapIf&) { return intrinsic(b, id, {v}); };
    };
    m[BinaryenClzInt32()] = m[BinaryenClzInt64()] = bit_count(llvm::Intrinsic::ctlz);
    m[BinaryenCtzInt32()] = m[BinaryenCtzInt64()] = bit_count(llvm::Intrinsic::cttz);
    m[BinaryenPopcntInt32()] = m[BinaryenPopcntInt64()] = bit_count(llvm::Intrinsic::ctpop);
    auto eqz = [](Builder& b, Value* v, const TrapIf&) {
      return boolToI32(b, b.CreateICmpEQ(v, llvm::ConstantInt::get(v->getType(), 0)));
    };
    m[BinaryenEqZInt32()] = m[BinaryenEqZInt64()] = eqz;
    m[BinaryenNegFloat32()] = m[BinaryenNegFloat64()] = [](Builder& b, Value* v, const TrapIf&) {
      return b.CreateFNeg(v);
    };
    m[BinaryenAbsFloat32()] = m[BinaryenAbsFloat64()] = float_intrinsic(llvm::Intrinsic::fabs);
    m[BinaryenCeilFloat32()] = m[BinaryenCeilFloat64()] = float_intrinsic(llvm::Intrinsic::ceil);
    m[BinaryenFloorFloat32()] = m[BinaryenFloorFloat64()] = float_intrinsic(llvm::Intrinsic::floor);
    m[BinaryenTruncFloat32()] = m[BinaryenTruncFloat64()] = float_intrinsic(llvm::Intrinsic::trunc);
    m[BinaryenNearestFloat32()] = m[BinaryenNearestFloat64()] = float_intrinsic(llvm::Intrinsic::roundeven);
    m[BinaryenSqrtFloat32()] = m[BinaryenSqrtFloat64()] = float_intrinsic(llvm::Intrinsic::sqrt);

    auto cast = [](llvm::Instruction::CastOps cast_op, auto type_of) {
      return [cast_op, type_of](Builder& b, Value* v, const TrapIf&) {
        return b.CreateCast(cast_op, v, type_of(b));
      };
    };
    auto i32 = [](Builder& b) { return b.getInt32Ty(); };
    auto i64 = [](Builder& b) { return b.getInt64Ty(); };
    auto f32 = [](Builder& b) { return b.getFloatTy(); };
    auto f64 = [](Builder& b) { return b.getDoubleTy(); };
    using llvm::Instruction;
    m[BinaryenExtendSInt32()] = cast(Instruction::SExt, i64);
    m[BinaryenExtendUInt32()] = cast(Instruction::ZExt, i64);
    m[BinaryenWrapInt64()] = cast(Instruction::Trunc, i32);
    m[BinaryenReinterpretFloat32()] = cast(Instruction::BitCast, i32);
    m[BinaryenReinterpretFloat64()] = cast(Instruction::BitCast, i64);
    m[BinaryenReinterpretInt32()] = cast(Instruction::BitCast, f32);
    m[BinaryenReinterpretInt64()] = cast(Instruction::BitCast, f64);
    m[BinaryenConvertSInt32ToFloat32()] = m[BinaryenConvertSInt64ToFloat32()] = cast(Instruction::SIToFP, f32);
    m[BinaryenConvertSInt32ToFloat64()] = m[BinaryenConvertSInt64ToFloat64()] = cast(Instruction::SIToFP, f64);
    m[BinaryenConvertUInt32ToFloat32()] = m[BinaryenConvertUInt64ToFloat32()] = cast(Instruction::UIToFP, f32);
    m[BinaryenConvertUInt32ToFloat64()] = m[BinaryenConvertUInt64ToFloat64()] = cast(Instruction::UIToFP, f64);
    m[BinaryenPromoteFloat32()] = cast(Instruction::FPExt, f64);
    // LLVM folds fptrunc(fpext x) to x, which would let a signalling NaN through.
    m[BinaryenDemoteFloat64()] = [](Builder& b, Value* v, const TrapIf&) {
      return quietNaN(b, b.CreateFPTrunc(v, b.getFloatTy()));
    };

    auto sign_extend = [](unsigned from_bits) {
      return [from_bits](Builder& b, Value* v, const TrapIf&) {
        return b.CreateSExt(b.CreateTrunc(v, b.getIntNTy(from_bits)), v->getType());
      };
    };
    m[BinaryenExtendS8Int32()] = m[BinaryenExtendS8Int64()] = sign_extend(8);
    m[BinaryenExtendS16Int32()] = m[BinaryenExtendS16Int64()] = sign_extend(16);
    m[BinaryenExtendS32Int64()] = sign_extend(32);

    auto trunc = [](auto type_of, bool is_signed, bool saturating) {
      return [=](Builder& b, Value* v, const TrapIf& trap_if) {
        return saturating ? truncSaturating(b, v, type_of(b), is_signed)
                          : truncTrapping(b, v, type_of(b), is_signed, trap_if);
      };
    };
    for (bool sat : {false, true}) {
      m[sat ? BinaryenTruncSatSFloat32ToInt32() : BinaryenTruncSFloat32ToInt32()] = trunc(i32, true, sat);
      m[sat ? BinaryenTruncSatSFloat64ToInt32() : BinaryenTruncSFloat64ToInt32()] = trunc(i32, true, sat);
      m[sat ? BinaryenTruncSatUFloat32ToInt32() : BinaryenTruncUFloat32ToInt32()] = trunc(i32, false, sat);
      m[sat ? BinaryenTruncSatUFloat64ToInt32() : BinaryenTruncUFloat64ToInt32()] = trunc(i32, false, sat);
      m[sat ? BinaryenTruncSatSFloat32ToInt64() : BinaryenTruncSFloat32ToInt64()] = trunc(i64, true, sat);
      m[sat ? BinaryenTruncSatSFloat64ToInt64() : BinaryenTruncSFloat64ToInt64()] = trunc(i64, true, sat);
      m[sat ? BinaryenTruncSatUFloat32ToInt64() : BinaryenTruncUFloat32ToInt64()] = trunc(i64, false, sat);
      m[sat ? BinaryenTruncSatUFloat64ToInt64() : BinaryenTruncUFloat64ToInt64()] = trunc(i64, false, sat);
    }
    return m;
  }();
  return ops;
}

const std::unordered_map<BinaryenOp, BinaryLowering>& binaryOps() {
  static const std::unordered_map<BinaryenOp, BinaryLowering> ops = [] {
    std::unordered_map<BinaryenOp, BinaryLowering> m;
    using llvm::Instruction;
    auto arith = [](Instruction::BinaryOps op) {
      return [op](Builder& b, Value* l, Value* r, const TrapIf&) { return b.CreateBinOp(op, l, r); };
    };
    auto both = [&](BinaryenOp a, BinaryenOp c, BinaryLowering f) { m[a] = f; m[c] = f; };
    both(BinaryenAddInt32(), BinaryenAddInt64(), arith(Instruction::Add));
    both(BinaryenSubInt32(), BinaryenSubInt64(), arith(Instruction::Sub));
    both(BinaryenMulInt32(), BinaryenMulInt64(), arith(Instruction::Mul));
    both(BinaryenAndInt32(), BinaryenAndInt64(), arith(Instruction::And));
    both(BinaryenOrInt32(), BinaryenOrInt64(), arith(Instruction::Or));
    both(BinaryenXorInt32(), BinaryenXorInt64(), arith(Instruction::Xor));
    auto div = [](bool is_signed, bool rem) {
      return [=](Builder& b, Value* l, Value* r, const TrapIf& t) { return divide(b, l, r, is_signed, rem, t); };
    };
    both(BinaryenDivSInt32(), BinaryenDivSInt64(), div(true, false));
    both(BinaryenDivUInt32(), BinaryenDivUInt64(), div(false, false));
    both(BinaryenRemSInt32(), BinaryenRemSInt64(), div(true, true));
    both(BinaryenRemUInt32(), BinaryenRemUInt64(), div(false, true));
    auto shift = [](Instruction::BinaryOps op) {
      return [op](Builder& b, Value* l, Value* r, const TrapIf&) { return b.CreateBinOp(op, l, shiftCount(b, r)); };
    };
    both(BinaryenShlInt32(), BinaryenShlInt64(), shift(Instruction::Shl));
    both(BinaryenShrSInt32(), BinaryenShrSInt64(), shift(Instruction::AShr));
    both(BinaryenShrUInt32(), BinaryenShrUInt64(), shift(Instruction::LShr));
    auto rotate = [](llvm::Intrinsic::ID id) {
      return [id](Builder& b, Value* l, Value* r, const TrapIf&) { return intrinsic(b, id, {l, l, r}); };
    };
    both(BinaryenRotLInt32(), BinaryenRotLInt64(), rotate(llvm::Intrinsic::fshl));
    both(BinaryenRotRInt32(), BinaryenRotRInt64(), rotate(llvm::Intrinsic::fshr));
    auto icmp = [](llvm::CmpInst::Predicate p) {
      return [p](Builder& b, Value* l, Value* r, const TrapIf&) { return boolToI32(b, b.CreateICmp(p, l, r)); };
    };
    using P = llvm::CmpInst::Predicate;
    both(BinaryenEqInt32(), BinaryenEqInt64(), icmp(P::ICMP_EQ));
    both(BinaryenNeInt32(), BinaryenNeInt64(), icmp(P::ICMP_NE));
    both(BinaryenLtSInt32(), BinaryenLtSInt64(), icmp(P::ICMP_SLT));
    both(BinaryenLtUInt32(), BinaryenLtUInt64(), icmp(P::ICMP_ULT));
    both(BinaryenLeSInt32(), BinaryenLeSInt64(), icmp(P::ICMP_SLE));
    both(BinaryenLeUInt32(), BinaryenLeUInt64(), icmp(P::ICMP_ULE));
    both(BinaryenGtSInt32(), BinaryenGtSInt64(), icmp(P::ICMP_SGT));
    both(BinaryenGtUInt32(), BinaryenGtUInt64(), icmp(P::ICMP_UGT));
    both(BinaryenGeSInt32(), BinaryenGeSInt64(), icmp(P::ICMP_SGE));
    both(BinaryenGeUInt32(), BinaryenGeUInt64(), icmp(P::ICMP_UGE));
    both(BinaryenAddFloat32(), BinaryenAddFloat64(), arith(Instruction::FAdd));
    both(BinaryenSubFloat32(), BinaryenSubFloat64(), arith(Instruction::FSub));
    both(BinaryenMulFloat32(), BinaryenMulFloat64(), arith(Instruction::FMul));
    both(BinaryenDivFloat32(), BinaryenDivFloat64(), arith(Instruction::FDiv));
    auto float_intrinsic = [](llvm::Intrinsic::ID id) {
      return [id](Builder& b, Value* l, Value* r, const TrapIf&) { return intrinsic(b, id, {l, r}); };
    };
    both(BinaryenCopySignFloat32(), BinaryenCopySignFloat64(), float_intrinsic(llvm::Intrinsic::copysign));
    auto min_max = [](llvm::Intrinsic::ID id) {
      return [id](Builder& b, Value* l, Value* r, const TrapIf&) {
        return quietNaN(b, intrinsic(b, id, {l, r}));
      };
    };
    both(BinaryenMinFloat32(), BinaryenMinFloat64(), min_max(llvm::Intrinsic::minimum));
    both(BinaryenMaxFloat32(), BinaryenMaxFloat64(), min_max(llvm::Intrinsic::maximum));
    auto fcmp = [](llvm::CmpInst::Predicate p) {
      return [p](Builder& b, Value* l, Value* r, const TrapIf&) { return boolToI32(b, b.CreateFCmp(p, l, r)); };
    };
    both(BinaryenEqFloat32(), BinaryenEqFloat64(), fcmp(P::FCMP_OEQ));
    both(BinaryenNeFloat32(), BinaryenNeFloat64(), fcmp(P::FCMP_UNE));
    both(BinaryenLtFloat32(), BinaryenLtFloat64(), fcmp(P::FCMP_OLT));
    both(BinaryenLeFloat32(), BinaryenLeFloat64(), fcmp(P::FCMP_OLE));
    both(BinaryenGtFloat32(), BinaryenGtFloat64(), fcmp(P::FCMP_OGT));
    both(BinaryenGeFloat32(), BinaryenGeFloat64(), fcmp(P::FCMP_OGE));
    return m;
  }();
  return ops;
}

}  // namespace

Value* quietNaN(Builder& b, Value* value) {
  llvm::Type* type = value->getType();
  unsigned bits = type->getPrimitiveSizeInBits();
  llvm::Type* int_type = b.getIntNTy(bits);
  // The quiet bit is the top bit of the significand: bit 22 of an f32, bit 51 of an f64.
  llvm::APInt quiet_bit = llvm::APInt::getOneBitSet(bits, bits == 32 ? 22 : 51);
  Value* quieted = b.CreateBitCast(b.CreateOr(b.CreateBitCast(value, int_type), quiet_bit), type);
  return b.CreateSelect(b.CreateFCmpUNO(value, value), quieted, value);
}

bool mayFoldToOperand(Value* lhs, Value* rhs) {
  auto identity_like = [](Value* v) {
    auto* constant = llvm::dyn_cast<llvm::ConstantFP>(v);
    if (!constant) return false;
    const llvm::APFloat& value = constant->getValueAPF();
    return value.isZero() || value.isExactlyValue(1.0) || value.isExactlyValue(-1.0);
  };
  return identity_like(lhs) || identity_like(rhs);
}

Value* lowerNumericUnary(Builder& b, BinaryenOp op, Value* value, const TrapIf& trap_if) {
  auto it = unaryOps().find(op);
  return it == unaryOps().end() ? nullptr : it->second(b, value, trap_if);
}

Value* lowerNumericBinary(Builder& b, BinaryenOp op, Value* lhs, Value* rhs, const TrapIf& trap_if) {
  auto it = binaryOps().find(op);
  return it == binaryOps().end() ? nullptr : it->second(b, lhs, rhs, trap_if);
}

// --- The function translator's numeric instructions ---

namespace {

// The float operations LLVM may fold to an operand when the other one is a constant.
bool isFloatArithmetic(BinaryenOp op) {
  static const BinaryenOp ops[] = {BinaryenAddFloat32(), BinaryenSubFloat32(), BinaryenMulFloat32(),
                                   BinaryenDivFloat32(), BinaryenAddFloat64(), BinaryenSubFloat64(),
                                   BinaryenMulFloat64(), BinaryenDivFloat64()};
  return std::find(std::begin(ops), std::end(ops), op) != std::end(ops);
}

}  // namespace

Value* FunctionTranslator::lowerConst(BinaryenExpressionRef e) {
  BinaryenType type = BinaryenExpressionGetType(e);
  if (type == BinaryenTypeInt32()) return b_.getInt32(uint32_t(BinaryenConstGetValueI32(e)));
  if (type == BinaryenTypeInt64()) return b_.getInt64(uint64_t(BinaryenConstGetValueI64(e)));
  if (type == BinaryenTypeFloat32()) {
    float value = BinaryenConstGetValueF32(e);
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    return llvm::ConstantFP::get(t_.context, llvm::APFloat(llvm::APFloat::IEEEsingle(), llvm::APInt(32, bits)));
  }
  if (type == BinaryenTypeFloat64()) {
    double value = BinaryenConstGetValueF64(e);
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    return llvm::ConstantFP::get(t_.context, llvm::APFloat(llvm::APFloat::IEEEdouble(), llvm::APInt(64, bits)));
  }
  if (type == BinaryenTypeVec128()) {
    uint8_t bytes[16];
    BinaryenConstGetValueV128(e, bytes);
    uint64_t lanes[2];
    std::memcpy(lanes, bytes, 16);
    return llvm::ConstantVector::get({b_.getInt64(lanes[0]), b_.getInt64(lanes[1])});
  }
  return unsupported("constant type");
}

Value* FunctionTranslator::lowerUnary(BinaryenExpressionRef e) {
  Value* value = lower(BinaryenUnaryGetValue(e));
  if (dead_) return nullptr;
  BinaryenOp op = BinaryenUnaryGetOp(e);
  bool vector = value->getType() == t_.v128 || BinaryenExpressionGetType(e) == BinaryenTypeVec128();
  Value* result = vector ? simd::lowerUnary(b_, op, value) : lowerNumericUnary(b_, op, value, trapper());
  return result ? result : unsupported("unary operator");
}

Value* FunctionTranslator::lowerBinary(BinaryenExpressionRef e) {
  Value* lhs = lower(BinaryenBinaryGetLeft(e));
  if (dead_) return nullptr;
  Value* rhs = lower(BinaryenBinaryGetRight(e));
  if (dead_) return nullptr;
  BinaryenOp op = BinaryenBinaryGetOp(e);
  Value* result = lhs->getType() == t_.v128 ? simd::lowerBinary(b_, op, lhs, rhs)
                                            : lowerNumericBinary(b_, op, lhs, rhs, trapper());
  if (!result) return unsupported("binary operator");
  // LLVM folds x*1, x/1, x+(-0), x-0, -0-x, x*-1 ... to x or -x, which lets a
  // signalling NaN through where Wasm wants it quieted (numeric.h).
  if (result->getType()->isFloatingPointTy() && isFloatArithmetic(op) && mayFoldToOperand(lhs, rhs)) {
    result = quietNaN(b_, result);
  }
  return result;
}

}  // namespace lunaticc
