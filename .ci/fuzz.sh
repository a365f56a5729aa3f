#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang (ASan + UBSan) in
# build-fuzz/ and runs each for a bounded time from its seed corpus
# (tests/fuzz/corpus/NAME). Fails on any crash, sanitizer report, leak or
# timeout; the input that caused it lands in build-fuzz/artifacts/.
#   usage: .ci/fuzz.sh [SECONDS_PER_FUZZER]   (default 60)
# New corpus entries go to build-fuzz/corpus/NAME, never into the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
jobs=${JOBS:-2}
CC=clang CXX=clang++ cmake -S . -B build-fuzz \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHASE_ROUTER_FUZZ=ON \
  -DPHASE_ROUTER_BUILD_BENCH=OFF -DPHASE_ROUTER_WERROR=ON
cmake --build build-fuzz -j"$jobs" --target fuzz_pbm fuzz_degrees fuzz_router

mkdir -p build-fuzz/artifacts
export OMP_WAIT_POLICY=PASSIVE
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for name in pbm degrees router; do
  mkdir -p "build-fuzz/corpus/$name"
  log=build-fuzz/fuzz_$name.log
  echo "== fuzz_$name for $seconds s"
  if ! build-fuzz/bin/fuzz_$name -max_total_time="$seconds" -timeout=30 \
      -max_len=16384 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/artifacts/fuzz_$name-" \
      "build-fuzz/corpus/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz.sh: fuzz_$name failed; the input is in build-fuzz/artifacts/" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "   fuzz_$name: $runs executions in $seconds s, no failure"
done
echo "fuzz.sh: all fuzzers ran $seconds s each without a failure"
