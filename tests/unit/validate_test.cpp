// The validator's operand and control stacks (compiler/validate.h), on function bodies
// written byte by byte: what a valid body leaves, and the first problem of an invalid one.
#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "compiler/frontend/module_info.h"
#include "compiler/frontend/validate.h"

namespace {

constexpr uint8_t i32 = LUNATIC_TYPE_I32, i64 = LUNATIC_TYPE_I64, f32 = LUNATIC_TYPE_F32;

// One function of type params -> results whose body (locals, then code) is `body`, in a
// module with one memory, plus any further types the body's blocks name.
struct OneFunction {
  std::vector<uint8_t> body;
  lunaticc::ModuleInfo info;
  OneFunction(std::vector<uint8_t> params, std::vector<uint8_t> results, std::initializer_list<uint8_t> code,
              std::vector<lunaticc::FuncType> more_types = {})
      : body(code) {
    info.types.push_back({std::move(params), std::move(results)});
    for (auto& t : more_types) info.types.push_back(std::move(t));
    info.function_types = {0};
    info.memories.push_back({});
    info.bodies = {body};
  }
  std::string validate(lunaticc::CodeEdits* edits = nullptr) const { return lunaticc::validateModule(info, edits); }
};

std::string validate(std::vector<uint8_t> params, std::vector<uint8_t> results, std::initializer_list<uint8_t> code) {
  return OneFunction(std::move(params), std::move(results), code).validate();
}

}  // namespace

TEST_CASE("validator: well-typed bodies pass") {
  CHECK(validate({}, {}, {0x00, 0x0b}) == "");
  // (i32.add (local.get 0) (local.get 1))
  CHECK(validate({i32, i32}, {i32}, {0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b}) == "");
  // i64.const 5; i64.const 7; i64.mul; i64.eqz -> i32
  CHECK(validate({}, {i32}, {0x00, 0x42, 0x05, 0x42, 0x07, 0x7e, 0x50, 0x0b}) == "");
  // a declared local: 1 x f32; local.get 0 -> f32
  CHECK(validate({}, {f32}, {0x01, 0x01, 0x7d, 0x20, 0x00, 0x0b}) == "");
  // i32.load offset=0 align=2 of address 0
  CHECK(validate({}, {i32}, {0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x0b}) == "");
}

TEST_CASE("validator: operand stack underflow and leftover values") {
  CHECK(validate({}, {}, {0x00, 0x6a, 0x0b}) == "type mismatch: operand stack underflow at byte 2 in function 0");
  CHECK(validate({}, {}, {0x00, 0x41, 0x01, 0x0b}).starts_with("type mismatch: values left on the stack"));
  CHECK(validate({}, {i32}, {0x00, 0x0b}).starts_with("type mismatch: operand stack underflow"));
}

TEST_CASE("validator: operand types must match the instruction") {
  // i32.add of an i64 and an i32
  CHECK(validate({}, {i32}, {0x00, 0x42, 0x01, 0x41, 0x01, 0x6a, 0x0b}).starts_with("type mismatch"));
  // a result of the wrong type
  CHECK(validate({}, {i32}, {0x00, 0x42, 0x01, 0x0b}).starts_with("type mismatch"));
  // local.set of an f32 into an i32 local
  CHECK(validate({i32}, {}, {0x00, 0x43, 0, 0, 0, 0, 0x21, 0x00, 0x0b}).starts_with("type mismatch"));
}

TEST_CASE("validator: unreachable code is typed with the bottom type") {
  // unreachable; i32.add: the operands are unknown, so any type does
  CHECK(validate({}, {i32}, {0x00, 0x00, 0x6a, 0x0b}) == "");
  // ...but a known operand of the wrong type after it is still wrong
  CHECK(validate({}, {i32}, {0x00, 0x00, 0x42, 0x01, 0x6a, 0x0b}).starts_with("type mismatch"));
  // br 0 leaves the rest of the block unreachable; its end still needs the block's results
  CHECK(validate({}, {i64}, {0x00, 0x42, 0x01, 0x0c, 0x00, 0x0b}) == "");
  // return makes the rest unreachable, whose values are then not "left on the stack" (they
  // never exist), but a typed mismatch still counts
  CHECK(validate({}, {i32}, {0x00, 0x41, 0x01, 0x0f, 0x6a, 0x0b}) == "");
}

TEST_CASE("validator: blocks, branches and labels") {
  // block (result i32) i32.const 1 end
  CHECK(validate({}, {i32}, {0x00, 0x02, 0x7f, 0x41, 0x01, 0x0b, 0x0b}) == "");
  // a block's values do not leak to the enclosing frame: block; i32.const 1; end
  CHECK(validate({}, {}, {0x00, 0x02, 0x40, 0x41, 0x01, 0x0b, 0x0b}).starts_with("type mismatch: values left"));
  // an inner block cannot pop its parent's operands
  CHECK(validate({}, {}, {0x00, 0x41, 0x01, 0x02, 0x40, 0x1a, 0x0b, 0x1a, 0x0b})
            .starts_with("type mismatch: operand stack underflow"));
  // br to a depth that does not exist
  CHECK(validate({}, {}, {0x00, 0x0c, 0x01, 0x0b}).starts_with("unknown label"));
  // br_if needs an i32 condition
  CHECK(validate({}, {}, {0x00, 0x42, 0x00, 0x0d, 0x00, 0x0b}).starts_with("type mismatch"));
  // an if without else must have equal params and results
  CHECK(validate({i32}, {i32}, {0x00, 0x20, 0x00, 0x04, 0x7f, 0x41, 0x01, 0x0b, 0x0b})
            .starts_with("type mismatch: if without else"));
  // else outside an if
  CHECK(validate({}, {}, {0x00, 0x02, 0x40, 0x05, 0x0b, 0x0b}).starts_with("else without if"));
}

TEST_CASE("validator: block types name types by index, checked") {
  CHECK(validate({}, {}, {0x00, 0x02, 0x05, 0x0b, 0x0b}).starts_with("unknown type"));
  CHECK(validate({}, {}, {0x00, 0x02, 0x50, 0x0b, 0x0b}).starts_with("malformed block type"));
  // A type index far beyond the 33-bit range is too long, not a huge index.
  CHECK(validate({}, {}, {0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0b, 0x0b})
            .starts_with("integer representation too long"));
}

TEST_CASE("validator: blocks with parameters are recorded for the Binaryen rewrite") {
  // type 1: [i32] -> [i32]; (i32.const 1) block (type 1) i32.const 2 i32.add end
  OneFunction f({}, {i32}, {0x00, 0x41, 0x01, 0x02, 0x01, 0x41, 0x02, 0x6a, 0x0b, 0x0b}, {{{i32}, {i32}}});
  lunaticc::CodeEdits edits;
  CHECK(f.validate(&edits) == "");
  REQUIRE(edits.edits.size() == 1);
  CHECK(edits.edits[0].kind == lunaticc::CodeEdit::Kind::EnterParamBlock);
  CHECK(edits.edits[0].opcode == 0x02);
  CHECK(edits.edits[0].immediates[0] == 1);
  CHECK(edits.edits[0].begin == 3);  // within the body, the block opcode after i32.const 1
  CHECK(edits.edits[0].end == 5);
  REQUIRE(edits.locals.size() == 1);
  CHECK(edits.locals[0].code_start == 1);
  CHECK(edits.unsupported.empty());

  // The block's parameter must be on the stack when it starts.
  OneFunction missing({}, {i32}, {0x00, 0x02, 0x01, 0x0b, 0x0b}, {{{i32}, {i32}}});
  CHECK(missing.validate().starts_with("type mismatch: operand stack underflow"));
}

TEST_CASE("validator: br_table to a loop with parameters is flagged as unsupported") {
  // type 1: [i32] -> []; i32.const 0; loop (type 1) i32.const 0; br_table 0 0 end
  OneFunction f({}, {}, {0x00, 0x41, 0x00, 0x03, 0x01, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x00, 0x0b, 0x0b},
                {{{i32}, {}}});
  lunaticc::CodeEdits edits;
  CHECK(f.validate(&edits) == "");
  CHECK(edits.unsupported == "br_table to a loop with parameters");
}

TEST_CASE("validator: locals, memory and immediates") {
  CHECK(validate({}, {}, {0x00, 0x20, 0x00, 0x1a, 0x0b}).starts_with("unknown local"));
  // over-aligned load: align 3 for a 4-byte load
  CHECK(validate({}, {i32}, {0x00, 0x41, 0x00, 0x28, 0x03, 0x00, 0x0b})
            .starts_with("alignment must not be larger than natural"));
  // memory.size needs a zero byte
  CHECK(validate({}, {i32}, {0x00, 0x3f, 0x01, 0x0b}).starts_with("zero byte expected"));
  // call of a function that does not exist
  CHECK(validate({}, {}, {0x00, 0x10, 0x05, 0x0b}).starts_with("unknown function"));
  // a load without a memory
  OneFunction no_memory({}, {i32}, {0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x0b});
  no_memory.info.memories.clear();
  CHECK(no_memory.validate().starts_with("unknown memory 0"));
}

TEST_CASE("validator: hostile local counts and truncated bodies") {
  // 2^32-1 locals of i32 in one group: refused before anything is allocated
  CHECK(validate({}, {}, {0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b}).starts_with("too many locals"));
  // two groups that together overflow 32 bits
  CHECK(validate({}, {}, {0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b})
            .starts_with("too many locals"));
  CHECK(validate({}, {}, {0x01, 0xd1, 0x86, 0x03, 0x7f, 0x0b}) == "too many locals (more than 50000) at byte 5 in function 0");
  // a body that ends before its final `end`
  CHECK(validate({}, {}, {0x00, 0x02, 0x40, 0x0b}).starts_with("unexpected end of section or function"));
  // bytes after the final `end`
  CHECK(validate({}, {}, {0x00, 0x0b, 0x01}).starts_with("section size mismatch"));
  // an empty body, not even a locals count
  CHECK(validate({}, {}, {}).starts_with("unexpected end"));
}

TEST_CASE("validator: module-level limits") {
  OneFunction f({}, {}, {0x00, 0x0b});
  f.info.memories[0].limits = {65537, std::nullopt};
  CHECK(f.validate() == "memory size must be at most 65536 pages (4GiB)");
  f.info.memories[0].limits = {2, 1};
  CHECK(f.validate() == "size minimum must not be greater than maximum");
  f.info.memories[0].limits = {1, 1};
  f.info.memories.push_back({});
  CHECK(f.validate() == "multiple memories");
  f.info.memories.pop_back();
  f.info.function_types = {7};
  CHECK(f.validate() == "unknown type");
}
