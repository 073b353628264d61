// The spec test driver: runs one script's commands against its compiled modules through the
// embedding API (runtime/include/lunatic/embed.h). run_spec.py generates, per script, a table
// of the modules' descriptors (spec_modules) and a command file this driver reads; the
// driver prints a line per failed command and one "RESULT passed failed" line at the end.
//
// Command file, one command per line, fields separated by spaces, strings hex-encoded:
//   module LINE INDEX NAME            INDEX into spec_modules, -1 if it did not compile
//   register LINE AS NAME
//   EXPECT LINE MODULE FIELD ARGS... ; RESULTS...     EXPECT: return, action, exhaustion,
//                                                     trap:HEXMESSAGE; "get" for globals
//   unlinkable LINE INDEX / uninstantiable LINE INDEX
// NAME and MODULE are "." for none. Values: i32:N i64:N f32:BITS f64:BITS (decimal),
// f32:nan:canonical, v128:LANETYPE:L0,L1,..., funcref:null|any, externref:null|N.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "lunatic/embed.h"

extern "C" const lunatic_module* const spec_modules[];
extern "C" const int spec_module_count;

namespace {

int passed = 0, failed = 0;
std::string script;

void fail(int line, const std::string& what) {
  ++failed;
  std::printf("FAIL %s:%d: %s\n", script.c_str(), line, what.c_str());
  std::fflush(stdout);
}

std::string unhex(const std::string& s) {
  std::string out;
  for (size_t i = 0; i + 1 < s.size(); i += 2) out += char(std::stoi(s.substr(i, 2), nullptr, 16));
  return out;
}

std::vector<std::string> split(const std::string& s, char by) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, by);) parts.push_back(part);
  return parts;
}

// --- spectest, the host module every script may import ---

void print_nothing(lunatic_instance*) {}
void print_i32(lunatic_instance*, uint32_t) {}
void print_i64(lunatic_instance*, uint64_t) {}
void print_f32(lunatic_instance*, float) {}
void print_f64(lunatic_instance*, double) {}
void print_i32_f32(lunatic_instance*, uint32_t, float) {}
void print_f64_f64(lunatic_instance*, double, double) {}
void ignore_values(lunatic_instance*, lunatic_value*) {}

void defineSpectest(lunatic_linker* linker, uint32_t memory_mode) {
  auto fn = [&](const char* name, const char* signature, const void* code) {
    lunatic_linker_define_func(linker, "spectest", name, signature, code, ignore_values);
  };
  fn("print", ":", reinterpret_cast<const void*>(print_nothing));
  fn("print_i32", "i:", reinterpret_cast<const void*>(print_i32));
  fn("print_i64", "I:", reinterpret_cast<const void*>(print_i64));
  fn("print_f32", "f:", reinterpret_cast<const void*>(print_f32));
  fn("print_f64", "F:", reinterpret_cast<const void*>(print_f64));
  fn("print_i32_f32", "if:", reinterpret_cast<const void*>(print_i32_f32));
  fn("print_f64_f64", "FF:", reinterpret_cast<const void*>(print_f64_f64));
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

// --- values ---

void setValue(lunatic_value& v, const std::string& spec) {
  std::vector<std::string> p = split(spec, ':');
  v = {};
  const std::string& type = p[0];
  if (type == "i32" || type == "f32") {
    v.i32 = uint32_t(std::stoull(p[1]));
  } else if (type == "i64" || type == "f64") {
    v.i64 = std::stoull(p[1]);
  } else if (type == "v128") {
    std::vector<std::string> lanes = split(p[2], ',');
    size_t width = 16 / lanes.size();
    for (size_t i = 0; i < lanes.size(); ++i) {
      uint64_t lane = std::stoull(lanes[i]);
      std::memcpy(v.v128 + i * width, &lane, width);
    }
  } else if (type == "externref") {
    v.ref = p[1] == "null" ? nullptr : reinterpret_cast<void*>(uintptr_t(std::stoull(p[1]) + 1));
  } else {
    v.ref = nullptr;  // funcref arguments are always null in the suite
  }
}

bool nanMatches(uint64_t bits, const std::string& pattern, bool is64) {
  uint64_t exponent = is64 ? 0x7ff0000000000000ull : 0x7f800000u;
  uint64_t quiet = is64 ? 0x0008000000000000ull : 0x00400000u;
  uint64_t mantissa = is64 ? 0x000fffffffffffffull : 0x007fffffu;
  bool is_nan = (bits & exponent) == exponent && (bits & mantissa) != 0;
  if (!is_nan) return false;
  if (pattern == "canonical") return (bits & mantissa) == quiet;
  return (bits & quiet) != 0;  // arithmetic
}

bool valueMatches(const lunatic_value& v, const std::string& spec) {
  std::vector<std::string> p = split(spec, ':');
  const std::string& type = p[0];
  if (type == "i32") return v.i32 == uint32_t(std::stoull(p[1]));
  if (type == "i64") return v.i64 == std::stoull(p[1]);
  if (type == "f32") return p[1] == "nan" ? nanMatches(v.i32, p[2], false) : v.i32 == uint32_t(std::stoull(p[1]));
  if (type == "f64") return p[1] == "nan" ? nanMatches(v.i64, p[2], true) : v.i64 == std::stoull(p[1]);
  if (type == "externref") {
    return p[1] == "null" ? v.ref == nullptr : v.ref == reinterpret_cast<void*>(uintptr_t(std::stoull(p[1]) + 1));
  }
  if (type == "funcref") return p[1] == "null" ? v.ref == nullptr : v.ref != nullptr;
  if (type == "v128") {
    const std::string& lane_type = p[1];
    std::vector<std::string> lanes = split(spec.substr(spec.find(':', 5) + 1), ',');
    size_t width = 16 / lanes.size();
    for (size_t i = 0; i < lanes.size(); ++i) {
      uint64_t actual = 0;
      std::memcpy(&actual, v.v128 + i * width, width);
      if (lanes[i].rfind("nan", 0) == 0) {
        if (!nanMatches(actual, lanes[i].substr(4), lane_type == "f64")) return false;
      } else {
        uint64_t expected = std::stoull(lanes[i]);
        if (width < 8) expected &= (uint64_t(1) << (width * 8)) - 1;
        if (actual != expected) return false;
      }
    }
    return true;
  }
  return false;
}

struct Run {
  lunatic_linker* linker;
  std::map<std::string, lunatic_instance*> named;
  lunatic_instance* current = nullptr;
  uint32_t memory_mode;

  lunatic_instance* instance(const std::string& name) {
    if (name == ".") return current;
    auto it = named.find(name);
    return it == named.end() ? nullptr : it->second;
  }

  void module(int line, int index, const std::string& name) {
    current = nullptr;
    if (index < 0) return fail(line, "module did not compile");
    lunatic_error error = {};
    lunatic_instance* inst = nullptr;
    lunatic_status status = lunatic_instantiate(linker, spec_modules[index], &inst, &error);
    if (status != LUNATIC_OK) return fail(line, std::string("instantiation failed: ") + error.message);
    current = inst;
    if (name != ".") named[name] = inst;
    ++passed;
  }

  void expectLinkOrTrap(int line, int index, lunatic_status expected) {
    if (index < 0) return fail(line, "module did not compile");
    lunatic_error error = {};
    lunatic_instance* inst = nullptr;
    lunatic_status status = lunatic_instantiate(linker, spec_modules[index], &inst, &error);
    if (status == expected) {
      ++passed;
    } else {
      fail(line, std::string("instantiation gave status ") + std::to_string(status) + " " + error.message);
    }
  }

  void invoke(int line, const std::string& expect, const std::string& module, const std::string& field,
              const std::vector<std::string>& args, const std::vector<std::string>& results) {
    lunatic_instance* inst = instance(module);
    if (!inst) return fail(line, "no module instance");
    lunatic_value values[32] = {};
    lunatic_error error = {};
    if (expect == "get") {
      if (lunatic_get_global(inst, field.c_str(), &values[0], &error) != LUNATIC_OK) {
        return fail(line, error.message);
      }
    } else {
      for (size_t i = 0; i < args.size(); ++i) setValue(values[i], args[i]);
      lunatic_status status = lunatic_invoke(inst, field.c_str(), values, &error);
      if (expect.rfind("trap:", 0) == 0 || expect == "exhaustion") {
        std::string wanted = expect == "exhaustion" ? "call stack exhausted" : unhex(expect.substr(5));
        if (status != LUNATIC_ERROR_TRAP) return fail(line, "expected trap '" + wanted + "', got status " + std::to_string(status));
        std::string got = lunatic_trap_message(error.trap);
        if (got.compare(0, std::min<size_t>(10, wanted.size()), wanted, 0, std::min<size_t>(10, wanted.size())) != 0) {
          return fail(line, "expected trap '" + wanted + "', got '" + got + "'");
        }
        ++passed;
        return;
      }
      if (status != LUNATIC_OK) return fail(line, std::string("call failed: ") + error.message);
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (!valueMatches(values[i], results[i])) {
        char actual[80];
        std::snprintf(actual, sizeof actual, "%016" PRIx64 "%016" PRIx64, *(uint64_t*)(values[i].v128 + 8),
                      *(uint64_t*)values[i].v128);
        return fail(line, "result " + std::to_string(i) + " is 0x" + actual + ", expected " + results[i]);
      }
    }
    ++passed;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s COMMANDS SCRIPT [bounds]\n", argv[0]);
    return 2;
  }
  script = argv[2];
  Run run{lunatic_linker_new(), {}, nullptr,
          argc > 3 ? uint32_t(LUNATIC_MEMORY_BOUNDS_CHECKED) : uint32_t(LUNATIC_MEMORY_GUARD_PAGES)};
  defineSpectest(run.linker, run.memory_mode);
  std::ifstream commands(argv[1]);
  for (std::string text; std::getline(commands, text);) {
    std::vector<std::string> f = split(text, ' ');
    if (f.size() < 2) continue;
    int line = std::stoi(f[1]);
    const std::string& kind = f[0];
    if (kind == "module") {
      run.module(line, std::stoi(f[2]), f[3]);
    } else if (kind == "register") {
      lunatic_instance* inst = run.instance(f[3]);
      if (!inst) {
        fail(line, "register: no instance");
        continue;
      }
      lunatic_linker_register(run.linker, unhex(f[2]).c_str(), inst);
      ++passed;
    } else if (kind == "unlinkable") {
      run.expectLinkOrTrap(line, std::stoi(f[2]), LUNATIC_ERROR_LINK);
    } else if (kind == "uninstantiable") {
      run.expectLinkOrTrap(line, std::stoi(f[2]), LUNATIC_ERROR_TRAP);
    } else {
      std::vector<std::string> args, results;
      bool after = false;
      for (size_t i = 4; i < f.size(); ++i) {
        if (f[i] == ";") after = true;
        else (after ? results : args).push_back(f[i]);
      }
      run.invoke(line, kind, f[2], unhex(f[3]), args, results);
    }
  }
  std::printf("RESULT %d %d\n", passed, failed);
  return 0;
}
