#!/usr/bin/env bash
# Threads and memory (issue 15, class 4; docs/reliability.md, "Threads" and
# "The memory ceiling").
#   usage: cli_threads_memory_test.sh PATH/TO/phase-router COMMAND...
# (COMMAND...: the subcommands that take --threads in this build.)
# --threads beyond the bound (4 x the CPUs OpenMP reports, at least 64, at
# most 1024) is a usage error naming the bound on every subcommand that
# takes it; threads the system cannot start (a 1 GiB OMP_STACKSIZE under a
# 4 GiB address-space limit) are one error line and exit 1, for the router,
# the seed statistics and the hash baseline, where OpenMP would end the
# process with its own message; OMP_NUM_THREADS beyond the bound is capped.
# The memory ceiling (--memory-limit) counts what the tool itself holds: a
# PBM input (its bytes and its decoded pixels) and the routes text buffer
# are refused, named, where the library's share alone would fit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# < 2)); then
  echo "usage: $0 PATH/TO/phase-router COMMAND..." >&2
  exit 2
fi
cli=$(realpath "$1")
shift
commands=("$@")
unset PHASE_ROUTER_TARGET

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# run and one_error_line: tests/cli_lib.sh.

echo "2 2" >s.txt
echo "2 1 1" >t.txt
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "40 "; print "" }' >sb.txt
awk 'BEGIN { for (i = 0; i < 100; i++) printf "10000 "; print "" }' >tb.txt

# --- The bound ------------------------------------------------------------------
for command in "${commands[@]}"; do
  case $command in
    route | stats) args=("$command" --s-degrees s.txt --t-degrees t.txt -k 1) ;;
    dump) args=(dump --demo --nodes 16 --out d) ;;
    bench) args=(bench --max-side 64 --repeat 1) ;;
    *) args=("$command") ;;
  esac
  for threads in 1000 1025 4096 99999999999; do
    run "${args[@]}" --threads "$threads"
    check "$command --threads $threads: exit 2 (got $rc)" [ "$rc" -eq 2 ]
    check "$command --threads $threads: one line naming the bound ($(head -c 300 err.txt))" \
      one_error_line "--threads" "$threads" "CPUs OpenMP reports"
  done
  run "${args[@]}" --threads 64
  check "$command --threads 64 (within the bound anywhere): exit 0 ($(head -c 300 err.txt))" \
    [ "$rc" -eq 0 ]
done
# OpenMP's default beyond the bound is capped, not started.
OMP_NUM_THREADS=5000 run stats --s-degrees sb.txt --t-degrees tb.txt -k 8 --seeds 0:8 --json
check "OMP_NUM_THREADS=5000: exit 0 ($(head -c 300 err.txt))" [ "$rc" -eq 0 ]

# --- Threads that cannot start: a typed error, not OpenMP's exit ---------------
# Each OpenMP thread reserves OMP_STACKSIZE of address space: 63 workers of
# 1 GiB cannot fit under 4 GiB, 2 can.
cannot_start() {  # cannot_start DESCRIPTION ARGS...
  local description=$1
  shift
  rc=0
  runs=$((runs + 1))
  (ulimit -v 4194304 && OMP_STACKSIZE=1G exec "$cli" "$@") >out.txt 2>err.txt || rc=$?
  check "$description: exit 1 (got $rc)" [ "$rc" -eq 1 ]
  check "$description: one line ($(head -c 300 err.txt))" \
    one_error_line "cannot start 64 threads"
}
if [[ -n ${PHASE_ROUTER_TEST_SANITIZER:-} ]]; then
  echo "cli_threads_memory: address-space limits skipped (a sanitizer build)"
else
  cannot_start "route, 64 threads that cannot start" \
    route --s-degrees sb.txt --t-degrees tb.txt -k 8 --method bits --threads 64
  cannot_start "stats, 64 threads that cannot start" \
    stats --s-degrees sb.txt --t-degrees tb.txt -k 8 --seeds 0:64 --threads 64
  cannot_start "stats --router hash, 64 threads that cannot start" \
    stats --router hash --s-degrees sb.txt --t-degrees tb.txt -k 8 --seeds 0:64 --threads 64
  rc=0
  (ulimit -v 4194304 && OMP_STACKSIZE=1G exec "$cli" route --s-degrees sb.txt \
    --t-degrees tb.txt -k 8 --method bits --threads 2) >out.txt 2>err.txt || rc=$?
  check "route on 2 threads under the same limits: exit 0 ($(head -c 300 err.txt))" [ "$rc" -eq 0 ]
fi

# --- The tool's own memory in the ceiling ---------------------------------------
# A 2000 x 1000 P1 matrix: 4 MB of text, 2 MB of pixels; the arc method's
# workspace for it is a few hundred KB. 3M holds the library's share but not
# the file and the pixels.
awk 'BEGIN { print "P1"; print "2000 1000"
  for (r = 0; r < 1000; r++) { for (c = 0; c < 2000; c++) printf "%d ", (r + c) % 3 == 0; print "" } }' >S.pbm
awk 'BEGIN { print "P1"; print "1000 2000"
  for (r = 0; r < 2000; r++) { for (c = 0; c < 1000; c++) printf "%d ", (r + c) % 3 == 0; print "" } }' >T.pbm
run route --s S.pbm --t T.pbm -k 4 --method arcs --memory-limit 3M
check "a PBM over --memory-limit: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "a PBM over --memory-limit: one line naming the file ($(head -c 300 err.txt))" \
  one_error_line "S.pbm" "memory limit of 3145728 bytes"
run route --s S.pbm --t T.pbm -k 4 --method arcs --memory-limit 64M
check "the same PBMs under 64M: exit 0 ($(head -c 300 err.txt))" [ "$rc" -eq 0 ]
run stats --s S.pbm --t T.pbm -k 4 --method arcs --seeds 0:1 --memory-limit 3M
check "stats: a PBM over --memory-limit: exit 1, named ($(head -c 300 err.txt))" \
  one_error_line "S.pbm" "memory limit"
# One source, k = 10^6: 4 MB of routes for the library, 24 MB of text buffer.
echo 1 >s1.txt
echo 1 >t1.txt
run route --s-degrees s1.txt --t-degrees t1.txt -k 1000000 --memory-limit 12M
check "the routes text over --memory-limit: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "the routes text over --memory-limit: one line ($(head -c 300 err.txt))" \
  one_error_line "as text" "memory limit of 12582912 bytes"
run route --s-degrees s1.txt --t-degrees t1.txt -k 1000000 --memory-limit 64M
check "the same under 64M: exit 0, one line of 10^6 ids" \
  bash -c "[ $rc -eq 0 ] && [ \$(wc -w <out.txt) -eq 1000000 ]"
# The library's refusal names the whole ceiling and the tool's share of it.
run route --s-degrees sb.txt --t-degrees tb.txt -k 8 --method bits --memory-limit 2M
check "the routing over what the tool leaves: one line, both shares ($(head -c 400 err.txt))" \
  one_error_line "the memory limit is 2097152 bytes, of which the tool holds"

echo "cli_threads_memory: $runs commands run, $passed passed, $failed failed"
((failed == 0))
