// Decodes a module's sections into ModuleInfo (see module_info.h).
#include "compiler/frontend/module_info.h"

#include <cstring>

#include "compiler/frontend/wasm_reader.h"

namespace lunaticc {
namespace {

Limits readLimits(WasmReader& r, const char* what) {
  Limits l;
  uint8_t flags = r.byte();
  if (flags > 1) {
    r.fail(flags & 2 ? std::string("shared ") + what + " not supported"
                     : std::string("malformed ") + what + " limits flags");
    return l;
  }
  l.min = r.u32();
  if (flags & 1) l.max = r.u32();
  return l;
}

ConstExpr readConstExpr(WasmReader& r) {
  ConstExpr e;
  uint8_t op = r.byte();
  switch (op) {
    case 0x41: e.kind = ConstExpr::Kind::I32; e.bits[0] = uint32_t(r.s32()); break;
    case 0x42: e.kind = ConstExpr::Kind::I64; e.bits[0] = uint64_t(r.s64()); break;
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
    case 0xd0: e.kind = ConstExpr::Kind::RefNull; e.ref_type = r.refType(); break;
    case 0xd2: e.kind = ConstExpr::Kind::RefFunc; e.index = r.u32(); break;
    case 0x23: e.kind = ConstExpr::Kind::GlobalGet; e.index = r.u32(); break;
    case 0x0b: if (r.ok()) r.fail("type mismatch: empty constant expression"); return e;
    default: if (r.ok()) r.fail("constant expression required"); return e;
  }
  if (r.ok()) {
    uint8_t end = r.byte();
    if (r.ok() && end != 0x0b) r.fail("constant expression required");
  }
  return e;
}

// A global type: value type, then mutability (0 or 1).
Global readGlobalType(WasmReader& r) {
  Global g;
  g.type = r.valueType();
  uint8_t mutability = r.byte();
  if (mutability > 1 && r.ok()) r.fail("malformed mutability");
  g.is_mutable = mutability == 1;
  return g;
}

void readTypes(WasmReader& r, ModuleInfo& info) {
  uint32_t count = r.u32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    if (r.byte() != 0x60 && r.ok()) r.fail("malformed function type");
    FuncType type;
    for (uint32_t n = r.u32(), k = 0; k < n && r.ok(); ++k) type.params.push_back(r.valueType());
    for (uint32_t n = r.u32(), k = 0; k < n && r.ok(); ++k) type.results.push_back(r.valueType());
    info.types.push_back(std::move(type));
  }
}

void readImports(WasmReader& r, ModuleInfo& info) {
  uint32_t count = r.u32();
  uint32_t counters[4] = {0, 0, 0, 0};
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    Import imp;
    imp.module = r.name();
    imp.name = r.name();
    uint8_t kind = r.byte();
    switch (kind) {
      case 0: info.function_types.push_back(r.u32()); break;
      case 1: {
        uint8_t type = r.refType();
        info.tables.push_back({type, readLimits(r, "table"), true});
        break;
      }
      case 2: info.memories.push_back({readLimits(r, "memory"), true}); break;
      case 3: {
        Global g = readGlobalType(r);
        g.imported = true;
        info.globals.push_back(g);
        break;
      }
      default: if (r.ok()) r.fail("malformed import kind"); return;
    }
    imp.kind = lunatic_extern_kind(kind);
    imp.index = counters[kind]++;
    info.imports.push_back(std::move(imp));
  }
  info.num_imported_functions = counters[LUNATIC_EXTERN_FUNC];
  info.num_imported_globals = counters[LUNATIC_EXTERN_GLOBAL];
}

void readGlobals(WasmReader& r, ModuleInfo& info) {
  uint32_t count = r.u32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    Global g = readGlobalType(r);
    g.init = readConstExpr(r);
    info.globals.push_back(g);
  }
}

void readExports(WasmReader& r, ModuleInfo& info) {
  uint32_t count = r.u32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    Export e;
    e.name = r.name();
    uint8_t kind = r.byte();
    if (kind > 3 && r.ok()) r.fail("malformed export kind");
    e.kind = lunatic_extern_kind(kind);
    e.index = r.u32();
    info.exports.push_back(std::move(e));
  }
}

void readElements(WasmReader& r, ModuleInfo& info) {
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
      seg.offset = readConstExpr(r);
    } else {
      seg.mode = explicit_table ? ElemSegment::Mode::Declarative : ElemSegment::Mode::Passive;
    }
    // Flags 0 and 4 imply funcref; the others name the element kind or type.
    if (passive_or_declarative || explicit_table) {
      if (uses_exprs) {
        seg.elem_type = r.refType();
      } else if (r.byte() != 0x00 && r.ok()) {
        r.fail("malformed element kind");
      }
    }
    for (uint32_t n = r.u32(), k = 0; k < n && r.ok(); ++k) {
      if (uses_exprs) {
        seg.items.push_back(readConstExpr(r));
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

void readCode(WasmReader& r, ModuleInfo& info) {
  uint32_t count = r.u32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    uint32_t size = r.u32();
    info.bodies.push_back(r.take(size));
  }
}

void readData(WasmReader& r, ModuleInfo& info) {
  uint32_t count = r.u32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    DataSegment seg;
    uint32_t flags = r.u32();
    if (flags > 2) { r.fail("malformed data segment kind"); return; }
    if (flags != 1) {
      seg.active = true;
      if (flags == 2) seg.memory = r.u32();
      seg.offset = readConstExpr(r);
    }
    seg.bytes = r.take(r.u32());
    info.data_segments.push_back(seg);
  }
}

// Position of each section id in the order the binary format requires (datacount, id 12,
// sits between element and code). Custom sections (0) may appear anywhere.
int sectionRank(uint8_t id) {
  static constexpr int rank[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  return id < 13 ? rank[id] : -1;
}

}  // namespace

std::optional<ModuleInfo> readModuleInfo(std::span<const uint8_t> bytes, std::string& error) {
  ModuleInfo info;
  WasmReader module(bytes);
  module.take(8);  // magic and version, checked by the front end
  int last_rank = 0;
  bool has_function_section = false;
  uint32_t defined_functions = 0;
  while (module.ok() && !module.atEnd()) {
    uint8_t id = module.byte();
    if (sectionRank(id) < 0) {
      module.fail("malformed section id");
      break;
    }
    uint32_t size = module.u32();
    auto payload = module.take(size);
    if (!module.ok()) break;
    if (id != 0) {
      if (sectionRank(id) <= last_rank) {
        module.fail("unexpected content after last section (section out of order or repeated)");
        break;
      }
      last_rank = sectionRank(id);
    }
    WasmReader r(payload);
    switch (id) {
      case 0: {
        std::string name = r.name();
        auto contents = r.take(r.remaining());
        if (name == "name") info.has_name_section = true;
        if (name.starts_with(".debug_")) info.debug_sections.emplace_back(std::move(name), contents);
        break;
      }
      case 1: readTypes(r, info); break;
      case 2: readImports(r, info); break;
      case 3: {
        has_function_section = true;
        defined_functions = r.u32();
        for (uint32_t i = 0; i < defined_functions && r.ok(); ++i) {
          info.function_types.push_back(r.u32());
        }
        break;
      }
      case 4: {
        for (uint32_t n = r.u32(), i = 0; i < n && r.ok(); ++i) {
          uint8_t type = r.refType();
          info.tables.push_back({type, readLimits(r, "table"), false});
        }
        break;
      }
      case 5: {
        for (uint32_t n = r.u32(), i = 0; i < n && r.ok(); ++i) {
          info.memories.push_back({readLimits(r, "memory"), false});
        }
        break;
      }
      case 6: readGlobals(r, info); break;
      case 7: readExports(r, info); break;
      case 8: info.start = r.u32(); break;
      case 9: readElements(r, info); break;
      case 10:
        info.code_section = payload;
        readCode(r, info);
        break;
      case 11: readData(r, info); break;
      case 12: info.data_count = r.u32(); break;
    }
    if (r.ok() && !r.atEnd()) r.fail("section size mismatch");
    if (!r.ok()) {
      error = r.error() + " in section " + std::to_string(id);
      return std::nullopt;
    }
  }
  if (!module.ok()) {
    error = module.error();
    return std::nullopt;
  }
  if ((has_function_section ? defined_functions : 0) != info.bodies.size()) {
    error = "function and code section have inconsistent lengths";
    return std::nullopt;
  }
  if (info.data_count && *info.data_count != info.data_segments.size()) {
    error = "data count and data section have inconsistent lengths";
    return std::nullopt;
  }
  return info;
}

}  // namespace lunaticc
