#!/usr/bin/env bash
# `phase-router-mpi` against `phase-router route`, byte for byte.
#   usage: cli_mpi_test.sh MPIRUN PATH/TO/phase-router PATH/TO/phase-router-mpi GOLDEN_DIR
# For a golden case (PBM matrices, aligned), a golden --no-align case, M not
# divisible by the rank count, M < ranks (ranks with no rows) and a larger
# degree input (M = 5000, E = 300, k = 8), `mpirun -np N` for N = 1, 2, 4
# and every --method that applies writes exactly what `route` writes (on
# stdout and with -o). Also: --per-rank-output parts concatenate to the same
# bytes, a small --gather-chunk (many gather rounds) changes nothing, --stats
# goes to stderr only (with the tiling that applied), --tiling on and off
# give route's bytes and ranks given different --tiling refuse to route,
# and bad input, a bad command line and a failure on one rank exit non-zero
# with one error line, within a timeout (no hang).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# != 4)); then
  echo "usage: $0 MPIRUN PATH/TO/phase-router PATH/TO/phase-router-mpi GOLDEN_DIR" >&2
  exit 2
fi
mpirun=$1
cli=$(realpath "$2")
mpi=$(realpath "$3")
golden=$(realpath "$4")
unset PHASE_ROUTER_TARGET

mpi_setup "$mpirun"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# run_mpi NP ARGS...: phase-router-mpi on NP ranks, stdout to mpi.out,
# stderr to mpi.err, status to $rc. The timeout turns a hang into a failure
# (status 124).
rc=0
run_mpi() {
  local np=$1
  shift
  rc=0
  timeout 60 "$mpirun" "${mpirun_flags[@]}" -np "$np" "$mpi" "$@" \
    >mpi.out 2>mpi.err || rc=$?
}

# same_as_route NAME METHODS INPUT_ARGS...: for every N in 1 2 4 and every
# method in METHODS, phase-router-mpi writes exactly route's bytes.
same_as_route() {
  local name=$1 methods=$2
  shift 2
  local method np
  for method in $methods; do
    "$cli" route "$@" --method "$method" >want.out
    for np in 1 2 4; do
      run_mpi "$np" "$@" --method "$method"
      check "$name --method $method -np $np: exit 0 ($(head -c 200 mpi.err))" \
        [ "$rc" -eq 0 ]
      check "$name --method $method -np $np: routes identical to route" \
        cmp -s mpi.out want.out
    done
  done
}

# --- Inputs -------------------------------------------------------------------
# degrees FILE COUNT MAX SEED: COUNT pseudo-random integers in [0, MAX].
degrees() {
  awk -v n="$2" -v max="$3" -v seed="$4" 'BEGIN {
    srand(seed)
    for (i = 0; i < n; i++) printf "%d%s", int(rand() * (max + 1)), (i + 1 < n ? " " : "\n")
  }' >"$1"
}

aligned_case=$golden/rect_m96_e40.case
noalign_case=$golden/n130_noalign.case
case_to_pbm "$aligned_case" S >a_S.pbm
case_to_pbm "$aligned_case" T >a_T.pbm
case_to_pbm "$noalign_case" S >u_S.pbm
case_to_pbm "$noalign_case" T >u_T.pbm
mapfile -t aligned_options < <(case_options "$aligned_case")
mapfile -t noalign_options < <(case_options "$noalign_case")
degrees s37.txt 37 23 1; degrees t37.txt 23 37 2        # M = 37: not divisible by 2 or 4
echo "2 3 1" >s3.txt; echo "1 2 3 3" >t3.txt            # M = 3 < 4 ranks
degrees s5000.txt 5000 300 3; degrees t5000.txt 300 300 4

# The golden routes themselves, as a guard on the inputs' conversion.
awk '$0 == "routes" { on = 1; next } on' "$aligned_case" >golden.out
"$cli" route --s a_S.pbm --t a_T.pbm "${aligned_options[@]}" >route.out
check "route reproduces $(basename "$aligned_case")" cmp -s route.out golden.out

# --- Byte identity -------------------------------------------------------------
same_as_route golden-aligned "auto bits arcs" \
  --s a_S.pbm --t a_T.pbm "${aligned_options[@]}"
same_as_route golden-noalign "auto bits" \
  --s u_S.pbm --t u_T.pbm "${noalign_options[@]}"
same_as_route m37 "auto bits arcs" \
  --s-degrees s37.txt --t-degrees t37.txt -k 4 --seed 11 --row-perm
same_as_route m3 "auto bits arcs" --s-degrees s3.txt --t-degrees t3.txt -k 2
same_as_route m5000 "auto bits arcs" \
  --s-degrees s5000.txt --t-degrees t5000.txt -k 8 --seed 5

# -o writes the same bytes as route -o; --stats is one JSON line on stderr.
big=(--s-degrees s5000.txt --t-degrees t5000.txt -k 8 --seed 5)
"$cli" route "${big[@]}" -o want.txt
run_mpi 3 "${big[@]}" -o got.txt --stats
check "-o on 3 ranks: exit 0" [ "$rc" -eq 0 ]
check "-o on 3 ranks: file identical to route -o" cmp -s got.txt want.txt
check "-o: nothing on stdout" [ ! -s mpi.out ]
check "--stats: one line on stderr" [ "$(wc -l <mpi.err)" -eq 1 ]
check "--stats: a JSON object for 3 ranks" [ "$(head -c 11 mpi.err)" = '{"ranks":3,' ]

# Many gather rounds (7 entries per rank per round) change nothing.
run_mpi 4 "${big[@]}" --gather-chunk 7
check "--gather-chunk 7: identical" cmp -s mpi.out want.txt

# Per-rank parts, empty ones included, concatenate to the whole output.
run_mpi 4 "${big[@]}" --per-rank-output part
check "--per-rank-output: exit 0" [ "$rc" -eq 0 ]
check "--per-rank-output: 4 parts" [ "$(ls part.* | wc -l)" -eq 4 ]
check "--per-rank-output: parts concatenate to route's output" \
  cmp -s <(cat part.*) want.txt
"$cli" route --s-degrees s3.txt --t-degrees t3.txt -k 2 >want3.txt
run_mpi 4 --s-degrees s3.txt --t-degrees t3.txt -k 2 --per-rank-output p3
check "--per-rank-output, M < ranks: rank 0's part is empty" [ ! -s p3.0 ]
check "--per-rank-output, M < ranks: parts concatenate" \
  cmp -s <(cat p3.*) want3.txt

# --- --tiling: the same on every rank -------------------------------------------
# Every s_i = E = 23, sum(t) >= M = 37: tiling on tiles floor(sum(t) / 37) laps.
awk 'BEGIN { for (i = 0; i < 37; i++) printf "23%s", (i < 36 ? " " : "\n") }' >sfull.txt
laps=$(awk '{ for (i = 1; i <= NF; i++) sum += $i } END { print int(sum / 37) }' t37.txt)
for tiling in on off; do
  same_as_route "tiling-$tiling" auto \
    --s-degrees sfull.txt --t-degrees t37.txt -k 4 --seed 3 --tiling "$tiling"
done
run_mpi 4 --s-degrees sfull.txt --t-degrees t37.txt -k 4 --tiling off --stats
check "--tiling off --stats: not tiled, spec 2" \
  grep -q '"tiling":false,"laps":0,"spec":2' mpi.err
run_mpi 4 --s-degrees sfull.txt --t-degrees t37.txt -k 4 --tiling on --stats
check "--tiling on --stats: tiled, $laps laps" \
  grep -q "\"tiling\":true,\"laps\":$laps,\"spec\":2" mpi.err
run_mpi 4 --s-degrees s3.txt --t-degrees t3.txt -k 2 --tiling off --stats
check "--stats, M < ranks (rank 0 routes nothing): the tiling fields" \
  grep -q '"tiling":false,"laps":0,"spec":2' mpi.err

run_mpi 1 --version
check "--version: SPEC.md version 2" \
  grep -qxE 'phase-router-mpi [0-9]+\.[0-9]+\.[0-9]+ \(SPEC\.md version 2\)' mpi.out

# --- Failures: non-zero, one line, no hang -------------------------------------
# (Few cases: mpirun itself lingers up to 2 s after a non-zero exit.)
one_error_line() {  # one_error_line FILE WORD: one line, the tool's, with WORD
  [[ $(wc -l <"$1") -eq 1 ]] && grep -q '^phase-router-mpi: error: ' "$1" &&
    grep -qF -- "$2" "$1"
}
# expect_failure STATUS WORD DESCRIPTION NP ARGS...
expect_failure() {
  local status=$1 word=$2 description=$3 np=$4
  shift 4
  run_mpi "$np" "$@"
  check "$description: exit $status (got $rc)" [ "$rc" -eq "$status" ]
  check "$description: one error line naming '$word' ($(head -c 300 mpi.err))" \
    one_error_line mpi.err "$word"
  check "$description: nothing on stdout" [ ! -s mpi.out ]
}
expect_failure 1 "missing.txt" "missing input on every rank" 4 \
  --s-degrees missing.txt --t-degrees t37.txt -k 4
printf '1 x 2\n' >bad.txt
expect_failure 1 "bad.txt" "malformed degree file" 2 \
  --s-degrees bad.txt --t-degrees t37.txt -k 4
expect_failure 2 "-k" "-k 0" 2 --s-degrees s37.txt --t-degrees t37.txt -k 0
expect_failure 2 "align" "--method arcs with --no-align" 2 \
  --s u_S.pbm --t u_T.pbm "${noalign_options[@]}" --method arcs
expect_failure 2 "--tiling" "--tiling sometimes" 2 \
  --s-degrees s37.txt --t-degrees t37.txt -k 4 --tiling sometimes
# Ranks given different --tiling (an MPMD launch) refuse to route.
rc=0
timeout 60 "$mpirun" "${mpirun_flags[@]}" \
  -np 1 "$mpi" --s-degrees s37.txt --t-degrees t37.txt -k 4 --tiling on : \
  -np 1 "$mpi" --s-degrees s37.txt --t-degrees t37.txt -k 4 --tiling off \
  >mpi.out 2>mpi.err || rc=$?
check "ranks with different --tiling: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "ranks with different --tiling: one line naming it ($(head -c 300 mpi.err))" \
  one_error_line mpi.err "different --tiling"
check "ranks with different --tiling: nothing on stdout" [ ! -s mpi.out ]
mkdir part2.2  # rank 2 alone cannot write its part
expect_failure 1 "rank 2" "one rank's output fails" 4 \
  "${big[@]}" --per-rank-output part2

# --help prints once, on rank 0.
run_mpi 2 --help
check "--help: exit 0" [ "$rc" -eq 0 ]
check "--help: printed once" [ "$(grep -c '^Usage:' mpi.out)" -eq 1 ]

echo "$passed passed, $failed failed"
((failed == 0))
