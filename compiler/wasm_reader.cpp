// Primitive decoding of the WebAssembly binary format (see wasm_reader.h).
#include "wasm_reader.h"

namespace lunaticc {
namespace {

// Checks UTF-8 as the Unicode standard defines it: no overlong forms, no surrogates,
// nothing above U+10FFFF.
bool isValidUtf8(std::span<const uint8_t> s) {
  size_t i = 0;
  while (i < s.size()) {
    uint8_t c = s[i];
    size_t extra;
    uint32_t min, code;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xe0) == 0xc0) { extra = 1; min = 0x80; code = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { extra = 2; min = 0x800; code = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { extra = 3; min = 0x10000; code = c & 0x07; }
    else return false;
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      code = (code << 6) | (s[i + k] & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

uint64_t WasmReader::leb(unsigned bits, bool is_signed) {
  uint64_t result = 0;
  unsigned shift = 0;
  const unsigned max_bytes = (bits + 6) / 7;
  for (unsigned i = 0; i < max_bytes; ++i) {
    uint8_t b = byte();
    if (!ok()) return 0;
    result |= uint64_t(b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) == 0) {
      if (i == max_bytes - 1 && bits % 7 != 0) {
        unsigned used = bits - 7 * (max_bytes - 1);  // payload bits in this last byte
        uint8_t rest = (b & 0x7f) >> used;
        bool negative = is_signed && ((b >> (used - 1)) & 1);
        uint8_t expected = negative ? (0x7f >> used) : 0;
        if (rest != expected) {
          fail("integer too large");
          return 0;
        }
      }
      if (is_signed && shift < 64 && (b & 0x40)) result |= ~uint64_t(0) << shift;
      return result;
    }
  }
  fail("integer representation too long");
  return 0;
}

std::string WasmReader::name() {
  auto bytes = take(u32());
  if (ok() && !isValidUtf8(bytes)) fail("malformed UTF-8 encoding");
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

uint8_t WasmReader::valueType() {
  switch (byte()) {
    case 0x7f: return LUNATIC_TYPE_I32;
    case 0x7e: return LUNATIC_TYPE_I64;
    case 0x7d: return LUNATIC_TYPE_F32;
    case 0x7c: return LUNATIC_TYPE_F64;
    case 0x7b: return LUNATIC_TYPE_V128;
    case 0x70: return LUNATIC_TYPE_FUNCREF;
    case 0x6f: return LUNATIC_TYPE_EXTERNREF;
  }
  if (ok()) fail("malformed value type");
  return 0;
}

uint8_t WasmReader::refType() {
  uint8_t b = byte();
  if (b == 0x70) return LUNATIC_TYPE_FUNCREF;
  if (b == 0x6f) return LUNATIC_TYPE_EXTERNREF;
  if (ok()) fail("malformed reference type");
  return 0;
}

}  // namespace lunaticc
