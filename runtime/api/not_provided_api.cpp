// Functions of upstream Lunatic 0.13's ABI that this runtime does not provide yet: TLS,
// SQLite, modules compiled at run time, cluster certificates. A module that imports them still
// compiles and runs, since most programs link far more than they call. A call answers what
// upstream answers when it fails, where it has such an answer (an error id, a result code);
// otherwise it ends the calling process with a message naming the function.
//
// One table says all of it; the host function of each entry is made from the entry by a
// template, with the entry's Wasm signature turned into C parameter and result types.
#include <array>
#include <string>
#include <type_traits>
#include <utility>

#include "runtime/api/api.h"

namespace lunatic::rt::api {
namespace {

enum class Answer : uint8_t {
  Fail,     // the process fails: upstream has no failure result, or the call needs an id
            // (a TLS stream, an SQLite statement) that nothing here can have made
  ErrorId,  // an error id through the parameter `error_param`, and `result`
  Result,   // `result` alone
};

struct NotProvided {
  const char* module;
  const char* name;
  const char* signature;  // as in lunatic_functions.def
  const char* missing;    // what this runtime lacks, for messages
  Answer answer = Answer::Fail;
  uint8_t error_param = 0;  // Answer::ErrorId: the parameter (0 = the first after the caller)
  int32_t result = 0;
};

constexpr const char* kNet = "lunatic::networking";
constexpr const char* kTls = "TLS";
constexpr const char* kSqlite = "SQLite";

constexpr NotProvided kNotProvided[] = {
    // TLS. Without tls_bind, tls_connect or take_tls_stream no process holds a TLS listener
    // or stream, so every call that names one fails, as upstream's do on an unknown id.
    {kNet, "tls_bind", "iiiiiiiiii:i", kTls, Answer::ErrorId, 5, 1},
    {kNet, "tls_connect", "iiiIiii:i", kTls, Answer::ErrorId, 4, 1},
    {kNet, "drop_tls_listener", "I:", kTls},
    {kNet, "tls_local_addr", "Ii:i", kTls},
    {kNet, "tls_accept", "Iii:i", kTls},
    {kNet, "drop_tls_stream", "I:", kTls},
    {kNet, "clone_tls_stream", "I:I", kTls},
    {kNet, "tls_write_vectored", "Iiii:i", kTls},
    {kNet, "tls_read", "Iiii:i", kTls},
    {kNet, "set_tls_read_timeout", "II:", kTls},
    {kNet, "set_tls_write_timeout", "II:", kTls},
    {kNet, "get_tls_read_timeout", "I:I", kTls},
    {kNet, "get_tls_write_timeout", "I:I", kTls},
    {kNet, "tls_flush", "Ii:i", kTls},
    {"lunatic::message", "push_tls_stream", "I:I", kTls},
    {"lunatic::message", "take_tls_stream", "I:I", kTls},
    // Modules: compile_module refuses (programs are compiled ahead of time), so no process
    // has a module id to push, and no message carries one to take.
    {"lunatic::message", "push_module", "I:I", "modules compiled at run time"},
    {"lunatic::message", "take_module", "I:I", "modules compiled at run time"},
    // SQLite. Only open can fail softly; the rest need a connection or statement id.
    {"lunatic::sqlite", "open", "iii:I", kSqlite, Answer::ErrorId, 2, 1},
    {"lunatic::sqlite", "query_prepare", "Iii:I", kSqlite},
    {"lunatic::sqlite", "execute", "Iii:i", kSqlite},
    {"lunatic::sqlite", "bind_value", "Iii:", kSqlite},
    {"lunatic::sqlite", "sqlite3_changes", "I:i", kSqlite},
    {"lunatic::sqlite", "statement_reset", "I:", kSqlite},
    {"lunatic::sqlite", "last_error", "Ii:i", kSqlite},
    {"lunatic::sqlite", "sqlite3_finalize", "I:", kSqlite},
    {"lunatic::sqlite", "sqlite3_step", "I:i", kSqlite},
    {"lunatic::sqlite", "read_column", "Iii:i", kSqlite},
    {"lunatic::sqlite", "column_names", "Ii:i", kSqlite},
    {"lunatic::sqlite", "read_row", "Ii:i", kSqlite},
    {"lunatic::sqlite", "column_count", "I:i", kSqlite},
    {"lunatic::sqlite", "column_name", "Iii:i", kSqlite},
    // Certificates for the nodes of a cluster (made with rcgen upstream). sign_node answers
    // 0 for a signing request it cannot read.
    {"lunatic::distributed", "test_root_cert", "i:i", "cluster certificates"},
    {"lunatic::distributed", "default_server_certificates", "iiiii:i", "cluster certificates"},
    {"lunatic::distributed", "sign_node", "iiiiiii:i", "cluster certificates", Answer::Result, 0, 0},
};

// What a call of `entry` does, given its parameters as raw bits.
uint64_t answer(lunatic_instance* self, const NotProvided& entry, const uint64_t* params) {
  switch (entry.answer) {
    case Answer::Fail:
      break;
    case Answer::Result:
      callerOf(self);
      return uint64_t(int64_t(entry.result));
    case Answer::ErrorId: {
      Process& p = callerOf(self);
      uint64_t error = newError(p, std::string(entry.module) + "::" + entry.name +
                                       ": not provided by this runtime yet (" + entry.missing + ")");
      if (!GuestMemory(self).store64(uint32_t(params[entry.error_param]), error)) {
        p.ownResources().errors.erase(error);
        fail(self, entry.name, "the error id pointer is outside the process's memory");
      }
      return uint64_t(int64_t(entry.result));
    }
  }
  fail(self, entry.name, std::string("not provided by this runtime yet (") + entry.module + ", " + entry.missing + ")");
}

// The C type of a Wasm type code of a signature ('\0': no result).
template <char code>
using CType = std::conditional_t<
    code == 'i', uint32_t,
    std::conditional_t<code == 'I', uint64_t,
                       std::conditional_t<code == 'f', float, std::conditional_t<code == 'F', double, void>>>>;

constexpr size_t paramCount(const char* signature) {
  size_t n = 0;
  while (signature[n] != ':') ++n;
  return n;
}
constexpr char resultCode(const char* signature) { return signature[paramCount(signature) + 1]; }

template <typename T>
uint64_t bitsOf(T value) {
  if constexpr (std::is_integral_v<T>) return value;
  return 0;  // no entry takes a pointer or id as a float
}

template <size_t index, typename = std::make_index_sequence<paramCount(kNotProvided[index].signature)>>
struct HostCode;

template <size_t index, size_t... param>
struct HostCode<index, std::index_sequence<param...>> {
  static constexpr const NotProvided& entry = kNotProvided[index];
  using Result = CType<resultCode(entry.signature)>;

  static Result call(lunatic_instance* self, CType<entry.signature[param]>... values) {
    const uint64_t params[] = {bitsOf(values)..., 0};
    if constexpr (std::is_void_v<Result>) {
      answer(self, entry, params);
    } else {
      return Result(answer(self, entry, params));
    }
  }
};

template <size_t... index>
std::array<HostFunction, sizeof...(index)> hostFunctions(std::index_sequence<index...>) {
  return {host(kNotProvided[index].module, kNotProvided[index].name, kNotProvided[index].signature,
               &HostCode<index>::call)...};
}

}  // namespace

std::span<const HostFunction> notProvidedFunctions() {
  static const auto functions = hostFunctions(std::make_index_sequence<std::size(kNotProvided)>());
  return functions;
}

}  // namespace lunatic::rt::api
