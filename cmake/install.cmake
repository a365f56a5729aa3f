# `cmake --install`: the headers, the static libraries, the CMake package
# (find_package(phase_router) -> phase_router::phase_router) and a
# pkg-config file, plus the command-line tool and the Python module when they
# are built. Included at the end of the top-level CMakeLists.txt, after every
# target exists. tests/install_test.sh checks the result from outside.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PHASE_ROUTER_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/phase_router
    CACHE STRING "Where phase_routerConfig.cmake is installed (relative to the prefix)")

install(FILES
  ${PROJECT_SOURCE_DIR}/router/include/phase_router/analysis.h
  ${PROJECT_SOURCE_DIR}/router/include/phase_router/error.h
  ${PROJECT_SOURCE_DIR}/router/include/phase_router/moe.h
  ${PROJECT_SOURCE_DIR}/router/include/phase_router/phase_router.h
  ${PROJECT_SOURCE_DIR}/router/include/phase_router/phase_router_c.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/phase_router)

# phase_router is a static library that links the dispatch tables and the
# kernels privately: a static consumer needs all three (and Highway, OpenMP).
# They install under their own names; users link phase_router::phase_router
# alone and the package pulls in the rest.
install(TARGETS phase_router phase_router_dispatch phase_router_kernels
  EXPORT phase_routerTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT phase_routerTargets
  NAMESPACE phase_router::
  DESTINATION ${PHASE_ROUTER_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/phase_routerConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/phase_routerConfig.cmake
  INSTALL_DESTINATION ${PHASE_ROUTER_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/phase_routerConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/phase_routerConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/phase_routerConfigVersion.cmake
  DESTINATION ${PHASE_ROUTER_INSTALL_CMAKEDIR})

# pkg-config: the libraries are static, so Libs names everything a link
# needs (the three libraries in dependency order, Highway, OpenMP) and a
# plain `pkg-config --libs phase_router` is enough.
string(REPLACE ";" " " _pr_openmp_flags "${OpenMP_CXX_FLAGS}")
# Relocatable: the prefix is found from the .pc file's own place
# (${pcfiledir}), so `cmake --install --prefix ANY` needs no rewriting.
set(_pr_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${_pr_pc_dir}")
  set(_pr_pc_prefix "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _pr_pc_up "/prefix/${_pr_pc_dir}" "/prefix")
  set(_pr_pc_prefix "\${pcfiledir}/${_pr_pc_up}")
endif()
foreach(_pr_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_pr_dir}}")
    set(_pr_pc_${_pr_dir} "${CMAKE_INSTALL_${_pr_dir}}")
  else()
    set(_pr_pc_${_pr_dir} "\${prefix}/${CMAKE_INSTALL_${_pr_dir}}")
  endif()
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/phase_router.pc.in
               ${CMAKE_CURRENT_BINARY_DIR}/phase_router.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/phase_router.pc
  DESTINATION ${_pr_pc_dir})

if(TARGET phase_router_cli)
  install(TARGETS phase_router_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
if(TARGET phase_router_mpi)
  install(TARGETS phase_router_mpi RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
