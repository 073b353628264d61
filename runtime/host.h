// Host functions that guests import, in one table used both by the embedding linker
// (embed.h) and by processes, which resolve their imports once per module.
//
// The table is made from the ABI's lists, runtime/include/lunatic/lunatic_functions.def and
// wasi_functions.def, which alone name each function and give its Wasm signature. For each
// entry this header declares a slot, host_code::<module>_<name> (wasi_snapshot_preview1_<name>
// for WASI), that the file implementing the function defines with LUNATIC_HOST_CODE. So the
// build fails if a function is missing or provided twice (at link time: the slot is
// undefined or defined twice), if an implementation's C types do not fit its signature, or if
// a file provides a function the lists do not have (both at compile time).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>

#include "lunatic/abi.h"

namespace lunatic::rt {

struct HostFunction {
  const char* module;
  const char* name;
  const char* signature;  // abi.h signature string, e.g. "ii:i"
  const void* code;       // R code(lunatic_instance* caller, P...)
};

// Every host function: the table made from the two .def files.
std::span<const HostFunction> hostFunctions();

// Null if no host function has that module and name.
const HostFunction* findHostFunction(std::string_view module, std::string_view name);

// An abi.h signature string as a template argument.
template <size_t N>
struct Signature {
  char text[N];
  consteval Signature(const char (&signature)[N]) { std::copy_n(signature, N, text); }
  consteval size_t paramCount() const { return std::string_view(text).find(':'); }
  consteval char result() const { return text[paramCount() + 1]; }  // '\0': none
};

// Whether the C type T carries the Wasm type `code` ('\0': no result) in the native calling
// convention generated code uses: same size and class, signedness free. bool and narrower
// integers do not: only their low bits would be defined.
template <typename T>
consteval bool carries(char code) {
  if constexpr (std::is_void_v<T>) {
    return code == '\0';
  } else {
    constexpr bool integer = (std::is_integral_v<T> || std::is_enum_v<T>) && !std::is_same_v<T, bool>;
    switch (code) {
      case 'i': return integer && sizeof(T) == 4;
      case 'I': return integer && sizeof(T) == 8;
      case 'f': return std::is_same_v<T, float>;
      case 'F': return std::is_same_v<T, double>;
      default: return false;
    }
  }
}

// The code of a host function of signature `signature`, checked against it when made.
template <Signature signature>
struct HostCode {
  static constexpr auto kSignature = signature;
  template <typename R, typename... P>
  HostCode(R (*function)(lunatic_instance*, P...)) : code(reinterpret_cast<const void*>(function)) {
    static_assert(sizeof...(P) == signature.paramCount(), "a host function's parameters differ from its signature");
    static_assert(carries<R>(signature.result()), "a host function's result type differs from its signature");
    static_assert(checkParams<P...>(std::make_index_sequence<sizeof...(P)>()),
                  "a host function's parameter types differ from its signature");
  }
  const void* code;

 private:
  template <typename... P, size_t... i>
  static consteval bool checkParams(std::index_sequence<i...>) {
    return (carries<P>(signature.text[i]) && ...);
  }
};

namespace host_code {
#define LUNATIC_HOST_FUNCTION(module, name, signature) extern const HostCode<signature> module##_##name;
#include "lunatic/lunatic_functions.def"
#undef LUNATIC_HOST_FUNCTION
#define LUNATIC_WASI_FUNCTION(name, signature) extern const HostCode<signature> wasi_snapshot_preview1_##name;
#include "lunatic/wasi_functions.def"
#undef LUNATIC_WASI_FUNCTION
}  // namespace host_code

}  // namespace lunatic::rt

// Makes `function` the code of host function `name` of `module` (lunatic::<module>, or
// wasi_snapshot_preview1). Write it at file scope, outside any namespace, with `function`
// qualified from lunatic::rt (api::send_after).
#define LUNATIC_HOST_CODE(module, name, function) \
  const decltype(::lunatic::rt::host_code::module##_##name) lunatic::rt::host_code::module##_##name{&function}
