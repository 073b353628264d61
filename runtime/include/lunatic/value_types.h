// The binary encoding of Wasm value types (the spec's valtype bytes) and lunatic's own type
// codes (abi.h: LUNATIC_TYPE_*), paired once here for every side that converts between
// them: the compiler's reader and its rewrite for Binaryen, and the runtime, which reads
// the parameters lunatic::process::spawn receives as records that start with a valtype byte.
#pragma once

#include <cstdint>

#include "lunatic/abi.h"

namespace lunatic {

struct WasmValueType {
  uint8_t byte;  // the valtype byte of the Wasm binary format
  uint8_t code;  // a LUNATIC_TYPE_* code
};

inline constexpr WasmValueType kWasmValueTypes[] = {
    {0x7f, LUNATIC_TYPE_I32},  {0x7e, LUNATIC_TYPE_I64},     {0x7d, LUNATIC_TYPE_F32},
    {0x7c, LUNATIC_TYPE_F64},  {0x7b, LUNATIC_TYPE_V128},    {0x70, LUNATIC_TYPE_FUNCREF},
    {0x6f, LUNATIC_TYPE_EXTERNREF},
};

// The LUNATIC_TYPE_* code of a valtype byte, or 0 if the byte is none.
constexpr uint8_t valueTypeCode(uint8_t byte) {
  for (const WasmValueType& type : kWasmValueTypes) {
    if (type.byte == byte) return type.code;
  }
  return 0;
}

// The valtype byte of a LUNATIC_TYPE_* code, or 0 if the code is none.
constexpr uint8_t valueTypeByte(uint8_t code) {
  for (const WasmValueType& type : kWasmValueTypes) {
    if (type.code == code) return type.byte;
  }
  return 0;
}

constexpr bool isReferenceType(uint8_t code) {
  return code == LUNATIC_TYPE_FUNCREF || code == LUNATIC_TYPE_EXTERNREF;
}

}  // namespace lunatic
