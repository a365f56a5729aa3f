#!/usr/bin/env bash
# The project's whole test run, from a fresh Debian 12 machine:
#   1. installs what is missing (tools/setup.sh, apt),
#   2. builds the Release tree in build/ and runs every ctest test on this
#      CPU's targets (each test loops over every supported SIMD target),
#   3. cross-builds for arm64 and runs the same suite under qemu for NEON
#      and SVE (.ci/arm64.sh).
# Pass --x86-only to skip step 3.
set -euo pipefail
cd "$(dirname "$0")/.."

arm64=1
[[ "${1:-}" == "--x86-only" ]] && arm64=0

start=$(date +%s)
tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2

if ((arm64)); then
  .ci/arm64.sh
fi
echo "tools/test.sh: all suites passed in $(( $(date +%s) - start )) s"
