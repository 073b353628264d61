// Functions of upstream Lunatic 0.13's ABI that this runtime does not provide yet: TLS,
// modules compiled at run time, cluster certificates. A module that imports them still
// compiles and runs, since most programs link far more than they call. A call answers what
// upstream answers when it fails, where it has such an answer (an error id, a result code);
// otherwise it ends the calling process with a message naming the function.
//
// One list says all of it; the host function of each entry is made from the entry by a
// template, with the entry's Wasm signature (lunatic_functions.def) turned into C parameter
// and result types.
#include <array>
#include <string>
#include <type_traits>
#include <utility>

#include "runtime/api/api.h"

namespace lunatic::rt::api {
namespace {

enum class Answer : uint8_t {
  Fail,     // the process fails: upstream has no failure result, or the call needs an id
            // (a TLS stream) that nothing here can have made
  ErrorId,  // an error id through the parameter `error_param`, and `result`
  Result,   // `result` alone
};

struct NotProvided {
  const char* module;  // "lunatic::networking"
  const char* name;
  const char* missing;  // what this runtime lacks, for messages
  Answer answer = Answer::Fail;
  uint8_t error_param = 0;  // Answer::ErrorId: the parameter (0 = the first after the caller)
  int32_t result = 0;
};

constexpr const char* kTls = "TLS";

// X(module, name, missing[, answer, error_param, result]) for each function not provided;
// lunatic_functions.def has its signature.
#define LUNATIC_NOT_PROVIDED(X) \
  X(networking, tls_bind, kTls, Answer::ErrorId, 5, 1) \
  X(networking, tls_connect, kTls, Answer::ErrorId, 4, 1) \
  X(networking, drop_tls_listener, kTls) \
  X(networking, tls_local_addr, kTls) \
  X(networking, tls_accept, kTls) \
  X(networking, drop_tls_stream, kTls) \
  X(networking, clone_tls_stream, kTls) \
  X(networking, tls_write_vectored, kTls) \
  X(networking, tls_read, kTls) \
  X(networking, set_tls_read_timeout, kTls) \
  X(networking, set_tls_write_timeout, kTls) \
  X(networking, get_tls_read_timeout, kTls) \
  X(networking, get_tls_write_timeout, kTls) \
  X(networking, tls_flush, kTls) \
  X(message, push_tls_stream, kTls) \
  X(message, take_tls_stream, kTls) \
  /* Modules: compile_module refuses (programs are compiled ahead of time), so no process */ \
  /* has a module id to push, and no message carries one to take. */ \
  X(message, push_module, "modules compiled at run time") \
  X(message, take_module, "modules compiled at run time")

constexpr NotProvided kNotProvided[] = {
#define LUNATIC_DESCRIBE(module, name, ...) {"lunatic::" #module, #name, __VA_ARGS__},
    LUNATIC_NOT_PROVIDED(LUNATIC_DESCRIBE)
#undef LUNATIC_DESCRIBE
};

// Each function's index in kNotProvided.
enum NotProvidedIndex : size_t {
#define LUNATIC_INDEX(module, name, ...) module##_##name,
  LUNATIC_NOT_PROVIDED(LUNATIC_INDEX)
#undef LUNATIC_INDEX
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

template <typename T>
uint64_t bitsOf(T value) {
  if constexpr (std::is_integral_v<T>) return value;
  return 0;  // no entry takes a pointer or id as a float
}

// The host code of kNotProvided[index], of the signature of `Slot` (its host_code slot's type).
template <size_t index, typename Slot,
          typename = std::make_index_sequence<std::remove_cv_t<Slot>::kSignature.paramCount()>>
struct NotProvidedCall;

template <size_t index, typename Slot, size_t... param>
struct NotProvidedCall<index, Slot, std::index_sequence<param...>> {
  static constexpr auto signature = std::remove_cv_t<Slot>::kSignature;
  using Result = CType<signature.result()>;

  static Result call(lunatic_instance* self, CType<signature.text[param]>... values) {
    const uint64_t params[] = {bitsOf(values)..., 0};
    if constexpr (std::is_void_v<Result>) {
      answer(self, kNotProvided[index], params);
    } else {
      return Result(answer(self, kNotProvided[index], params));
    }
  }
};

}  // namespace
}  // namespace lunatic::rt::api

#define LUNATIC_NOT_PROVIDED_CODE(module, name, ...)                                           \
  LUNATIC_HOST_CODE(module, name,                                                               \
                    (api::NotProvidedCall<api::module##_##name,                                 \
                                          decltype(::lunatic::rt::host_code::module##_##name)>::call));
LUNATIC_NOT_PROVIDED(LUNATIC_NOT_PROVIDED_CODE)
