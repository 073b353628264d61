// Rewriting a module so Binaryen 108 can read it (see binaryen_compat.h).
#include "binaryen_compat.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "wasm_reader.h"

namespace lunaticc {
namespace {

using Bytes = std::vector<char>;

void appendU32(Bytes& out, uint32_t value) {
  do {
    uint8_t b = value & 0x7f;
    value >>= 7;
    if (value) b |= 0x80;
    out.push_back(char(b));
  } while (value);
}

void append(Bytes& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void appendSection(Bytes& out, uint8_t id, const Bytes& payload) {
  out.push_back(char(id));
  appendU32(out, uint32_t(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
}

// A vector section with `extra` entries appended: the new count, the old entries, the new.
Bytes extendVector(std::span<const uint8_t> payload, uint32_t extra, const Bytes& entries) {
  WasmReader r(payload);
  uint32_t count = r.u32();
  Bytes out;
  appendU32(out, count + extra);
  append(out, payload.subspan(r.position()));
  out.insert(out.end(), entries.begin(), entries.end());
  return out;
}

uint8_t encodeType(uint8_t code) {
  switch (code) {
    case LUNATIC_TYPE_I32: return 0x7f;
    case LUNATIC_TYPE_FUNCREF: return 0x70;
    case LUNATIC_TYPE_EXTERNREF: return 0x6f;
  }
  return 0x7f;
}

// What each marker takes, as a function type.
std::vector<uint8_t> markerParams(const ModuleInfo& info, const TableOpMarker& marker) {
  if (marker.misc_opcode == 13) return {};
  if (marker.misc_opcode == 17) {
    return {LUNATIC_TYPE_I32, info.tables[marker.immediates[0]].elem_type, LUNATIC_TYPE_I32};
  }
  return {LUNATIC_TYPE_I32, LUNATIC_TYPE_I32, LUNATIC_TYPE_I32};
}

bool hasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

}  // namespace

std::vector<char> makeReadableByBinaryen(std::span<const uint8_t> original, ModuleInfo& info,
                                         const std::vector<TableInstruction>& table_instructions) {
  // One marker per distinct (instruction, immediates); one new type per distinct signature.
  const uint32_t first_marker = uint32_t(info.function_types.size());
  const uint32_t first_new_type = uint32_t(info.types.size());
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> marker_of;
  std::map<std::vector<uint8_t>, uint32_t> type_of;
  std::vector<uint32_t> marker_types;
  std::vector<uint32_t> call_targets;  // per table instruction
  for (const TableInstruction& ti : table_instructions) {
    auto key = std::make_tuple(ti.misc_opcode, ti.immediates[0], ti.immediates[1]);
    auto [it, added] = marker_of.emplace(key, first_marker + uint32_t(info.table_op_markers.size()));
    if (added) {
      TableOpMarker marker{it->second, ti.misc_opcode, {ti.immediates[0], ti.immediates[1]}};
      std::vector<uint8_t> params = markerParams(info, marker);
      auto [type, new_type] = type_of.emplace(params, first_new_type + uint32_t(type_of.size()));
      marker_types.push_back(type->second);
      info.table_op_markers.push_back(marker);
    }
    call_targets.push_back(it->second);
  }
  Bytes new_types, new_functions, new_bodies;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> types_in_order;
  for (auto& [params, index] : type_of) types_in_order.emplace_back(index, params);
  std::sort(types_in_order.begin(), types_in_order.end());
  for (auto& [index, params] : types_in_order) {
    new_types.push_back(char(0x60));
    appendU32(new_types, uint32_t(params.size()));
    for (uint8_t p : params) new_types.push_back(char(encodeType(p)));
    new_types.push_back(0);  // no results
  }
  for (uint32_t type : marker_types) {
    appendU32(new_functions, type);
    // A body that is never compiled: no locals, unreachable, end.
    for (char b : {3, 0, 0x00, 0x0b}) new_bodies.push_back(b);
  }
  const uint32_t markers = uint32_t(marker_types.size());

  bool rename_exports = false;
  for (const Export& e : info.exports) rename_exports |= hasNul(e.name);
  info.exports_renamed = rename_exports;

  Bytes out(original.begin(), original.begin() + 8);
  WasmReader module(original);
  module.take(8);
  while (!module.atEnd()) {
    uint8_t id = module.byte();
    std::span<const uint8_t> payload = module.take(module.u32());
    switch (id) {
      case 0: {
        WasmReader r(payload);
        if (r.name() == "name") appendSection(out, id, Bytes(payload.begin(), payload.end()));
        break;
      }
      case 1: appendSection(out, id, markers ? extendVector(payload, uint32_t(type_of.size()), new_types)
                                             : Bytes(payload.begin(), payload.end())); break;
      case 3: appendSection(out, id, markers ? extendVector(payload, markers, new_functions)
                                             : Bytes(payload.begin(), payload.end())); break;
      case 7: {
        if (!rename_exports) {
          appendSection(out, id, Bytes(payload.begin(), payload.end()));
          break;
        }
        Bytes exports;
        appendU32(exports, uint32_t(info.exports.size()));
        for (size_t i = 0; i < info.exports.size(); ++i) {
          const Export& e = info.exports[i];
          std::string name = hasNul(e.name) ? "lunatic.export." + std::to_string(i) : e.name;
          appendU32(exports, uint32_t(name.size()));
          exports.insert(exports.end(), name.begin(), name.end());
          exports.push_back(char(e.kind));
          appendU32(exports, e.index);
        }
        appendSection(out, id, exports);
        break;
      }
      case 10: {
        if (!markers) {
          appendSection(out, id, Bytes(payload.begin(), payload.end()));
          break;
        }
        Bytes code;
        appendU32(code, uint32_t(info.bodies.size()) + markers);
        size_t next = 0;  // next table instruction to replace
        for (uint32_t f = 0; f < info.bodies.size(); ++f) {
          std::span<const uint8_t> body = info.bodies[f];
          Bytes rewritten;
          size_t copied = 0;
          for (; next < table_instructions.size() && table_instructions[next].function == f; ++next) {
            const TableInstruction& ti = table_instructions[next];
            append(rewritten, body.subspan(copied, ti.begin - copied));
            rewritten.push_back(char(0x10));  // call
            appendU32(rewritten, call_targets[next]);
            copied = ti.end;
          }
          append(rewritten, body.subspan(copied));
          appendU32(code, uint32_t(rewritten.size()));
          code.insert(code.end(), rewritten.begin(), rewritten.end());
        }
        code.insert(code.end(), new_bodies.begin(), new_bodies.end());
        appendSection(out, id, code);
        break;
      }
      case 9:
        // Element segments reach the translator through ModuleInfo only, and Binaryen
        // refuses some valid encodings of them, so it never sees them.
        break;
      default: appendSection(out, id, Bytes(payload.begin(), payload.end()));
    }
  }
  return out;
}

}  // namespace lunaticc
