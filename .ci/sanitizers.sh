#!/usr/bin/env bash
# The whole ctest suite under the sanitizers (docs/reliability.md):
#   1. ASan + UBSan, g++, build-asan/ (RelWithDebInfo; any report aborts),
#   2. TSan, clang + LLVM's libomp, build-tsan/ (RelWithDebInfo): the OpenMP
#      row bands run on 2 to 8 threads (OMP_NUM_THREADS=3 for the calls that
#      take OpenMP's default), next to std::threads with Routers of their own.
# Exits non-zero on any sanitizer report or failed test. Excluded:
#   install_package (both): it installs the library and builds a consumer
#     project without sanitizer flags, which cannot link an instrumented
#     static library; it is a packaging test, run by tools/test.sh.
#   c_api_test (TSan only): it starts a thread with C11 thrd_create, which
#     TSan 14 does not intercept (the thread has no TSan state and crashes in
#     __tsan_func_entry); ASan + UBSan runs it.
# About 10 to 15 minutes from scratch on 2 cores, mostly compiling; reruns
# reuse the build trees. JOBS=N overrides the -j2.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${JOBS:-2}
start=$(date +%s)
common=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHASE_ROUTER_BUILD_BENCH=OFF
        -DPHASE_ROUTER_WERROR=ON)

# A sanitizer build whose runtime is missing would pass vacuously: check.
# (Captured first: with pipefail, grep -q closing the pipe early fails nm.)
require_symbol() {  # require_symbol BINARY SYMBOL
  local symbols
  symbols=$(nm "$1" 2>/dev/null || true)
  if ! grep -q "$2" <<<"$symbols"; then
    echo "sanitizers.sh: $1 lacks $2: not a sanitizer build" >&2
    exit 1
  fi
}

echo "== ASan + UBSan (g++) in build-asan/"
t0=$(date +%s)
cmake -S . -B build-asan "${common[@]}" -DPHASE_ROUTER_SANITIZE=address
cmake --build build-asan -j"$jobs"
require_symbol build-asan/bin/reliability_test __asan_init
require_symbol build-asan/bin/reliability_test __ubsan_handle
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -E '^install_package$'
echo "== ASan + UBSan passed in $(($(date +%s) - t0)) s"

echo "== TSan (clang + libomp) in build-tsan/"
t0=$(date +%s)
CC=clang CXX=clang++ cmake -S . -B build-tsan "${common[@]}" \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DPHASE_ROUTER_SANITIZE=thread
cmake --build build-tsan -j"$jobs"
require_symbol build-tsan/bin/reliability_test __tsan_init
libraries=$(ldd build-tsan/bin/reliability_test)
if ! grep -q 'libomp\.so' <<<"$libraries"; then
  echo "sanitizers.sh: the TSan build does not use LLVM's libomp" >&2
  exit 1
fi
# libomp's own code is not instrumented; its barriers and tasks reach TSan
# through libarcher (LLVM's OMPT tool, loaded by libomp), and TSan must not
# report accesses inside the uninstrumented runtime itself.
TSAN_OPTIONS="ignore_noninstrumented_modules=1 halt_on_error=1 second_deadlock_stack=1" \
OMP_NUM_THREADS=3 \
  ctest --test-dir build-tsan --output-on-failure -j"$jobs" \
    -E '^(install_package|c_api_test)$'
echo "== TSan passed in $(($(date +%s) - t0)) s"

echo "sanitizers.sh: ASan + UBSan and TSan suites passed in $(($(date +%s) - start)) s"
