// Rewriting a module so Binaryen 108 can read it (see binaryen_compat.h).
#include "compiler/frontend/binaryen_compat.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "compiler/frontend/wasm_reader.h"
#include "lunatic/value_types.h"

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

void append(Bytes& out, std::span<const uint8_t> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }
void append(Bytes& out, const Bytes& bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

void appendSection(Bytes& out, uint8_t id, const Bytes& payload) {
  out.push_back(char(id));
  appendU32(out, uint32_t(payload.size()));
  append(out, payload);
}

// A vector section with `extra` entries appended: the new count, the old entries, the new.
Bytes extendVector(std::span<const uint8_t> payload, uint32_t extra, const Bytes& entries) {
  WasmReader r(payload);
  uint32_t count = r.u32();
  Bytes out;
  appendU32(out, count + extra);
  append(out, payload.subspan(r.position()));
  append(out, entries);
  return out;
}

bool hasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

void appendName(Bytes& out, const std::string& name) {
  appendU32(out, uint32_t(name.size()));
  out.insert(out.end(), name.begin(), name.end());
}

// The name section reduced to what Binaryen needs and can hold: function names. Names with
// a NUL byte are left out; a malformed section (which the spec says to ignore) gives none.
Bytes functionNamesOnly(std::span<const uint8_t> payload) {
  WasmReader r(payload);
  r.name();  // "name"
  while (r.ok() && !r.atEnd()) {
    uint8_t id = r.byte();
    std::span<const uint8_t> sub = r.take(r.u32());
    if (!r.ok() || id != 1) continue;
    WasmReader names(sub);
    std::vector<std::pair<uint32_t, std::string>> kept;
    for (uint32_t n = names.u32(), i = 0; i < n && names.ok(); ++i) {
      uint32_t index = names.u32();
      std::string name = names.name();
      if (names.ok() && !hasNul(name)) kept.emplace_back(index, std::move(name));
    }
    if (!names.ok()) return {};
    Bytes map;
    appendU32(map, uint32_t(kept.size()));
    for (auto& [index, name] : kept) {
      appendU32(map, index);
      appendName(map, name);
    }
    Bytes section;
    appendName(section, "name");
    section.push_back(1);
    appendU32(section, uint32_t(map.size()));
    append(section, map);
    return section;
  }
  return {};
}

// The import section with names Binaryen cannot hold replaced; ModuleInfo keeps the real ones.
Bytes importsWithoutNul(std::span<const uint8_t> payload) {
  WasmReader r(payload);
  Bytes out;
  uint32_t count = r.u32();
  appendU32(out, count);
  for (uint32_t i = 0; i < count; ++i) {
    std::string module = r.name(), name = r.name();
    appendName(out, hasNul(module) ? "lunatic.import." + std::to_string(i) : module);
    appendName(out, hasNul(name) ? "lunatic.import." + std::to_string(i) : name);
    size_t descriptor_start = r.position();
    uint8_t kind = r.byte();
    switch (kind) {
      case 0: r.u32(); break;
      case 1: r.byte(); [[fallthrough]];
      case 2: {
        uint8_t flags = r.byte();
        r.u32();
        if (flags & 1) r.u32();
        break;
      }
      case 3: r.byte(); r.byte(); break;
    }
    append(out, payload.subspan(descriptor_start, r.position() - descriptor_start));
  }
  return out;
}

// Function types appended after the module's own, so no existing index moves.
class NewTypes {
 public:
  explicit NewTypes(const ModuleInfo& info) : first_(uint32_t(info.types.size())) {}

  uint32_t index(const std::vector<uint8_t>& params, const std::vector<uint8_t>& results) {
    auto [it, added] = index_.emplace(std::make_pair(params, results), first_ + count_);
    if (added) {
      ++count_;
      encoded_.push_back(char(0x60));
      appendU32(encoded_, uint32_t(params.size()));
      for (uint8_t p : params) encoded_.push_back(char(lunatic::valueTypeByte(p)));
      appendU32(encoded_, uint32_t(results.size()));
      for (uint8_t r : results) encoded_.push_back(char(lunatic::valueTypeByte(r)));
    }
    return it->second;
  }
  uint32_t count() const { return count_; }
  const Bytes& encoded() const { return encoded_; }

 private:
  uint32_t first_;
  uint32_t count_ = 0;
  std::map<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>, uint32_t> index_;
  Bytes encoded_;
};

// Rewrites the function bodies, given the edits the validator recorded.
class CodeRewriter {
 public:
  CodeRewriter(ModuleInfo& info, const CodeEdits& edits, NewTypes& types)
      : info_(info), edits_(edits), types_(types) {}

  // Appends a marker per distinct table instruction; returns their function indices.
  void planMarkers() {
    const uint32_t first_marker = uint32_t(info_.function_types.size());
    for (const CodeEdit& edit : edits_.edits) {
      if (edit.kind != CodeEdit::Kind::TableInstruction) continue;
      auto key = std::make_tuple(edit.opcode, edit.immediates[0], edit.immediates[1]);
      auto [it, added] = marker_of_.emplace(key, first_marker + uint32_t(info_.table_op_markers.size()));
      if (!added) continue;
      TableOpMarker marker{it->second, edit.opcode, {edit.immediates[0], edit.immediates[1]}};
      std::vector<uint8_t> params;
      if (edit.opcode == 17) {
        params = {LUNATIC_TYPE_I32, info_.tables[edit.immediates[0]].elem_type, LUNATIC_TYPE_I32};
      } else if (edit.opcode != 13) {
        params = {LUNATIC_TYPE_I32, LUNATIC_TYPE_I32, LUNATIC_TYPE_I32};
      }
      appendU32(marker_functions_, types_.index(params, {}));
      // A body that is never compiled: no locals, unreachable, end.
      for (char b : {3, 0, 0x00, 0x0b}) marker_bodies_.push_back(b);
      info_.table_op_markers.push_back(marker);
    }
  }

  uint32_t markerCount() const { return uint32_t(info_.table_op_markers.size()); }
  const Bytes& markerFunctions() const { return marker_functions_; }

  Bytes codeSection() {
    Bytes code;
    appendU32(code, uint32_t(info_.bodies.size()) + markerCount());
    size_t next = 0;
    for (uint32_t f = 0; f < info_.bodies.size(); ++f) {
      size_t first = next;
      while (next < edits_.edits.size() && edits_.edits[next].function == f) ++next;
      Bytes body = rewriteBody(f, first, next);
      appendU32(code, uint32_t(body.size()));
      append(code, body);
    }
    append(code, marker_bodies_);
    return code;
  }

 private:
  struct ParamBlock {
    uint32_t first_local = 0;
    std::vector<uint8_t> params;
  };

  void localSet(Bytes& out, uint32_t local) { out.push_back(0x21); appendU32(out, local); }
  void localGet(Bytes& out, uint32_t local) { out.push_back(0x20); appendU32(out, local); }
  void storeParams(Bytes& out, const ParamBlock& b) {
    for (size_t i = b.params.size(); i-- > 0;) localSet(out, b.first_local + uint32_t(i));
  }
  void loadParams(Bytes& out, const ParamBlock& b) {
    for (size_t i = 0; i < b.params.size(); ++i) localGet(out, b.first_local + uint32_t(i));
  }

  Bytes rewriteBody(uint32_t function, size_t first_edit, size_t end_edit) {
    std::span<const uint8_t> body = info_.bodies[function];
    if (first_edit == end_edit) return Bytes(body.begin(), body.end());

    // Blocks with parameters get fresh locals for them, plus one scratch i32 for
    // conditions, all appended after the function's own locals.
    std::vector<ParamBlock> blocks;
    Bytes out;
    size_t copied = 0;
    auto layout = std::find_if(edits_.locals.begin(), edits_.locals.end(),
                               [&](const CodeEdits::Locals& l) { return l.function == function; });
    uint32_t scratch = 0;
    if (layout != edits_.locals.end()) {
      uint32_t next_local = layout->count;
      for (size_t i = first_edit; i < end_edit; ++i) {
        const CodeEdit& edit = edits_.edits[i];
        if (edit.kind != CodeEdit::Kind::EnterParamBlock) continue;
        ParamBlock b{next_local, info_.types[edit.immediates[0]].params};
        next_local += uint32_t(b.params.size());
        blocks.push_back(std::move(b));
      }
      scratch = next_local;
      // Re-encode the locals: the old groups, then one group per new local.
      WasmReader r(body);
      uint32_t groups = r.u32();
      size_t groups_start = r.position();
      uint32_t added = scratch - layout->count + 1;
      appendU32(out, groups + added);
      append(out, body.subspan(groups_start, layout->code_start - groups_start));
      for (const ParamBlock& b : blocks) {
        for (uint8_t t : b.params) {
          out.push_back(1);
          out.push_back(char(lunatic::valueTypeByte(t)));
        }
      }
      out.push_back(1);
      out.push_back(char(lunatic::valueTypeByte(LUNATIC_TYPE_I32)));
      copied = layout->code_start;
    }

    for (size_t i = first_edit; i < end_edit; ++i) {
      const CodeEdit& edit = edits_.edits[i];
      append(out, body.subspan(copied, edit.begin - copied));
      copied = edit.end;
      switch (edit.kind) {
        case CodeEdit::Kind::TableInstruction: {
          out.push_back(0x10);  // call the marker
          appendU32(out, marker_of_.at(std::make_tuple(edit.opcode, edit.immediates[0], edit.immediates[1])));
          break;
        }
        case CodeEdit::Kind::EnterParamBlock: {
          const ParamBlock& b = blocks[edit.block];
          if (edit.opcode == 0x04) localSet(out, scratch);
          storeParams(out, b);
          if (edit.opcode == 0x04) localGet(out, scratch);
          out.push_back(char(edit.opcode));
          const std::vector<uint8_t>& results = info_.types[edit.immediates[0]].results;
          if (results.empty()) {
            out.push_back(0x40);
          } else if (results.size() == 1) {
            out.push_back(char(lunatic::valueTypeByte(results[0])));
          } else {
            appendU32(out, types_.index({}, results));
          }
          loadParams(out, b);
          break;
        }
        case CodeEdit::Kind::ElseOfParamIf:
          out.push_back(0x05);
          loadParams(out, blocks[edit.block]);
          break;
        case CodeEdit::Kind::EndOfParamIf:
          out.push_back(0x05);
          loadParams(out, blocks[edit.block]);
          out.push_back(0x0b);
          break;
        case CodeEdit::Kind::BranchToParamLoop:
          storeParams(out, blocks[edit.block]);
          out.push_back(0x0c);
          appendU32(out, edit.immediates[0]);
          break;
        case CodeEdit::Kind::BranchIfToParamLoop: {
          // Taken, the loop reloads the values from its locals; not taken, they stay.
          const ParamBlock& b = blocks[edit.block];
          localSet(out, scratch);
          storeParams(out, b);
          loadParams(out, b);
          localGet(out, scratch);
          out.push_back(0x0d);
          appendU32(out, edit.immediates[0]);
          break;
        }
      }
    }
    append(out, body.subspan(copied));
    return out;
  }

  ModuleInfo& info_;
  const CodeEdits& edits_;
  NewTypes& types_;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> marker_of_;
  Bytes marker_functions_, marker_bodies_;
};

}  // namespace

std::vector<char> makeReadableByBinaryen(std::span<const uint8_t> original, ModuleInfo& info,
                                         const CodeEdits& edits) {
  NewTypes new_types(info);
  CodeRewriter rewriter(info, edits, new_types);
  rewriter.planMarkers();
  // Rewrite the code first: it may add types (multi-value block results).
  Bytes code = edits.edits.empty() ? Bytes() : rewriter.codeSection();

  bool rename_exports = false;
  for (const Export& e : info.exports) rename_exports |= hasNul(e.name);
  info.exports_renamed = rename_exports;
  bool rename_imports = false;
  for (const Import& i : info.imports) rename_imports |= hasNul(i.module) || hasNul(i.name);
  info.imports_renamed = rename_imports;

  Bytes out(original.begin(), original.begin() + 8);
  WasmReader module(original);
  module.take(8);
  while (!module.atEnd()) {
    uint8_t id = module.byte();
    std::span<const uint8_t> payload = module.take(module.u32());
    Bytes verbatim(payload.begin(), payload.end());
    switch (id) {
      case 0:
        if (WasmReader(payload).name() == "name") {
          Bytes names = functionNamesOnly(payload);
          if (!names.empty()) appendSection(out, id, names);
        }
        break;
      case 1:
        appendSection(out, id, new_types.count() ? extendVector(payload, new_types.count(), new_types.encoded())
                                                 : verbatim);
        break;
      case 3:
        appendSection(out, id, rewriter.markerCount()
                                   ? extendVector(payload, rewriter.markerCount(), rewriter.markerFunctions())
                                   : verbatim);
        break;
      case 2: appendSection(out, id, rename_imports ? importsWithoutNul(payload) : verbatim); break;
      case 7: {
        if (!rename_exports) {
          appendSection(out, id, verbatim);
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
      case 9:
        // Element segments reach the translator through ModuleInfo only, and Binaryen
        // refuses some valid encodings of them, so it never sees them.
        break;
      case 10: appendSection(out, id, edits.edits.empty() ? verbatim : code); break;
      default: appendSection(out, id, verbatim);
    }
  }
  return out;
}

}  // namespace lunaticc
