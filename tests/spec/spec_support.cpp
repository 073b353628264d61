// The part of every spec test driver that does not depend on the script: the spectest host
// module, value construction and comparison, and one method per command kind. See
// spec_support.h for the protocol with run_spec.py.
#include "spec_support.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace spec {

namespace {

// --- The spectest module, as the reference interpreter defines it --------------------------
// The print functions print nothing: their output is not checked by any script, and keeping
// stdout to the protocol lines makes the runner simpler.
void print(lunatic_instance*) {}
void print_i32(lunatic_instance*, uint32_t) {}
void print_i64(lunatic_instance*, uint64_t) {}
void print_f32(lunatic_instance*, float) {}
void print_f64(lunatic_instance*, double) {}
void print_i32_f32(lunatic_instance*, uint32_t, float) {}
void print_f64_f64(lunatic_instance*, double, double) {}
// The array entry only has to leave the (empty) results, so one does for every print.
void print_array(lunatic_instance*, lunatic_value*) {}

void define_spectest(lunatic_linker* linker, uint32_t memory_mode) {
  struct Func {
    const char* name;
    const char* signature;
    const void* code;
  };
  const Func funcs[] = {
      {"print", ":", reinterpret_cast<const void*>(&print)},
      {"print_i32", "i:", reinterpret_cast<const void*>(&print_i32)},
      {"print_i64", "I:", reinterpret_cast<const void*>(&print_i64)},
      {"print_f32", "f:", reinterpret_cast<const void*>(&print_f32)},
      {"print_f64", "F:", reinterpret_cast<const void*>(&print_f64)},
      {"print_i32_f32", "if:", reinterpret_cast<const void*>(&print_i32_f32)},
      {"print_f64_f64", "FF:", reinterpret_cast<const void*>(&print_f64_f64)},
  };
  for (const Func& f : funcs) {
    lunatic_linker_define_func(linker, "spectest", f.name, f.signature, f.code, &print_array);
  }
  lunatic_value v = {};
  v.i32 = 666;
  lunatic_linker_define_global(linker, "spectest", "global_i32", LUNATIC_TYPE_I32, 0, v);
  v = {};
  v.i64 = 666;
  lunatic_linker_define_global(linker, "spectest", "global_i64", LUNATIC_TYPE_I64, 0, v);
  v = {};
  v.f32 = 666.6f;
  lunatic_linker_define_global(linker, "spectest", "global_f32", LUNATIC_TYPE_F32, 0, v);
  v = {};
  v.f64 = 666.6;
  lunatic_linker_define_global(linker, "spectest", "global_f64", LUNATIC_TYPE_F64, 0, v);
  lunatic_linker_define_table(linker, "spectest", "table", LUNATIC_TYPE_FUNCREF, 10, 20);
  lunatic_linker_define_memory(linker, "spectest", "memory", 1, 2, memory_mode);
}

// --- Comparing results ------------------------------------------------------------------

// A canonical NaN has only the quiet bit of the payload set; an arithmetic NaN has the quiet
// bit set and any payload. Either sign.
bool nan_matches(uint64_t bits, Nan pattern, bool is64) {
  const uint64_t exponent = is64 ? 0x7ff0000000000000ull : 0x7f800000ull;
  const uint64_t mantissa = is64 ? 0x000fffffffffffffull : 0x007fffffull;
  const uint64_t quiet = is64 ? 0x0008000000000000ull : 0x00400000ull;
  if ((bits & exponent) != exponent || (bits & mantissa) == 0) return false;
  return pattern == Nan::Canonical ? (bits & mantissa) == quiet : (bits & quiet) != 0;
}

uint64_t lane(const lunatic_value& v, unsigned index, unsigned bytes) {
  uint64_t out = 0;
  std::memcpy(&out, v.v128 + index * bytes, bytes);
  return out;
}

bool matches(const Value& expected, const lunatic_value& actual) {
  switch (expected.type) {
    case LUNATIC_TYPE_I32: return actual.i32 == expected.bits.i32;
    case LUNATIC_TYPE_I64: return actual.i64 == expected.bits.i64;
    case LUNATIC_TYPE_F32:
      if (expected.nan[0] != Nan::Exact) return nan_matches(actual.i32, expected.nan[0], false);
      return actual.i32 == expected.bits.i32;
    case LUNATIC_TYPE_F64:
      if (expected.nan[0] != Nan::Exact) return nan_matches(actual.i64, expected.nan[0], true);
      return actual.i64 == expected.bits.i64;
    case LUNATIC_TYPE_V128: {
      const unsigned bytes = expected.lane_bytes;
      for (unsigned i = 0; i < 16 / bytes; ++i) {
        const uint64_t got = lane(actual, i, bytes);
        if (expected.float_lanes && expected.nan[i] != Nan::Exact) {
          if (!nan_matches(got, expected.nan[i], bytes == 8)) return false;
        } else if (got != lane(expected.bits, i, bytes)) {
          return false;
        }
      }
      return true;
    }
    case LUNATIC_TYPE_FUNCREF:
    case LUNATIC_TYPE_EXTERNREF:
      if (expected.any_non_null) return actual.ref != nullptr;
      return actual.ref == expected.bits.ref;
  }
  return false;
}

const char* nan_name(Nan n) { return n == Nan::Canonical ? "nan:canonical" : "nan:arithmetic"; }

// Shows `v` as a value of `shape`'s type: the expected value, or an actual result read as
// the type the script expected.
std::string describe(const Value& shape, const lunatic_value& v, bool as_expected) {
  char text[256];
  switch (shape.type) {
    case LUNATIC_TYPE_I32:
      std::snprintf(text, sizeof text, "i32:0x%08" PRIx32 " (%" PRId32 ")", v.i32, int32_t(v.i32));
      return text;
    case LUNATIC_TYPE_I64:
      std::snprintf(text, sizeof text, "i64:0x%016" PRIx64 " (%" PRId64 ")", v.i64, int64_t(v.i64));
      return text;
    case LUNATIC_TYPE_F32:
      if (as_expected && shape.nan[0] != Nan::Exact) return std::string("f32:") + nan_name(shape.nan[0]);
      std::snprintf(text, sizeof text, "f32:0x%08" PRIx32 " (%.9g)", v.i32, double(v.f32));
      return text;
    case LUNATIC_TYPE_F64:
      if (as_expected && shape.nan[0] != Nan::Exact) return std::string("f64:") + nan_name(shape.nan[0]);
      std::snprintf(text, sizeof text, "f64:0x%016" PRIx64 " (%.17g)", v.i64, v.f64);
      return text;
    case LUNATIC_TYPE_V128: {
      const unsigned bytes = shape.lane_bytes;
      std::string out = "v128:";
      out += shape.float_lanes ? (bytes == 4 ? "f32x4" : "f64x2")
                               : (bytes == 1 ? "i8x16" : bytes == 2 ? "i16x8" : bytes == 4 ? "i32x4" : "i64x2");
      for (unsigned i = 0; i < 16 / bytes; ++i) {
        if (as_expected && shape.float_lanes && shape.nan[i] != Nan::Exact) {
          out += std::string(" ") + nan_name(shape.nan[i]);
          continue;
        }
        std::snprintf(text, sizeof text, " 0x%0*" PRIx64, int(bytes * 2), lane(v, i, bytes));
        out += text;
      }
      return out;
    }
    case LUNATIC_TYPE_FUNCREF:
    case LUNATIC_TYPE_EXTERNREF: {
      const char* type = shape.type == LUNATIC_TYPE_FUNCREF ? "funcref" : "externref";
      if (as_expected && shape.any_non_null) return std::string(type) + ":non-null";
      if (v.ref == nullptr) return std::string(type) + ":null";
      std::snprintf(text, sizeof text, "%s:%p", type, v.ref);
      return text;
    }
  }
  return "?";
}

// The number of parameters and results in a signature string "params:results".
void signature_arity(const char* signature, size_t& params, size_t& results) {
  const char* colon = std::strchr(signature, ':');
  params = colon ? size_t(colon - signature) : std::strlen(signature);
  results = colon ? std::strlen(colon + 1) : 0;
}

std::string status_name(lunatic_status status) {
  switch (status) {
    case LUNATIC_OK: return "ok";
    case LUNATIC_ERROR_LINK: return "link error";
    case LUNATIC_ERROR_TRAP: return "trap";
    case LUNATIC_ERROR_OTHER: return "error";
    case LUNATIC_EXITED: return "exited";
  }
  return "status " + std::to_string(int(status));
}

// What went wrong, for a failure message: the status and the runtime's own message.
std::string outcome(lunatic_status status, const lunatic_error& error) {
  std::string out = status_name(status);
  if (status == LUNATIC_ERROR_TRAP) return out + " '" + lunatic_trap_message(error.trap) + "'";
  if (status != LUNATIC_OK && error.message[0]) out += std::string(" (") + error.message + ")";
  return out;
}

// An export name for a message: quoted, with bytes outside printable ASCII escaped.
std::string shown(const char* name) {
  std::string out = "\"";
  for (const char* p = name; *p; ++p) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += char(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\%02x", c);
      out += escaped;
    }
  }
  return out + "\"";
}

// The reference interpreter accepts a trap when its message starts with the script's text.
// The runtime reports a fixed message per trap kind, without details the reference
// interpreter appends (such as the element index in "uninitialized element 2"), so a message
// that is the script's text up to such a detail is accepted as well.
bool trap_text_matches(std::string_view actual, std::string_view expected) {
  if (actual.substr(0, expected.size()) == expected) return true;
  return expected.size() > actual.size() && expected.substr(0, actual.size()) == actual &&
         expected[actual.size()] == ' ';
}

}  // namespace

// --- Values -------------------------------------------------------------------------------

Value i32(uint32_t v) {
  Value out;
  out.type = LUNATIC_TYPE_I32;
  out.bits.i32 = v;
  return out;
}

Value i64(uint64_t v) {
  Value out;
  out.type = LUNATIC_TYPE_I64;
  out.bits.i64 = v;
  return out;
}

Value f32(uint32_t bits) {
  Value out;
  out.type = LUNATIC_TYPE_F32;
  out.bits.i32 = bits;
  return out;
}

Value f64(uint64_t bits) {
  Value out;
  out.type = LUNATIC_TYPE_F64;
  out.bits.i64 = bits;
  return out;
}

Value f32_nan(Nan pattern) {
  Value out = f32(0);
  out.nan[0] = pattern;
  return out;
}

Value f64_nan(Nan pattern) {
  Value out = f64(0);
  out.nan[0] = pattern;
  return out;
}

Value v128_int(uint8_t lane_bytes, std::initializer_list<uint64_t> lanes) {
  Value out;
  out.type = LUNATIC_TYPE_V128;
  out.lane_bytes = lane_bytes;
  unsigned i = 0;
  for (uint64_t v : lanes) std::memcpy(out.bits.v128 + (i++) * lane_bytes, &v, lane_bytes);
  return out;
}

Value v128_float(uint8_t lane_bytes, std::initializer_list<uint64_t> lanes,
                 std::initializer_list<Nan> patterns) {
  Value out = v128_int(lane_bytes, lanes);
  out.float_lanes = true;
  unsigned i = 0;
  for (Nan n : patterns) out.nan[i++] = n;
  return out;
}

Value ref_null(char type) {
  Value out;
  out.type = type;
  out.bits.ref = nullptr;
  return out;
}

Value externref(uint64_t n) {
  Value out;
  out.type = LUNATIC_TYPE_EXTERNREF;
  out.bits.ref = reinterpret_cast<void*>(uintptr_t(n + 1));
  return out;
}

Value ref_any(char type) {
  Value out;
  out.type = type;
  out.any_non_null = true;
  return out;
}

Action invoke(const char* module, const char* field, std::initializer_list<Value> args) {
  return Action{module, field, false, std::vector<Value>(args)};
}

Action get(const char* module, const char* field) { return Action{module, field, true, {}}; }

// --- Running commands ---------------------------------------------------------------------

Run::Run(int argc, char** argv, const char* script, uint32_t memory_mode)
    : script_(script), linker_(lunatic_linker_new()) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--from") == 0) {
      from_ = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--skip") == 0) {
      for (const char* p = argv[i + 1]; *p;) {
        char* end;
        skip_.insert(int(std::strtol(p, &end, 10)));
        p = *end ? end + 1 : end;
      }
    }
  }
  define_spectest(linker_, memory_mode);
}

Run::~Run() { lunatic_linker_free(linker_); }

int Run::finish() {
  std::printf("D\n");
  std::fflush(stdout);
  return 0;
}

// Commands before --from have run already (in a driver that then crashed): modules and
// registrations are redone without output to rebuild the state; everything else is skipped.
Run::Replay Run::replay(int index, bool rebuilds_state) const {
  if (index >= from_) return Replay::Run;
  return rebuilds_state && !skip_.count(index) ? Replay::Quiet : Replay::Skip;
}

void Run::pass(int index) {
  std::printf("P %d\n", index);
  std::fflush(stdout);
}

void Run::fail(int index, int line, const std::string& message) {
  std::string one_line = message;
  for (char& c : one_line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::printf("F %d %s:%d: %s\n", index, script_, line, one_line.c_str());
  std::fflush(stdout);
}

lunatic_instance* Run::instance(const char* name) const {
  if (!name) return current_;
  auto it = named_.find(name);
  return it == named_.end() ? nullptr : it->second;
}

void Run::module(int index, int line, const lunatic_module* module, const char* name) {
  const Replay mode = replay(index, true);
  lunatic_instance* instance = nullptr;
  lunatic_error error = {};
  const lunatic_status status =
      mode == Replay::Skip ? LUNATIC_ERROR_OTHER : lunatic_instantiate(linker_, module, &instance, &error);
  // A module that does not instantiate leaves no current module: the commands that use it
  // fail rather than silently running against the previous one.
  current_ = status == LUNATIC_OK ? instance : nullptr;
  if (name) {
    if (current_) {
      named_[name] = current_;
    } else {
      named_.erase(name);
      failed_names_.insert(name);
    }
  }
  if (mode != Replay::Run) return;
  if (status == LUNATIC_OK) return pass(index);
  fail(index, line, "module did not instantiate: " + outcome(status, error));
}

void Run::module_not_compiled(int index, int line, const char* name, const char* why) {
  current_ = nullptr;
  if (name) {
    named_.erase(name);
    failed_names_.insert(name);
  }
  if (replay(index, true) != Replay::Run) return;
  fail(index, line, std::string("module did not compile: ") + why);
}

void Run::register_instance(int index, int line, const char* as, const char* name) {
  const Replay mode = replay(index, true);
  if (mode == Replay::Skip) return;
  lunatic_instance* target = instance(name);
  if (target) lunatic_linker_register(linker_, as, target);
  if (mode != Replay::Run) return;
  if (target) return pass(index);
  fail(index, line, std::string("register: no instance ") + (name ? name : "(current)") +
                        " (its module failed)");
}

lunatic_status Run::perform(const Action& action, std::vector<lunatic_value>& values,
                            lunatic_error& error, size_t expected_results, std::string& problem) {
  lunatic_instance* target = instance(action.module);
  if (!target) {
    problem = std::string("no instance ") + (action.module ? action.module : "(current)") +
              ": its module failed";
    return LUNATIC_ERROR_OTHER;
  }
  if (action.is_get) {
    values.assign(1, lunatic_value{});
    return lunatic_get_global(target, action.field, values.data(), &error);
  }
  size_t params = action.args.size(), results = expected_results;
  if (const char* signature = lunatic_export_signature(target, action.field)) {
    signature_arity(signature, params, results);
    // The arguments are passed as raw bits, so a type the export does not take would be
    // misread rather than refused: check the types against the signature first.
    std::string arg_types;
    for (const Value& arg : action.args) arg_types += arg.type;
    if (std::string_view(signature, params) != arg_types) {
      problem = "export " + shown(action.field) + " has signature \"" + signature +
                "\" but the script passes arguments of types \"" + arg_types + "\"";
      return LUNATIC_ERROR_OTHER;
    }
  }
  // lunatic_invoke needs room for max(params, results) values.
  values.assign(std::max({params, results, expected_results, size_t(1)}), lunatic_value{});
  for (size_t i = 0; i < action.args.size(); ++i) values[i] = action.args[i].bits;
  return lunatic_invoke(target, action.field, values.data(), &error);
}

void Run::action(int index, int line, const Action& action) {
  if (replay(index, false) != Replay::Run) return;
  std::vector<lunatic_value> values;
  lunatic_error error = {};
  std::string problem;
  const lunatic_status status = perform(action, values, error, 0, problem);
  if (!problem.empty()) return fail(index, line, problem);
  if (status == LUNATIC_OK) return pass(index);
  fail(index, line, shown(action.field) + ": " + outcome(status, error));
}

void Run::assert_return(int index, int line, const Action& action, std::initializer_list<Value> expected) {
  if (replay(index, false) != Replay::Run) return;
  std::vector<lunatic_value> values;
  lunatic_error error = {};
  std::string problem;
  const lunatic_status status = perform(action, values, error, expected.size(), problem);
  if (!problem.empty()) return fail(index, line, problem);
  if (status != LUNATIC_OK) {
    return fail(index, line, shown(action.field) + ": expected a result, got " + outcome(status, error));
  }
  if (!action.is_get) {
    const char* signature = lunatic_export_signature(instance(action.module), action.field);
    // Results are compared as bits; their types must match too (an i32 is not an f32).
    std::string result_types;
    for (const Value& want : expected) result_types += want.type;
    const char* colon = signature ? std::strchr(signature, ':') : nullptr;
    if (colon && std::string_view(colon + 1) != result_types) {
      return fail(index, line, shown(action.field) + ": has signature \"" + signature +
                                   "\", the script expects results of types \"" + result_types + "\"");
    }
  }
  size_t i = 0;
  for (const Value& want : expected) {
    if (!matches(want, values[i])) {
      return fail(index, line, shown(action.field) + ": result " + std::to_string(i) + " is " +
                                   describe(want, values[i], false) + ", expected " +
                                   describe(want, want.bits, true));
    }
    ++i;
  }
  pass(index);
}

void Run::expect_trap(int index, int line, const Action& action, const char* text, uint32_t kind) {
  if (replay(index, false) != Replay::Run) return;
  std::vector<lunatic_value> values;
  lunatic_error error = {};
  std::string problem;
  const lunatic_status status = perform(action, values, error, 0, problem);
  if (!problem.empty()) return fail(index, line, problem);
  if (status != LUNATIC_ERROR_TRAP) {
    return fail(index, line, shown(action.field) + ": expected trap '" + text + "', got " +
                                 outcome(status, error));
  }
  const char* message = lunatic_trap_message(error.trap);
  if (!trap_text_matches(message, text) || (kind && error.trap != kind)) {
    return fail(index, line, shown(action.field) + ": expected trap '" + text + "', got trap '" + message + "'");
  }
  pass(index);
}

void Run::assert_trap(int index, int line, const Action& action, const char* text) {
  expect_trap(index, line, action, text, 0);
}

// Exhaustion is checked by kind as well as by text: a guard-page fault reported as some other
// trap must not pass as a stack overflow.
void Run::assert_exhaustion(int index, int line, const Action& action, const char* text) {
  expect_trap(index, line, action, text, LUNATIC_TRAP_STACK_EXHAUSTED);
}

void Run::assert_unlinkable(int index, int line, const lunatic_module* module, const char* text) {
  if (replay(index, false) != Replay::Run) return;
  lunatic_instance* instance = nullptr;
  lunatic_error error = {};
  const lunatic_status status = lunatic_instantiate(linker_, module, &instance, &error);
  if (status == LUNATIC_ERROR_LINK) return pass(index);
  fail(index, line, std::string("expected link error '") + text + "', got " + outcome(status, error));
}

// A module whose initialisation or start function traps. Its effects on imported tables and
// memories stay (the runtime keeps the instance), but it does not become the current module.
// On a replay it is instantiated again, quietly, for those effects.
void Run::assert_uninstantiable(int index, int line, const lunatic_module* module, const char* text) {
  const Replay mode = replay(index, true);
  if (mode == Replay::Skip) return;
  lunatic_instance* instance = nullptr;
  lunatic_error error = {};
  const lunatic_status status = lunatic_instantiate(linker_, module, &instance, &error);
  if (mode != Replay::Run) return;
  if (status == LUNATIC_ERROR_TRAP && trap_text_matches(lunatic_trap_message(error.trap), text)) {
    return pass(index);
  }
  fail(index, line, std::string("expected instantiation to trap '") + text + "', got " + outcome(status, error));
}

}  // namespace spec
