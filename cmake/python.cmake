# Finds what the Python binding (python/) needs and defines the option
# PHASE_ROUTER_BUILD_PYTHON: ON by default where a Python 3 interpreter with
# its development files and pybind11 are found; OFF when cross-compiling (the
# host's Python could not load the module) and in sanitizer or fuzzing builds
# (an instrumented module needs its runtime preloaded into Python).
#
# The interpreter is Debian's /usr/bin/python3 unless -DPython_EXECUTABLE
# says otherwise: it is the one that sees Debian's python3-numpy,
# python3-pybind11 and python3-pytest (a pyenv python3 first on PATH does
# not).
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH
      "Python interpreter of the binding and its tests")
endif()

set(_pr_python_default OFF)
if(NOT CMAKE_CROSSCOMPILING AND "${PHASE_ROUTER_SANITIZE}" STREQUAL "" AND
   NOT PHASE_ROUTER_FUZZ)
  find_package(Python 3.8 COMPONENTS Interpreter Development.Module)
  if(Python_FOUND)
    # pybind11's CMake files ship with the Debian package (pybind11-dev) and
    # with the Python package (python3-pybind11); ask the latter where.
    execute_process(
      COMMAND ${Python_EXECUTABLE} -c "import pybind11; print(pybind11.get_cmake_dir())"
      OUTPUT_VARIABLE _pr_pybind11_dir OUTPUT_STRIP_TRAILING_WHITESPACE
      ERROR_QUIET)
    find_package(pybind11 2.6 CONFIG QUIET HINTS ${_pr_pybind11_dir})
    if(pybind11_FOUND)
      set(_pr_python_default ON)
    endif()
  endif()
endif()
option(PHASE_ROUTER_BUILD_PYTHON
       "Build the Python binding (python/; needs Python 3 and pybind11)"
       ${_pr_python_default})
if(PHASE_ROUTER_BUILD_PYTHON AND NOT pybind11_FOUND)
  message(FATAL_ERROR "PHASE_ROUTER_BUILD_PYTHON is ON but Python 3 "
          "(interpreter + development files) or pybind11 was not found: "
          "install pybind11-dev python3-dev (tools/setup.sh) or pass "
          "-DPHASE_ROUTER_BUILD_PYTHON=OFF")
endif()
if(NOT PHASE_ROUTER_BUILD_PYTHON)
  message(STATUS "Python binding: off")
endif()
