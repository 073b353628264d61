# Building AssemblyScript guests with lunatic-as (this folder): entry .ts -> Wasm module (asc,
# with the package's asconfig.json) -> native executable (lunatic_native_program). Used by
# examples/assemblyscript, tests/assemblyscript and bench/processes.
#
# asc comes from this folder's node_modules, which tools/setup.sh installs from the lockfile
# (npm ci). Without it the modules are not built, and what runs them fails, saying so.
# Included by each folder that builds them: the variables below are the including folder's.

set(LUNATIC_AS_DIR ${PROJECT_SOURCE_DIR}/sdk/assemblyscript)
find_program(LUNATIC_NODE node)
set(LUNATIC_ASC ${LUNATIC_AS_DIR}/node_modules/assemblyscript/bin/asc.js)
set(LUNATIC_AS_FOUND FALSE)
if(LUNATIC_NODE AND EXISTS ${LUNATIC_ASC})
  set(LUNATIC_AS_FOUND TRUE)
else()
  message(WARNING "AssemblyScript guests are not built: run `npm ci` in sdk/assemblyscript "
                  "(tools/setup.sh does) for asc")
endif()

# Programs import the package as "lunatic-as", as they would from their own node_modules: a
# folder of packages holding it, which asc --path searches.
set(LUNATIC_AS_PACKAGES ${PROJECT_BINARY_DIR}/assemblyscript-packages)
file(MAKE_DIRECTORY ${LUNATIC_AS_PACKAGES})
file(CREATE_LINK ${LUNATIC_AS_DIR} ${LUNATIC_AS_PACKAGES}/lunatic-as SYMBOLIC)
file(GLOB LUNATIC_AS_SOURCES CONFIGURE_DEPENDS ${LUNATIC_AS_DIR}/*.ts ${LUNATIC_AS_DIR}/lunatic/*.ts)

# lunatic_as_module(<name> SOURCE <entry.ts> [DEPENDS <file>...] [ASCFLAGS <flags>])
#   produces ${CMAKE_CURRENT_BINARY_DIR}/<name>.wasm from <entry.ts> (relative to the current
#   source folder), which may import lunatic-as and files beside it (DEPENDS: those files)
function(lunatic_as_module name)
  cmake_parse_arguments(ARG "" "SOURCE" "DEPENDS;ASCFLAGS" ${ARGN})
  if(NOT LUNATIC_AS_FOUND)
    return()
  endif()
  get_filename_component(source ${ARG_SOURCE} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  set(wasm ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  add_custom_command(
    OUTPUT ${wasm}
    COMMAND ${LUNATIC_NODE} ${LUNATIC_ASC} ${source} --config ${LUNATIC_AS_DIR}/asconfig.json
            --path ${LUNATIC_AS_PACKAGES} ${ARG_ASCFLAGS} -o ${wasm}
    DEPENDS ${source} ${ARG_DEPENDS} ${LUNATIC_AS_SOURCES} ${LUNATIC_AS_DIR}/asconfig.json
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    COMMENT "Compiling ${name}.wasm (AssemblyScript)"
    VERBATIM)
endfunction()

# lunatic_as_program(<name> SOURCE <entry.ts> [DEPENDS ...] [ASCFLAGS ...] [FLAGS <lunaticc flags>])
#   lunatic_as_module, then lunaticc: the executable ${CMAKE_CURRENT_BINARY_DIR}/<name>
function(lunatic_as_program name)
  cmake_parse_arguments(ARG "" "SOURCE" "DEPENDS;ASCFLAGS;FLAGS" ${ARGN})
  if(NOT LUNATIC_AS_FOUND)
    return()
  endif()
  lunatic_as_module(${name} SOURCE ${ARG_SOURCE} DEPENDS ${ARG_DEPENDS} ASCFLAGS ${ARG_ASCFLAGS})
  lunatic_native_program(${name} FLAGS ${ARG_FLAGS})
endfunction()
