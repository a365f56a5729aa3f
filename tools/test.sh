#!/usr/bin/env bash
# The project's whole test run, from a fresh Debian 12 machine:
#   1. installs what is missing (tools/setup.sh, apt),
#   2. builds the Release tree in build/ and runs every ctest test (each
#      suite loops over every SIMD target this CPU supports; the Python
#      binding, the C API, the install package and the CLI are tested too),
#   3. cross-builds for arm64 and runs the same suite under qemu for NEON,
#      SVE, SVE2, SVE_256 and SVE2_128 (.ci/arm64.sh),
#   4. reruns the suite under ASan + UBSan and under TSan (.ci/sanitizers.sh),
#   5. runs each libFuzzer harness for 60 s (.ci/fuzz.sh).
#   --quick   steps 1 and 2 only
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

start=$(date +%s)
step() { echo; echo "=== tools/test.sh: $1 ($(( $(date +%s) - start )) s)"; }

step "set-up"
tools/setup.sh
step "Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2
# The MPI test must have run, not been skipped for want of Open MPI.
if ! ctest --test-dir build -N -R '^cli_mpi$' | grep -q 'Total Tests: 1'; then
  echo "test.sh: cli_mpi is not registered (Open MPI missing? run tools/setup.sh)" >&2
  exit 1
fi

if ((!quick)); then
  step "arm64 under qemu"
  .ci/arm64.sh
  step "sanitizers"
  .ci/sanitizers.sh
  step "fuzzers"
  .ci/fuzz.sh 60
fi
step "all suites passed"
