// Primitive decoding of the WebAssembly binary format (see wasm_reader.h).
#include "compiler/frontend/wasm_reader.h"

#include "lunatic/utf8.h"
#include "lunatic/value_types.h"

namespace lunaticc {

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
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (ok() && !lunatic::isValidUtf8(text)) fail("malformed UTF-8 encoding");
  return std::string(text);
}

uint8_t WasmReader::valueType() {
  uint8_t code = lunatic::valueTypeCode(byte());
  if (!code && ok()) fail("malformed value type");
  return code;
}

uint8_t WasmReader::refType() {
  uint8_t code = lunatic::valueTypeCode(byte());
  if (lunatic::isReferenceType(code)) return code;
  if (ok()) fail("malformed reference type");
  return 0;
}

}  // namespace lunaticc
