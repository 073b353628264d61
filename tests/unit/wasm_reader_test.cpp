// The front end's byte-level decoding (compiler/wasm_reader.h) and the section reader's
// limits (compiler/module_info.h): LEB128 within the binary format's bounds, names, type
// codes, and what a malformed or truncated module gets instead of a crash.
#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "compiler/frontend/module_info.h"
#include "compiler/frontend/wasm_reader.h"

using lunaticc::WasmReader;

namespace {

struct Bytes {
  std::vector<uint8_t> data;
  Bytes(std::initializer_list<uint8_t> bytes) : data(bytes) {}
  WasmReader reader() const { return WasmReader(data); }
};

uint64_t decode(Bytes bytes, unsigned bits, bool is_signed, std::string* error = nullptr) {
  WasmReader r = bytes.reader();
  uint64_t value = r.leb(bits, is_signed);
  if (error) *error = r.error();
  return value;
}

}  // namespace

TEST_CASE("leb128: unsigned values of one and several bytes") {
  CHECK(decode({0x00}, 32, false) == 0);
  CHECK(decode({0x7f}, 32, false) == 127);
  CHECK(decode({0x80, 0x01}, 32, false) == 128);
  CHECK(decode({0xe5, 0x8e, 0x26}, 32, false) == 624485);
  CHECK(decode({0xff, 0xff, 0xff, 0xff, 0x0f}, 32, false) == UINT32_MAX);
  // Padding with continuation bytes is allowed up to the byte limit.
  CHECK(decode({0x80, 0x80, 0x80, 0x80, 0x00}, 32, false) == 0);
  CHECK(decode({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 64, false) == UINT64_MAX);
}

TEST_CASE("leb128: signed values sign-extend from their last byte") {
  CHECK(int32_t(decode({0x7f}, 32, true)) == -1);
  CHECK(int32_t(decode({0x40}, 32, true)) == -64);
  CHECK(int32_t(decode({0x3f}, 32, true)) == 63);
  CHECK(int32_t(decode({0xc0, 0xbb, 0x78}, 32, true)) == -123456);
  CHECK(int32_t(decode({0x80, 0x80, 0x80, 0x80, 0x78}, 32, true)) == INT32_MIN);
  CHECK(int32_t(decode({0xff, 0xff, 0xff, 0xff, 0x07}, 32, true)) == INT32_MAX);
  CHECK(int64_t(decode({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}, 64, true)) == INT64_MIN);
  // A block type is a signed 33-bit number: -64 is the empty type, large ones type indices.
  CHECK(int64_t(decode({0x40}, 33, true)) == -64);
  CHECK(int64_t(decode({0xff, 0xff, 0xff, 0xff, 0x0f}, 33, true)) == INT64_C(0xffffffff));
}

TEST_CASE("leb128: unused bits of the last byte must be zero when unsigned") {
  std::string error;
  CHECK(decode({0xff, 0xff, 0xff, 0xff, 0x1f}, 32, false, &error) == 0);
  CHECK(error == "integer too large at byte 5");
  CHECK(decode({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, 64, false, &error) == 0);
  CHECK(error.starts_with("integer too large"));
}

TEST_CASE("leb128: unused bits of the last byte must copy the sign when signed") {
  std::string error;
  // Positive value with high garbage bits.
  decode({0x80, 0x80, 0x80, 0x80, 0x70}, 32, true, &error);
  CHECK(error.starts_with("integer too large"));
  // Sign bit set, unused bits clear.
  decode({0xff, 0xff, 0xff, 0xff, 0x0f}, 32, true, &error);
  CHECK(error.starts_with("integer too large"));
  decode({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x41}, 64, true, &error);
  CHECK(error.starts_with("integer too large"));
}

TEST_CASE("leb128: too many bytes and truncated input are refused") {
  std::string error;
  CHECK(decode({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 32, false, &error) == 0);
  CHECK(error == "integer representation too long at byte 5");
  decode({0x80}, 32, false, &error);
  CHECK(error == "unexpected end at byte 1");
  decode({}, 64, true, &error);
  CHECK(error == "unexpected end at byte 0");
  decode({0xff, 0xff, 0xff}, 64, true, &error);
  CHECK(error.starts_with("unexpected end"));
}

TEST_CASE("reader: after the first failure every read returns zeros and keeps the first error") {
  Bytes bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x05, 0x06};
  WasmReader r = bytes.reader();
  CHECK(r.u32() == 0);
  CHECK_FALSE(r.ok());
  CHECK(r.atEnd());
  CHECK(r.remaining() == 0);
  CHECK(r.byte() == 0);
  CHECK(r.u32() == 0);
  CHECK(r.take(1).empty());
  CHECK(r.error() == "integer representation too long at byte 5");
}

TEST_CASE("reader: take checks the length against what is left") {
  Bytes bytes{1, 2, 3, 4};
  WasmReader r = bytes.reader();
  auto first = r.take(2);
  REQUIRE(first.size() == 2);
  CHECK(first[1] == 2);
  CHECK(r.take(3).empty());
  CHECK(r.error() == "length out of bounds at byte 2");

  WasmReader huge = bytes.reader();
  CHECK(huge.take(UINT64_MAX).empty());  // no overflow of position + length
  CHECK(huge.error().starts_with("length out of bounds"));

  WasmReader at_end = bytes.reader();
  at_end.take(4);
  CHECK(at_end.ok());
  at_end.take(1);
  CHECK(at_end.error() == "unexpected end at byte 4");
}

TEST_CASE("reader: names are length-prefixed UTF-8") {
  Bytes good{0x04, 'm', 0xc3, 0xa9, 'm'};
  WasmReader r = good.reader();
  CHECK(r.name() == "m\xc3\xa9m");
  CHECK(r.ok());
  CHECK(r.atEnd());

  for (Bytes bad : {Bytes{0x02, 0xc0, 0x80},         // overlong NUL
                    Bytes{0x01, 0x80},               // lone continuation byte
                    Bytes{0x03, 0xed, 0xa0, 0x80},   // UTF-16 surrogate
                    Bytes{0x04, 0xf4, 0x90, 0x80, 0x80}}) {  // beyond U+10FFFF
    WasmReader rb = bad.reader();
    rb.name();
    CHECK(rb.error().starts_with("malformed UTF-8 encoding"));
  }
  Bytes truncated{0x05, 'a', 'b'};
  WasmReader rt = truncated.reader();
  rt.name();
  CHECK(rt.error().starts_with("length out of bounds"));
}

TEST_CASE("reader: value and reference type codes") {
  Bytes all{0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f};
  WasmReader r = all.reader();
  CHECK(r.valueType() == LUNATIC_TYPE_I32);
  CHECK(r.valueType() == LUNATIC_TYPE_I64);
  CHECK(r.valueType() == LUNATIC_TYPE_F32);
  CHECK(r.valueType() == LUNATIC_TYPE_F64);
  CHECK(r.valueType() == LUNATIC_TYPE_V128);
  CHECK(r.valueType() == LUNATIC_TYPE_FUNCREF);
  CHECK(r.valueType() == LUNATIC_TYPE_EXTERNREF);
  CHECK(r.ok());

  Bytes bad{0x40};
  WasmReader rb = bad.reader();
  CHECK(rb.valueType() == 0);
  CHECK(rb.error() == "malformed value type at byte 1");

  Bytes not_ref{0x7f};
  WasmReader rr = not_ref.reader();
  CHECK(rr.refType() == 0);
  CHECK(rr.error().starts_with("malformed reference type"));

  Bytes empty{};
  WasmReader re = empty.reader();
  re.valueType();
  CHECK(re.error() == "unexpected end at byte 0");  // not reported as a bad type
}

// --- The section reader's limits ----------------------------------------------------------

namespace {

// A module: the header, then each section as id, size and payload.
std::vector<uint8_t> moduleBytes(std::initializer_list<std::pair<uint8_t, std::vector<uint8_t>>> sections) {
  std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  for (const auto& [id, payload] : sections) {
    bytes.push_back(id);
    bytes.push_back(uint8_t(payload.size()));  // every payload here is under 128 bytes
    bytes.insert(bytes.end(), payload.begin(), payload.end());
  }
  return bytes;
}

std::string readError(const std::vector<uint8_t>& bytes) {
  std::string error;
  auto info = lunaticc::readModuleInfo(bytes, error);
  return info ? std::string() : error;
}

}  // namespace

TEST_CASE("module reader: memory and table limits") {
  std::string error;
  auto bytes = moduleBytes({{5, {0x02, 0x00, 0x01, 0x01, 0x02, 0x03}}});
  auto info = lunaticc::readModuleInfo(bytes, error);
  REQUIRE(info);
  REQUIRE(info->memories.size() == 2);
  CHECK(info->memories[0].limits.min == 1);
  CHECK_FALSE(info->memories[0].limits.max);
  CHECK(info->memories[1].limits.min == 2);
  CHECK(info->memories[1].limits.max == 3u);

  CHECK(readError(moduleBytes({{5, {0x01, 0x03, 0x01}}})) == "shared memory not supported at byte 2 in section 5");
  CHECK(readError(moduleBytes({{5, {0x01, 0x04, 0x01}}})) == "malformed memory limits flags at byte 2 in section 5");
  CHECK(readError(moduleBytes({{4, {0x01, 0x70, 0x02, 0x00}}})).starts_with("shared table not supported"));
  CHECK(readError(moduleBytes({{4, {0x01, 0x7f, 0x00, 0x00}}})).starts_with("malformed reference type"));
  // A maximum announced but missing.
  CHECK(readError(moduleBytes({{5, {0x01, 0x01, 0x01}}})).starts_with("unexpected end"));
}

TEST_CASE("module reader: section framing") {
  CHECK(readError(moduleBytes({})).empty());
  CHECK(readError(moduleBytes({{13, {}}})).starts_with("malformed section id"));
  // Out of order, and repeated.
  CHECK(readError(moduleBytes({{5, {0x00}}, {1, {0x00}}})).starts_with("unexpected content after last section"));
  CHECK(readError(moduleBytes({{1, {0x00}}, {1, {0x00}}})).starts_with("unexpected content after last section"));
  // A count that promises more than the section holds; bytes left after its content.
  CHECK(readError(moduleBytes({{1, {0x02, 0x60, 0x00, 0x00}}})).starts_with("unexpected end"));
  CHECK(readError(moduleBytes({{5, {0x00, 0x00}}})) == "section size mismatch at byte 1 in section 5");
  // A section whose size runs past the end of the module.
  std::vector<uint8_t> cut = moduleBytes({{1, {0x00}}});
  cut[9] = 0x7f;
  CHECK(readError(cut).starts_with("length out of bounds"));
  // Functions declared without bodies.
  CHECK(readError(moduleBytes({{1, {0x01, 0x60, 0x00, 0x00}}, {3, {0x01, 0x00}}})) ==
        "function and code section have inconsistent lengths");
}

TEST_CASE("module reader: hostile counts fail on the bytes, not on memory") {
  // A type section claiming 2^32-1 types in five bytes: it must run out of input, not
  // reserve anything for the count.
  CHECK(readError(moduleBytes({{1, {0xff, 0xff, 0xff, 0xff, 0x0f}}})).starts_with("unexpected end"));
  // A name whose length is 2^32-1.
  CHECK(readError(moduleBytes({{0, {0xff, 0xff, 0xff, 0xff, 0x0f}}})).starts_with("unexpected end"));
  // A data count that disagrees with the data section.
  CHECK(readError(moduleBytes({{12, {0x02}}})) == "data count and data section have inconsistent lengths");
}
