// The one main() of the unit tests (tests/unit/CMakeLists.txt): doctest's own.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
