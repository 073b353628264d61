# Cross-compiling the runtime for aarch64 Linux with Debian's cross toolchain
# (g++-aarch64-linux-gnu) against its multiarch libraries (liburing-dev:arm64 and the like,
# in /usr/lib/aarch64-linux-gnu): tools/setup.sh --cross installs both. Used by the
# runtime's cross build (CMakeLists.txt, LUNATICC_CROSS_TARGETS).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# Only the target's libraries and headers; programs (the build's tools) are the host's.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
