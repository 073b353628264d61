# Installing and packaging lunaticc: `cmake --install build --prefix P` gives P/bin/lunaticc
# (and lunaticc-compile), the runtime archives in P/lib/lunaticc, the runtime's headers in
# P/include/lunatic and the guest SDK in P/share/lunaticc/sdk; `cpack` (run in the build
# directory) makes a .deb and a .tar.gz of the same tree. The targets' own install rules are
# beside them (tools/, runtime/).
# (sdk/assemblyscript's node_modules is its development copy of the compiler: users install
# their own with npm, beside the package.)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sdk/ DESTINATION share/lunaticc/sdk
        PATTERN node_modules EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/abi.md
        DESTINATION share/doc/lunaticc)

set(CPACK_PACKAGE_NAME lunaticc)
set(CPACK_PACKAGE_VENDOR lunaticc)
set(CPACK_PACKAGE_CONTACT "lunaticc <lunaticc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Ahead-of-time compiler from WebAssembly to native executables that run Lunatic processes")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME ${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}-x86_64-linux-gnu)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# What lunaticc needs where it runs: lunaticc-compile loads Binaryen, zlib and zstd (LLVM
# and lld are linked in), and every executable it builds is linked against the C library's
# start files and libstdc++'s and libgcc's static archives (compiler/backend/link.cpp).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "binaryen (>= 108), zlib1g, libzstd1, libstdc++6, libc6-dev, libstdc++-12-dev, libgcc-12-dev")
include(CPack)
