# Building guest programs: C sources -> wasm32-wasi module (clang-19 and wasi-libc), or a
# Rust source -> wasm32-wasi module (Debian's rustc and its wasm32-wasi std) -> native
# executable (lunaticc). Used by examples/ and tests/.
find_program(WASM_CC clang-19 REQUIRED)
set(WASI_SYSROOT /usr CACHE PATH "sysroot with wasi-libc for wasm32-wasi")
# Debian's rustc (tools/setup.sh), never a rustup one that PATH may find first without the
# wasm32-wasi std; it links with Debian's rust-lld (lld-14).
# Tests need them; without tests (LUNATICC_TESTS off), the Rust examples are left out when
# they are missing.
if(LUNATICC_TESTS)
  set(rust_required REQUIRED)
endif()
find_program(WASM_RUSTC rustc PATHS /usr/bin NO_DEFAULT_PATH ${rust_required})
find_program(WASM_RUST_LLD rust-lld PATHS /usr/bin NO_DEFAULT_PATH ${rust_required})
set(WASM_RUST_FOUND FALSE)
if(WASM_RUSTC AND WASM_RUST_LLD)
  set(WASM_RUST_FOUND TRUE)
endif()

# lunatic_wasm_module(<name> SOURCES <c files> [CFLAGS <flags>] [LDFLAGS <wasm-ld flags>])
#   produces ${CMAKE_CURRENT_BINARY_DIR}/<name>.wasm (rebuilt when a header it includes
#   changes, if it has a single source). Sources compile with -O2 and link without -O, in
#   separate steps: clang runs wasm-opt when it links with -O, and wasm-opt drops the name
#   section that backtraces, the process table and gdb name guest functions by.
function(lunatic_wasm_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;CFLAGS;LDFLAGS" ${ARGN})
  set(wasm ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  set(depfile)
  list(LENGTH ARG_SOURCES count)
  if(count EQUAL 1)  # clang writes one depfile per compiled source
    set(ARG_CFLAGS ${ARG_CFLAGS} -MD -MT ${wasm} -MF ${wasm}.d)
    set(depfile DEPFILE ${wasm}.d)
  endif()
  set(sources)
  set(objects)
  set(compiles)
  foreach(source ${ARG_SOURCES})
    get_filename_component(source ${source} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    get_filename_component(stem ${source} NAME_WE)
    set(object ${CMAKE_CURRENT_BINARY_DIR}/${name}.${stem}.o)
    list(APPEND sources ${source})
    list(APPEND objects ${object})
    list(APPEND compiles COMMAND ${WASM_CC} --target=wasm32-wasi --sysroot=${WASI_SYSROOT} -O2 ${ARG_CFLAGS}
                         -c ${source} -o ${object})
  endforeach()
  add_custom_command(
    OUTPUT ${wasm}
    ${compiles}
    COMMAND ${WASM_CC} --target=wasm32-wasi --sysroot=${WASI_SYSROOT} ${ARG_LDFLAGS} ${objects} -o ${wasm}
    DEPENDS ${sources}
    ${depfile}
    COMMENT "Compiling ${name}.wasm"
    VERBATIM)
endfunction()

# lunatic_rust_module(<name> SOURCE <file.rs> [RUSTFLAGS <flags>])
#   produces ${CMAKE_CURRENT_BINARY_DIR}/<name>.wasm: optimised (-O), edition 2021, warnings
#   are errors, no debug information (the name section stays, for backtraces)
function(lunatic_rust_module name)
  cmake_parse_arguments(ARG "" "SOURCE" "RUSTFLAGS" ${ARGN})
  get_filename_component(source ${ARG_SOURCE} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  set(wasm ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  add_custom_command(
    OUTPUT ${wasm} ${wasm}.d  # rustc's dep-info names both
    COMMAND ${WASM_RUSTC} --target wasm32-wasi --edition 2021 -O -D warnings
            -C strip=debuginfo -C linker=${WASM_RUST_LLD} ${ARG_RUSTFLAGS}
            --emit link=${wasm},dep-info=${wasm}.d ${source}
    DEPENDS ${source}
    DEPFILE ${wasm}.d
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    COMMENT "Compiling ${name}.wasm"
    VERBATIM)
endfunction()

# lunatic_native_program(<name> [WASM <module>] [FLAGS <lunaticc flags>] [DEPENDS <file>...] [MAY_FAIL])
#   compiles <module>.wasm (default <name>.wasm) with lunaticc into ${CMAKE_CURRENT_BINARY_DIR}/<name>
#   DEPENDS: files the flags name (the modules of --module), which the compile waits for.
#   MAY_FAIL: lunaticc refusing the module (say, for an import the runtime lacks) does not
#   fail the build; what lunaticc said goes to <name>.lunaticc.log, and <name> is then
#   missing, for the test that runs it to report.
function(lunatic_native_program name)
  cmake_parse_arguments(ARG "MAY_FAIL" "WASM" "FLAGS;DEPENDS" ${ARGN})
  if(NOT ARG_WASM)
    set(ARG_WASM ${name})
  endif()
  set(wasm ${CMAKE_CURRENT_BINARY_DIR}/${ARG_WASM}.wasm)
  set(program ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set(compile $<TARGET_FILE:lunaticc> ${ARG_FLAGS} ${wasm} -o ${program})
  if(ARG_MAY_FAIL)
    # The log is the output, so a refused module is tried again only when it or lunaticc
    # changes; a program left by an earlier build must not outlive a refusal.
    set(output ${program}.lunaticc.log)
    set(commands
      COMMAND ${CMAKE_COMMAND} -E rm -f ${program}
      COMMAND sh -c "\"$@\" >\"$0\" 2>&1 || echo \"lunaticc: exit status $?\" >>\"$0\""
              ${output} ${compile})
    set(byproducts BYPRODUCTS ${program})
  else()
    set(output ${program})
    set(commands COMMAND ${compile})
    set(byproducts)
  endif()
  add_custom_command(
    OUTPUT ${output}
    ${byproducts}
    ${commands}
    DEPENDS lunaticc lunaticc-compile lunatic_runtime lunatic_main lunatic_serve ${wasm} ${ARG_DEPENDS}
    COMMENT "Compiling ${name} with lunaticc"
    VERBATIM)
  add_custom_target(${name}-program ALL DEPENDS ${output})
endfunction()
