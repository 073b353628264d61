# The targets lunaticc compiles for (--target, compiler/backend/targets.h): the host's, whose
# runtime this build compiles as it compiles lunaticc, and each of LUNATICC_CROSS_TARGETS,
# whose runtime a build of its own compiles with Debian's cross toolchain
# (tools/toolchains/<target>.cmake) into lib/lunaticc/<target>, where lunaticc finds it
# (backend/runtime_archives.cpp). By default aarch64-linux-gnu, when its toolchain is
# installed (tools/setup.sh --cross).
include(ExternalProject)

set(LUNATICC_HOST_TARGET ${CMAKE_SYSTEM_PROCESSOR}-linux-gnu)
set(default_cross_targets "")
if(NOT LUNATICC_HOST_TARGET STREQUAL "aarch64-linux-gnu")
  find_program(LUNATICC_AARCH64_CXX aarch64-linux-gnu-g++)
  if(LUNATICC_AARCH64_CXX)
    set(default_cross_targets aarch64-linux-gnu)
  else()
    message(STATUS "No aarch64-linux-gnu-g++: lunaticc will not cross-compile for aarch64 (tools/setup.sh --cross)")
  endif()
endif()
set(LUNATICC_CROSS_TARGETS "${default_cross_targets}" CACHE STRING
    "Targets besides the host's that lunaticc compiles for, each with a runtime cross-compiled for it")

set(LUNATICC_TARGETS_TEXT "${LUNATICC_HOST_TARGET} (default)")
foreach(target ${LUNATICC_CROSS_TARGETS})
  set(toolchain ${PROJECT_SOURCE_DIR}/tools/toolchains/${target}.cmake)
  if(NOT EXISTS ${toolchain})
    message(FATAL_ERROR "LUNATICC_CROSS_TARGETS: no toolchain file for ${target} (tools/toolchains/)")
  endif()
  string(APPEND LUNATICC_TARGETS_TEXT ", ${target}")
  set(archive_dir ${LUNATICC_RUNTIME_ARCHIVE_DIR}/${target})
  # Built every time the build is (a no-op when nothing changed), so that an edit of the
  # runtime reaches every target's archives.
  ExternalProject_Add(runtime_${target}
    SOURCE_DIR ${PROJECT_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/runtime-${target}
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${toolchain} -DLUNATICC_RUNTIME_ONLY=ON
               -DLUNATICC_RUNTIME_ARCHIVE_DIR=${archive_dir} -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
               -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
               -DCMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    BUILD_BYPRODUCTS ${archive_dir}/liblunatic_runtime.a ${archive_dir}/liblunatic_main.a
                     ${archive_dir}/liblunatic_serve.a)
  install(DIRECTORY ${archive_dir} DESTINATION ${LUNATICC_INSTALL_ARCHIVE_DIR})
endforeach()
