#!/usr/bin/env bash
# The arm64 part of the test run: cross-builds the whole project for aarch64
# with Debian's g++-aarch64-linux-gnu (cmake/aarch64-linux-gnu.cmake) into
# build-arm64/ and runs the complete ctest suite under qemu-aarch64 once per
# emulated CPU, so that each Highway target this build compiles is the chosen
# one in some run (the suites themselves loop over every supported target):
#   cortex-a72                        NEON only
#   max                               SVE2 (512-bit vectors), SVE, NEON
#   max,sve-default-vector-length=32  SVE_256 (if compiled), SVE2, SVE, NEON
#   max,sve-default-vector-length=16  SVE2_128 (if compiled), SVE2, SVE, NEON
# Idempotent; run from anywhere, as root or with sudo. Exits non-zero when
# anything fails, after running every CPU's suite.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
build="build-arm64"

tools/setup.sh --arm64
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake"
cmake --build "$build" -j2
build_done=$(date +%s)

unset PHASE_ROUTER_TARGET  # "chosen" below must be the CPU's best target
cli="$build/bin/phase-router"

# field LABEL TEXT: what follows "LABEL:" in a `phase-router targets` listing.
field() { sed -n "s/^$1: *//p" <<<"$2"; }

# The compiled targets, if the tool can list them (older trees could not).
compiled=""
if listing=$(QEMU_CPU=max qemu-aarch64 "$cli" targets 2>/dev/null); then
  compiled=$(field compiled "$listing")
fi

failed=()
summary=()
# run_suite QEMU_CPU EXPECTED_TARGET
run_suite() {
  local cpu=$1 want=$2
  if [[ -n $compiled && " $compiled " != *" $want "* ]]; then
    echo "=== arm64: QEMU_CPU=$cpu skipped: $want is not compiled in ($compiled)"
    summary+=("QEMU_CPU=$cpu: skipped ($want not compiled)")
    return 0
  fi
  echo
  echo "=== arm64: QEMU_CPU=$cpu (expects $want)"
  local chosen="(unknown)" listing
  if listing=$(QEMU_CPU=$cpu qemu-aarch64 "$cli" targets 2>&1); then
    echo "$listing"
    chosen=$(field chosen "$listing")
    if [[ $chosen != "$want" ]]; then
      echo "arm64: QEMU_CPU=$cpu chose $chosen, expected $want" >&2
      failed+=("QEMU_CPU=$cpu (chose $chosen, expected $want)")
    fi
  else
    echo "(phase-router targets unavailable; not listing the targets)"
  fi
  # gtest_discover_tests (PRE_TEST) lists each binary's tests once and keeps
  # the list until the binary changes; the per-target instances (.../NEON,
  # ..._SVE2) depend on the emulated CPU, so list them again for this one.
  find "$build/tests" -maxdepth 1 -name '*\[[0-9]*\]_tests.cmake' -delete
  local t0 status=0 log
  t0=$(date +%s)
  log=$(mktemp)
  QEMU_CPU=$cpu ctest --test-dir "$build" --output-on-failure -j2 2>&1 | tee "$log" ||
    status=$?
  local line named
  line=$(grep -E '^[0-9]+% tests passed' "$log" || echo "no ctest summary")
  # The tests instantiated per target that ran for the expected one.
  named=$(grep -cE "Test +#[0-9]+: [^ ]*[/_]$want " "$log" || true)
  rm -f "$log"
  summary+=("QEMU_CPU=$cpu (chosen $chosen, $named tests named for $want): $line in $(($(date +%s) - t0)) s")
  if ((status != 0)); then failed+=("QEMU_CPU=$cpu (ctest exit $status)"); fi
  if ((named == 0)); then failed+=("QEMU_CPU=$cpu (no test ran for $want)"); fi
}

run_suite cortex-a72 NEON
run_suite max SVE2
run_suite max,sve-default-vector-length=32 SVE_256
run_suite max,sve-default-vector-length=16 SVE2_128

echo
echo "=== arm64 summary (build $((build_done - start)) s, total $(($(date +%s) - start)) s)"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  printf 'arm64: FAILED %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "arm64: all suites passed"
