// Reads the module-level sections Binaryen's C API does not expose (see module_info.h).
#include "module_info.h"

#include <cstring>

namespace lunaticc {
namespace {

// A cursor over untrusted bytes: every read checks the remaining length and records the
// first error instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  bool ok() const { return error_.empty(); }
  bool atEnd() const { return pos_ >= bytes_.size(); }
  const std::string& error() const { return error_; }
  size_t position() const { return pos_; }

  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message) + " at byte " + std::to_string(pos_);
    pos_ = bytes_.size();
  }

  uint8_t byte() {
    if (pos_ >= bytes_.size()) {
      fail("unexpected end");
      return 0;
    }
    return bytes_[pos_++];
  }

  std::span<const uint8_t> take(uint64_t n) {
    if (n > bytes_.size() - pos_) {
      fail("unexpected end");
      return {};
    }
    auto result = bytes_.subspan(pos_, n);
    pos_ += n;
    return result;
  }

  // LEB128 with the binary format's limits: at most ceil(bits/7) bytes, and the unused
  // bits of the last byte must be zero (unsigned) or the sign extension (signed).
  uint64_t leb(unsigned bits, bool is_signed) {
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
          unsigned used = bits - 7 * (max_bytes - 1);  // payload bits in this byte
          uint8_t rest = (b & 0x7f) >> used;
          bool negative = is_signed && ((b >> (used - 1)) & 1);
          uint8_t expected = negative ? (0x7f >> used) : 0;
          if (rest != expected) fail("integer too large");
        }
        if (is_signed && shift < 64 && (b & 0x40)) result |= ~uint64_t(0) << shift;
        return result;
      }
    }
    fail("integer representation too long");
    return 0;
  }

  uint32_t u32() { return uint32_t(leb(32, false)); }

  std::string name() {
    auto bytes = take(u32());
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  std::string error_;
};

uint8_t refType(Reader& r) {
  uint8_t b = r.byte();
  if (b == 0x70) return LUNATIC_TYPE_FUNCREF;
  if (b == 0x6f) return LUNATIC_TYPE_EXTERNREF;
  r.fail("malformed reference type");
  return 0;
}

Limits limits(Reader& r, uint64_t max_allowed, const char* what) {
  Limits l;
  uint8_t flags = r.byte();
  if (flags > 1) {
    r.fail(flags & 2 ? std::string("shared ") + what + " not supported"
                     : std::string("malformed ") + what + " limits flags");
    return l;
  }
  l.min = r.u32();
  if (flags & 1) l.max = r.u32();
  if (r.ok() && (l.min > max_allowed || (l.max && *l.max > max_allowed))) {
    r.fail(std::string(what) + " size must be at most " + std::to_string(max_allowed));
  }
  return l;
}

ConstExpr constExpr(Reader& r) {
  ConstExpr e;
  uint8_t op = r.byte();
  switch (op) {
    case 0x41: e.kind = ConstExpr::Kind::I32; e.bits[0] = uint32_t(r.leb(32, true)); break;
    case 0x42: e.kind = ConstExpr::Kind::I64; e.bits[0] = r.leb(64, true); break;
    case 0x43: {
      e.kind = ConstExpr::Kind::F32;
      auto b = r.take(4);
      if (r.ok()) { uint32_t v; std::memcpy(&v, b.data(), 4); e.bits[0] = v; }
      break;
    }
    case 0x44: {
      e.kind = ConstExpr::Kind::F64;
      auto b = r.take(8);
      if (r.ok()) std::memcpy(&e.bits[0], b.data(), 8);
      break;
    }
    case 0xfd: {
      if (r.u32() != 12) { r.fail("constant expression required"); break; }
      e.kind = ConstExpr::Kind::V128;
      auto b = r.take(16);
      if (r.ok()) std::memcpy(e.bits, b.data(), 16);
      break;
    }
    case 0xd0: e.kind = ConstExpr::Kind::RefNull; e.ref_type = refType(r); break;
    case 0xd2: e.kind = ConstExpr::Kind::RefFunc; e.index = r.u32(); break;
    case 0x23: e.kind = ConstExpr::Kind::GlobalGet; e.index = r.u32(); break;
    default: r.fail("constant expression required"); return e;
  }
  if (r.ok() && r.byte() != 0x0b) r.fail("constant expression required");
  return e;
}

void readImports(Reader& r, ModuleInfo& info) {
  uint32_t count = r.u32();
  uint32_t counters[4] = {0, 0, 0, 0};
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    Import imp;
    imp.module = r.name();
    imp.name = r.name();
    uint8_t kind = r.byte();
    switch (kind) {
      case 0: r.u32(); break;
      case 1: info.tables.push_back({refType(r), limits(r, UINT32_MAX, "table"), true}); break;
      case 2: info.memories.push_back({limits(r, LUNATIC_MAX_PAGES, "memory"), true}); break;
      case 3: r.byte(); r.byte(); break;
      default: r.fail("malformed import kind"); return;
    }
    imp.kind = lunatic_extern_kind(kind);
    imp.index = counters[kind]++;
    info.imports.push_back(std::move(imp));
  }
  info.num_imported_functions = counters[LUNATIC_EXTERN_FUNC];
  info.num_imported_globals = counters[LUNATIC_EXTERN_GLOBAL];
}

void readElements(Reader& r, ModuleInfo& info) {
  uint32_t count = r.u32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    ElemSegment seg;
    uint32_t flags = r.u32();
    if (flags > 7) { r.fail("malformed elements segment kind"); return; }
    bool passive_or_declarative = flags & 1;
    bool explicit_table = flags & 2;
    bool uses_exprs = flags & 4;
    if (!passive_or_declarative) {
      seg.mode = ElemSegment::Mode::Active;
      if (explicit_table) seg.table = r.u32();
      seg.offset = constExpr(r);
    } else {
      seg.mode = explicit_table ? ElemSegment::Mode::Declarative : ElemSegment::Mode::Passive;
    }
    // Flags 0 and 4 imply funcref; the others name the element kind or type.
    if (passive_or_declarative || explicit_table) {
      if (uses_exprs) {
        seg.elem_type = refType(r);
      } else if (r.byte() != 0x00) {
        r.fail("malformed element kind");
      }
    }
    uint32_t n = r.u32();
    for (uint32_t k = 0; k < n && r.ok(); ++k) {
      if (uses_exprs) {
        seg.items.push_back(constExpr(r));
      } else {
        ConstExpr item;
        item.kind = ConstExpr::Kind::RefFunc;
        item.index = r.u32();
        seg.items.push_back(item);
      }
    }
    info.elem_segments.push_back(std::move(seg));
  }
}

void readData(Reader& r, ModuleInfo& info) {
  uint32_t count = r.u32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    DataSegment seg;
    uint32_t flags = r.u32();
    if (flags > 2) { r.fail("malformed data segment kind"); return; }
    if (flags != 1) {
      seg.active = true;
      if (flags == 2) seg.memory = r.u32();
      seg.offset = constExpr(r);
    }
    seg.bytes = r.take(r.u32());
    info.data_segments.push_back(seg);
  }
}

}  // namespace

std::optional<ModuleInfo> readModuleInfo(std::span<const uint8_t> bytes, std::string& error) {
  ModuleInfo info;
  Reader module(bytes);
  module.take(8);  // magic and version, checked by the front end
  while (module.ok() && !module.atEnd()) {
    uint8_t id = module.byte();
    uint32_t size = module.u32();
    auto payload = module.take(size);
    if (!module.ok()) break;
    Reader r(payload);
    switch (id) {
      case 2: readImports(r, info); break;
      case 4: {
        uint32_t n = r.u32();
        for (uint32_t i = 0; i < n && r.ok(); ++i) {
          uint8_t type = refType(r);
          info.tables.push_back({type, limits(r, UINT32_MAX, "table"), false});
        }
        break;
      }
      case 5: {
        uint32_t n = r.u32();
        for (uint32_t i = 0; i < n && r.ok(); ++i) {
          info.memories.push_back({limits(r, LUNATIC_MAX_PAGES, "memory"), false});
        }
        break;
      }
      case 8: info.start = r.u32(); break;
      case 9: readElements(r, info); break;
      case 11: readData(r, info); break;
      default: continue;  // sections Binaryen's API covers are left to Binaryen
    }
    if (r.ok() && !r.atEnd()) r.fail("section size mismatch");
    if (!r.ok()) {
      error = "malformed section " + std::to_string(id) + ": " + r.error();
      return std::nullopt;
    }
  }
  if (!module.ok()) {
    error = "malformed module: " + module.error();
    return std::nullopt;
  }
  return info;
}

}  // namespace lunaticc
