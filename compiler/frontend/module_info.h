// The module's structure, decoded straight from the binary by our own reader. It serves two
// ends: what Binaryen 108's C API does not expose (memory limits and import names, table
// element types, the start function, the exact contents of element and data segments), and
// a spec-exact check of the binary format before Binaryen sees it, since Binaryen accepts
// some malformed modules and ends the process on others.
//
// The reader checks every length against the buffer, so it is safe on hostile input.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <span>
#include <string>
#include <vector>

#include "lunatic/abi.h"

namespace lunaticc {

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
};

// A constant expression as Wasm 2.0 allows them (a single instruction before `end`).
struct ConstExpr {
  enum class Kind { I32, I64, F32, F64, V128, RefNull, RefFunc, GlobalGet };
  Kind kind = Kind::I32;
  uint64_t bits[2] = {0, 0};  // the value's bits, little-endian (V128 uses both)
  uint32_t index = 0;         // function index for RefFunc, global index for GlobalGet
  uint8_t ref_type = LUNATIC_TYPE_FUNCREF;  // for RefNull
};

struct Import {
  std::string module, name;
  lunatic_extern_kind kind = LUNATIC_EXTERN_FUNC;
  uint32_t index = 0;  // index within its kind's index space
};

struct Table {
  uint8_t elem_type = LUNATIC_TYPE_FUNCREF;
  Limits limits;
  bool imported = false;
};

struct Memory {
  Limits limits;  // in pages
  bool imported = false;
};

struct ElemSegment {
  enum class Mode { Active, Passive, Declarative };
  Mode mode = Mode::Passive;
  uint32_t table = 0;
  ConstExpr offset;  // for Active
  uint8_t elem_type = LUNATIC_TYPE_FUNCREF;
  std::vector<ConstExpr> items;  // RefFunc, RefNull or GlobalGet
};

struct DataSegment {
  bool active = false;
  uint32_t memory = 0;
  ConstExpr offset;  // for active
  std::span<const uint8_t> bytes;  // points into the buffer given to readModuleInfo
};

struct FuncType {
  std::vector<uint8_t> params, results;  // LUNATIC_TYPE_* codes
};

struct Global {
  uint8_t type = LUNATIC_TYPE_I32;
  bool is_mutable = false;
  bool imported = false;
  ConstExpr init;  // for defined globals
};

struct Export {
  std::string name;
  lunatic_extern_kind kind = LUNATIC_EXTERN_FUNC;
  uint32_t index = 0;
};

// A function that binaryen_compat.h appended to stand for a table instruction Binaryen 108
// cannot read. Each use of the instruction became a call to it; the translator lowers such
// calls to the runtime helper and never compiles the function itself.
struct TableOpMarker {
  uint32_t function_index = 0;  // in the rewritten module's function index space
  uint32_t misc_opcode = 0;     // 12 table.init, 13 elem.drop, 14 table.copy, 17 table.fill
  uint32_t immediates[2] = {0, 0};  // as encoded: init (elem, table), drop (elem),
                                    // copy (dst table, src table), fill (table)
};

struct ModuleInfo {
  std::vector<FuncType> types;
  std::vector<uint32_t> function_types;  // type index per function, imported first
  std::vector<Global> globals;           // imported first
  std::vector<Export> exports;
  std::vector<std::span<const uint8_t>> bodies;  // code section entries: locals, then code
  // The code section's contents (after its id and size): DWARF in a Wasm module gives code
  // addresses as offsets into it (compiler/debuginfo/).
  std::span<const uint8_t> code_section;
  // Custom sections whose name starts with ".debug_" (the guest's DWARF), by name.
  std::vector<std::pair<std::string, std::span<const uint8_t>>> debug_sections;
  std::optional<uint32_t> data_count;
  std::vector<Import> imports;
  std::vector<Table> tables;      // imported first
  std::vector<Memory> memories;   // imported first
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elem_segments;
  std::vector<DataSegment> data_segments;
  uint32_t num_imported_functions = 0;
  uint32_t num_imported_globals = 0;
  // Filled by makeReadableByBinaryen (binaryen_compat.h).
  std::vector<TableOpMarker> table_op_markers;
  // Export names Binaryen cannot hold (a NUL byte) were renamed in what it reads; the
  // names in `exports` above are always the real ones, in the same order.
  bool exports_renamed = false;
  bool imports_renamed = false;  // likewise for import module and field names
  // Whether the module has a "name" custom section: backtraces name functions from it.
  bool has_name_section = false;
};

// Decodes every section except the instructions of function bodies (validate.h checks
// those). Returns nullopt and sets `error` (one line) if the binary is malformed.
std::optional<ModuleInfo> readModuleInfo(std::span<const uint8_t> bytes, std::string& error);

}  // namespace lunaticc
