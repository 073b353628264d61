// UTF-8 as the Unicode standard defines it, checked where the format or the ABI asks for it:
// names in a Wasm binary (the compiler) and strings guests pass to host functions (the runtime).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace lunatic {

// Whether `s` is well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Eight bytes at a time while they are ASCII, as most text is.
    for (uint64_t eight; i + sizeof eight <= s.size(); i += sizeof eight) {
      std::memcpy(&eight, s.data() + i, sizeof eight);
      if (eight & 0x8080808080808080u) break;
    }
    if (i == s.size()) break;
    uint8_t c = uint8_t(s[i]);
    size_t extra;
    uint32_t min, code;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xe0) == 0xc0) { extra = 1; min = 0x80; code = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { extra = 2; min = 0x800; code = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { extra = 3; min = 0x10000; code = c & 0x07; }
    else return false;
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      uint8_t next = uint8_t(s[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace lunatic
