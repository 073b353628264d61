# Building guest programs: C sources -> wasm32-wasi module (clang-19 and wasi-libc) ->
# native executable (lunaticc). Used by examples/ and tests/.
find_program(WASM_CC clang-19 REQUIRED)
set(WASI_SYSROOT /usr CACHE PATH "sysroot with wasi-libc for wasm32-wasi")

# lunatic_wasm_module(<name> SOURCES <c files> [CFLAGS <flags>])
#   produces ${CMAKE_CURRENT_BINARY_DIR}/<name>.wasm
function(lunatic_wasm_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;CFLAGS" ${ARGN})
  set(sources)
  foreach(source ${ARG_SOURCES})
    list(APPEND sources ${CMAKE_CURRENT_SOURCE_DIR}/${source})
  endforeach()
  add_custom_command(
    OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm
    COMMAND ${WASM_CC} --target=wasm32-wasi --sysroot=${WASI_SYSROOT} -O2 ${ARG_CFLAGS}
            ${sources} -o ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm
    DEPENDS ${sources}
    COMMENT "Compiling ${name}.wasm"
    VERBATIM)
endfunction()

# lunatic_native_program(<name> [WASM <module>] [FLAGS <lunaticc flags>])
#   compiles <module>.wasm (default <name>.wasm) with lunaticc into ${CMAKE_CURRENT_BINARY_DIR}/<name>
function(lunatic_native_program name)
  cmake_parse_arguments(ARG "" "WASM" "FLAGS" ${ARGN})
  if(NOT ARG_WASM)
    set(ARG_WASM ${name})
  endif()
  add_custom_command(
    OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${name}
    COMMAND $<TARGET_FILE:lunaticc> ${ARG_FLAGS} ${CMAKE_CURRENT_BINARY_DIR}/${ARG_WASM}.wasm
            -o ${CMAKE_CURRENT_BINARY_DIR}/${name}
    DEPENDS lunaticc lunatic_runtime lunatic_main ${CMAKE_CURRENT_BINARY_DIR}/${ARG_WASM}.wasm
    COMMENT "Compiling ${name} with lunaticc"
    VERBATIM)
  add_custom_target(${name}-program ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${name})
endfunction()
