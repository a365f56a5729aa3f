# Sanitizer and fuzzing builds, included by the top-level CMakeLists.txt after
# its compile options and before any target exists, so the flags reach every
# target (library, kernels, tools, tests, benches).
#
#   -DPHASE_ROUTER_SANITIZE=address  ASan + UBSan, any report is fatal
#                                    (-fno-sanitize-recover=all); g++ or clang.
#   -DPHASE_ROUTER_SANITIZE=thread   TSan; clang only: it must link LLVM's
#                                    libomp, whose OpenMP barriers and tasks TSan
#                                    understands (through libarcher). libgomp is
#                                    not instrumented, so TSan would report its
#                                    barriers as races (false positives).
#   -DPHASE_ROUTER_FUZZ=ON           libFuzzer harnesses in tests/fuzz (clang):
#                                    every target gets fuzzer coverage
#                                    instrumentation, plus ASan + UBSan unless
#                                    PHASE_ROUTER_SANITIZE says otherwise.
#
# Use RelWithDebInfo (or the asan / tsan presets of CMakePresets.json): -O2
# keeps the suite fast and -g gives the reports line numbers. .ci/sanitizers.sh
# and .ci/fuzz.sh run them.
set(PHASE_ROUTER_SANITIZE "" CACHE STRING
    "Sanitizer build: address (ASan + UBSan) or thread (TSan); empty for none")
set_property(CACHE PHASE_ROUTER_SANITIZE PROPERTY STRINGS "" address thread)
option(PHASE_ROUTER_FUZZ "Build the libFuzzer harnesses of tests/fuzz (clang)" OFF)

set(_pr_is_clang FALSE)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(_pr_is_clang TRUE)
endif()

if(PHASE_ROUTER_FUZZ)
  if(NOT _pr_is_clang)
    message(FATAL_ERROR "PHASE_ROUTER_FUZZ=ON needs clang (libFuzzer); "
            "configure with -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  if(PHASE_ROUTER_SANITIZE STREQUAL "")
    set(PHASE_ROUTER_SANITIZE address CACHE STRING "" FORCE)
  endif()
  # Coverage for the fuzzer in every library; the harnesses themselves link
  # libFuzzer's main with -fsanitize=fuzzer (tests/fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=fuzzer-no-link)
endif()

if(PHASE_ROUTER_SANITIZE STREQUAL "address")
  set(_pr_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  add_compile_options(${_pr_sanitize_flags})
  add_link_options(${_pr_sanitize_flags})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12's -Wmaybe-uninitialized misfires on ASan-instrumented libstdc++
    # code (std::regex in tests/rng_test.cc); the sanitizer itself checks
    # what that warning guesses at.
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
  message(STATUS "phase_router: ASan + UBSan build (reports are fatal)")
elseif(PHASE_ROUTER_SANITIZE STREQUAL "thread")
  if(NOT _pr_is_clang)
    message(FATAL_ERROR "PHASE_ROUTER_SANITIZE=thread needs clang with LLVM's "
            "libomp (libomp-dev): g++'s libgomp is not TSan-instrumented and "
            "its barriers would be reported as data races. Configure with "
            "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  set(_pr_sanitize_flags -fsanitize=thread -fno-omit-frame-pointer)
  add_compile_options(${_pr_sanitize_flags})
  add_link_options(${_pr_sanitize_flags})
  message(STATUS "phase_router: TSan build (run with "
          "TSAN_OPTIONS=ignore_noninstrumented_modules=1, as .ci/sanitizers.sh does)")
elseif(NOT PHASE_ROUTER_SANITIZE STREQUAL "")
  message(FATAL_ERROR "PHASE_ROUTER_SANITIZE=${PHASE_ROUTER_SANITIZE}: "
          "expected address, thread or empty")
endif()
