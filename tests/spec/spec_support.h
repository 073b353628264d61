// Support code for the spec test drivers that tests/spec/run_spec.py generates, one per .wast
// script. A generated driver is a straight list of calls on spec::Run, one per command of
// the script, in script order; this header is everything those calls need. The
// implementation (spec_support.cpp) is compiled once and linked into every driver, so the
// generated files stay small and quick to compile.
//
// Output protocol, read back by run_spec.py (stdout, one line per command, flushed at once so
// that a crash loses nothing already decided):
//   P <index>              the command at <index> (its position in wast2json's list) passed
//   F <index> <message>    it failed
//   D                      the driver reached the end of the script
// A driver killed by a signal or a timeout is restarted by the runner with
//   --from <index> [--skip <i,j,...>]
// It then replays, silently, the module and register commands before <index> (except those
// listed in --skip, the ones that crashed) to rebuild the instances, and runs on from <index>.
#ifndef LUNATIC_SPEC_SUPPORT_H
#define LUNATIC_SPEC_SUPPORT_H

#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lunatic/embed.h"

namespace spec {

// How a float result (or a float lane of a v128 result) is checked.
enum class Nan : uint8_t { Exact, Canonical, Arithmetic };

// A command argument or an expected result, as the script writes it.
struct Value {
  char type = LUNATIC_TYPE_I32;  // a LUNATIC_TYPE_* code
  uint8_t lane_bytes = 0;        // v128: width of a lane in bytes (1, 2, 4, 8)
  bool float_lanes = false;      // v128: lanes are f32/f64 (so NaN patterns apply)
  bool any_non_null = false;     // reference results written as (ref.func) / (ref.extern)
  Nan nan[4] = {};               // scalars use nan[0]; float lanes one each
  lunatic_value bits = {};       // exact bits for arguments and exact results
};

Value i32(uint32_t v);
Value i64(uint64_t v);
Value f32(uint32_t bits);
Value f64(uint64_t bits);
Value f32_nan(Nan pattern);
Value f64_nan(Nan pattern);
// v128 from lanes in little-endian lane order. Float lanes take their NaN patterns too.
Value v128_int(uint8_t lane_bytes, std::initializer_list<uint64_t> lanes);
Value v128_float(uint8_t lane_bytes, std::initializer_list<uint64_t> lanes,
                 std::initializer_list<Nan> patterns);
Value ref_null(char type);
// Host externref N of the script. N + 1 is its pointer value, so that N = 0 is not null.
Value externref(uint64_t n);
Value ref_any(char type);  // any non-null reference of that type

// What an action does: call an export or read an exported global.
struct Action {
  const char* module;  // instance name ("$M"), or nullptr for the most recent module
  const char* field;
  bool is_get;
  std::vector<Value> args;
};

Action invoke(const char* module, const char* field, std::initializer_list<Value> args);
Action get(const char* module, const char* field);

class Run {
 public:
  // memory_mode is the mode the script's modules were compiled for; the spectest memory is
  // made in the same mode so modules can import it.
  Run(int argc, char** argv, const char* script, uint32_t memory_mode);
  ~Run();

  // One method per kind of command that the driver executes. assert_invalid and
  // assert_malformed never reach the driver: they are decided by running lunaticc.
  void module(int index, int line, const lunatic_module* module, const char* name);
  void module_not_compiled(int index, int line, const char* name, const char* why);
  void register_instance(int index, int line, const char* as, const char* name);
  void action(int index, int line, const Action& action);
  void assert_return(int index, int line, const Action& action, std::initializer_list<Value> expected);
  void assert_trap(int index, int line, const Action& action, const char* text);
  void assert_exhaustion(int index, int line, const Action& action, const char* text);
  void assert_unlinkable(int index, int line, const lunatic_module* module, const char* text);
  void assert_uninstantiable(int index, int line, const lunatic_module* module, const char* text);

  int finish();  // prints the end marker; the driver's exit status

 private:
  enum class Replay { Run, Quiet, Skip };
  Replay replay(int index, bool rebuilds_state) const;
  void pass(int index);
  void fail(int index, int line, const std::string& message);
  lunatic_instance* instance(const char* name) const;
  // Runs an action; returns the status and leaves the results in `values`.
  lunatic_status perform(const Action& action, std::vector<lunatic_value>& values,
                         lunatic_error& error, size_t expected_results, std::string& problem);
  void expect_trap(int index, int line, const Action& action, const char* text, uint32_t kind);

  const char* script_;
  lunatic_linker* linker_;
  lunatic_instance* current_ = nullptr;
  std::map<std::string, lunatic_instance*> named_;
  std::set<std::string> failed_names_;  // named modules that did not instantiate
  int from_ = 0;                        // --from: commands before it are replayed
  std::set<int> skip_;                  // --skip: crashed commands not to replay
};

}  // namespace spec

#endif  // LUNATIC_SPEC_SUPPORT_H
