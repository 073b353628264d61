// The host functions (runtime/host.h): every line of the ABI's lists has its
// lunatic_host_function, defined once, with the code set and the list's signature. This file
// refers to every one, so a function the runtime lacks fails its link, as it would fail the
// link of any executable whose module imports it.
#include <doctest/doctest.h>

#include <string_view>

#include "runtime/host.h"

using namespace lunatic::rt;

namespace {

struct Listed {
  std::string_view name;
  std::string_view signature;
  const lunatic_host_function& defined;
};

constexpr std::string_view kWasi = "wasi_snapshot_preview1";

const Listed kListed[] = {
#define LUNATIC_HOST_FUNCTION(module, name, signature) {#module "." #name, signature, host_code::module##_##name},
#include "lunatic/lunatic_functions.def"
#undef LUNATIC_HOST_FUNCTION
#define LUNATIC_WASI_FUNCTION(name, signature) \
  {"wasi_snapshot_preview1." #name, signature, host_code::wasi_snapshot_preview1_##name},
#include "lunatic/wasi_functions.def"
#undef LUNATIC_WASI_FUNCTION
};

}  // namespace

TEST_CASE("every listed host function is defined with its signature") {
  size_t wasi = 0;
  for (const Listed& f : kListed) {
    CAPTURE(f.name);
    CHECK(f.defined.code != nullptr);
    REQUIRE(f.defined.signature != nullptr);
    CHECK(std::string_view(f.defined.signature) == f.signature);
    wasi += f.name.starts_with(kWasi);
  }
  CHECK(std::size(kListed) - wasi >= 140);  // upstream Lunatic 0.13's functions, and ours
  CHECK(wasi == 46);                        // wasi_snapshot_preview1's functions
}
