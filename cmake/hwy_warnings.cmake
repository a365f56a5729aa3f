# Warnings in the SIMD bodies. Highway's headers live in a system directory,
# and foreach_target.h (a system header) re-includes every -inl.h once per
# target, so GCC and Clang treated all those passes as system code and
# -Wall -Wextra (-Werror) never reached them: only the static target's pass
# warned, and it compiles no SIMD code here (SCALAR/EMU128 are skipped).
# The build therefore reaches Highway through a symlink in the build tree,
# a plain (not system) include directory that comes first: the headers are
# the same files, but each target's pass of our -inl.h files is checked.
# tests/simd_warnings_test.sh plants a warning and counts one per target.
#
# PHASE_ROUTER_HWY_INCLUDE: that directory (empty when Highway's headers
# were not found, and the build then includes them as system headers).
set(PHASE_ROUTER_HWY_INCLUDE "")
get_target_property(_pr_hwy_dirs hwy::hwy INTERFACE_INCLUDE_DIRECTORIES)
if(NOT _pr_hwy_dirs)
  set(_pr_hwy_dirs "")
endif()
find_path(_pr_hwy_root hwy/foreach_target.h
  HINTS ${_pr_hwy_dirs} ${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES}
  NO_CACHE)
if(_pr_hwy_root)
  set(PHASE_ROUTER_HWY_INCLUDE "${CMAKE_BINARY_DIR}/hwy_include")
  file(MAKE_DIRECTORY "${PHASE_ROUTER_HWY_INCLUDE}")
  file(CREATE_LINK "${_pr_hwy_root}/hwy" "${PHASE_ROUTER_HWY_INCLUDE}/hwy" SYMBOLIC)
  message(STATUS "Highway headers for warnings: ${PHASE_ROUTER_HWY_INCLUDE}/hwy -> ${_pr_hwy_root}/hwy")
else()
  message(WARNING "Highway's foreach_target.h not found: the SIMD bodies are compiled "
                  "as system code and their warnings are not reported")
endif()

# Gives `target` the non-system Highway include directory, ahead of any other.
function(phase_router_warn_simd target)
  if(PHASE_ROUTER_HWY_INCLUDE)
    target_include_directories(${target} BEFORE PRIVATE "${PHASE_ROUTER_HWY_INCLUDE}")
  endif()
endfunction()
