// Host functions that guests import. Each is a lunatic_host_function (abi.h) of its own
// symbol, which a module's object refers to for each function it imports: an executable
// links the host functions its module uses and no others, and a process resolves its
// imports through those references once per module (process/module_image.cpp).
//
// The ABI's lists, runtime/include/lunatic/lunatic_functions.def and wasi_functions.def,
// alone name each function and give its Wasm signature. For each entry this header declares
// a slot, host_code::<module>_<name> (wasi_snapshot_preview1_<name> for WASI), under that
// symbol, and the file implementing the function defines it with LUNATIC_HOST_CODE. So a
// function provided twice fails the build at link time, an implementation whose C types do
// not fit its signature or that the lists do not have fails it at compile time, and a
// missing one fails the link of tests/unit/host_functions_test.cpp, which refers to every slot.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "lunatic/abi.h"

namespace lunatic::rt {

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

// A host function of signature `kSignature`, its C types checked against it when made.
template <Signature S>
struct HostCode : lunatic_host_function {
  static constexpr auto kSignature = S;
  template <typename R, typename... P>
  HostCode(R (*function)(lunatic_instance*, P...))
      : lunatic_host_function{reinterpret_cast<const void*>(function), kSignature.text} {
    static_assert(sizeof...(P) == kSignature.paramCount(), "a host function's parameters differ from its signature");
    static_assert(carries<R>(kSignature.result()), "a host function's result type differs from its signature");
    static_assert(checkParams<P...>(std::make_index_sequence<sizeof...(P)>()),
                  "a host function's parameter types differ from its signature");
  }

 private:
  template <typename... P, size_t... i>
  static consteval bool checkParams(std::index_sequence<i...>) {
    return (carries<P>(kSignature.text[i]) && ...);
  }
};

namespace host_code {
#define LUNATIC_HOST_FUNCTION(module, name, signature) \
  extern const HostCode<signature> module##_##name asm(LUNATIC_HOST_SYMBOL_PREFIX #module "_" #name);
#include "lunatic/lunatic_functions.def"
#undef LUNATIC_HOST_FUNCTION
#define LUNATIC_WASI_FUNCTION(name, signature)                  \
  extern const HostCode<signature> wasi_snapshot_preview1_##name \
      asm(LUNATIC_HOST_SYMBOL_PREFIX "wasi_snapshot_preview1_" #name);
#include "lunatic/wasi_functions.def"
#undef LUNATIC_WASI_FUNCTION
}  // namespace host_code

}  // namespace lunatic::rt

// Makes `function` the code of host function `name` of `module` (lunatic::<module>, or
// wasi_snapshot_preview1). Write it at file scope, outside any namespace, with `function`
// qualified from lunatic::rt (api::send_after).
#define LUNATIC_HOST_CODE(module, name, function) \
  const decltype(::lunatic::rt::host_code::module##_##name) lunatic::rt::host_code::module##_##name{&function}
