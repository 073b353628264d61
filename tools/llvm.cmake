# LLVM and lld, as the compiler links them: the target `lunaticc_llvm`, which the passes and
# the compiler link instead of naming LLVM's own targets.
#
# By default from LLVM's static archives. Debian's LLVM is one shared library,
# libLLVM-19.so, with 347,000 relocations that the dynamic loader applies at every start of
# lunaticc-compile, touching some 8 MB of its pages: 9 ms of a 62 ms -O0 compile of a small
# module (docs/benchmarks.md, "The hello world executable"). Linked statically, only the
# pages a compilation runs are read; and linked as a position-dependent executable, for
# a position-independent one has as many relocations (LLVM's tables of pointers and
# vtables). lld links the result (GNU ld takes seconds for it).
# -DLUNATICC_STATIC_LLVM=OFF links the shared library instead.
find_package(LLVM 19.1 REQUIRED CONFIG)
find_package(LLD REQUIRED CONFIG HINTS ${LLVM_LIBRARY_DIR}/cmake/lld)
option(LUNATICC_STATIC_LLVM "Link LLVM and lld into lunaticc from their static archives" ON)

add_library(lunaticc_llvm INTERFACE)
target_include_directories(lunaticc_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS} ${LLD_INCLUDE_DIRS})
target_compile_definitions(lunaticc_llvm INTERFACE ${LLVM_DEFINITIONS_LIST})
if(LUNATICC_STATIC_LLVM)
  # What lunaticc uses of LLVM: the X86 back end, the optimisation pipeline, bitcode (the
  # module is cut into parts through it) and what lld needs. Each names its own
  # dependencies. lld's imported targets name the shared library, so its archives are linked
  # by their paths.
  llvm_map_components_to_libnames(llvm_archives
    AllTargetsCodeGens AllTargetsAsmParsers AllTargetsDescs AllTargetsInfos
    Passes BitReader BitWriter IRReader LTO Option)
  find_package(ZLIB REQUIRED)
  find_library(ZSTD_LIBRARY zstd REQUIRED)
  # Debian builds LLVM with Polly linked into its tools but ships no archive of Polly: its
  # LLVMExtensions names a Polly target whose archive is missing, and LLVM's LTO back end
  # (which lld carries) a function that nothing defines. lunaticc never runs LTO;
  # llvm_no_polly.cpp defines that function as an extension that adds nothing.
  set_target_properties(LLVMExtensions PROPERTIES INTERFACE_LINK_LIBRARIES LLVMSupport)
  add_library(lunaticc_llvm_no_polly STATIC ${CMAKE_CURRENT_LIST_DIR}/llvm_no_polly.cpp)
  target_include_directories(lunaticc_llvm_no_polly SYSTEM PRIVATE ${LLVM_INCLUDE_DIRS})
  target_link_libraries(lunaticc_llvm INTERFACE
    $<TARGET_FILE:lldELF> $<TARGET_FILE:lldCommon> ${llvm_archives} lunaticc_llvm_no_polly ZLIB::ZLIB ${ZSTD_LIBRARY})
  target_link_options(lunaticc_llvm INTERFACE -fuse-ld=lld -no-pie)
else()
  target_link_libraries(lunaticc_llvm INTERFACE LLVM lldELF lldCommon)
endif()
