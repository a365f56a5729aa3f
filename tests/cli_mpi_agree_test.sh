#!/usr/bin/env bash
# The ranks of phase-router-mpi route one routing or none (issue 15, class 3;
# docs/reliability.md, "MPI ranks that disagree"; docs/scale.md).
#   usage: cli_mpi_agree_test.sh MPIRUN PATH/TO/phase-router PATH/TO/phase-router-mpi
# MPMD launches (`mpirun -np 1 A : -np 1 B`) whose ranks got different -k,
# --seed, --select, --row-perm, --method, --threads, -o paths,
# --per-rank-output prefixes or --stats, or read different files of the
# same shape (degrees and PBM matrices), fail on every rank with one line
# naming what differs (exit 2 for options, 1 for inputs) and write nothing;
# the same options spelt differently (--seed 010 and --seed 10) agree.
# --per-rank-output leaves exactly this run's parts: the parts of an earlier
# run on more ranks (another zero-padding too) and temporary parts of a
# killed run are removed, other files under the prefix are kept, and a run
# that fails on one rank leaves the earlier parts as they were. Rank 0's
# -o is checked too (/dev/full), and removed when mpirun is interrupted.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# != 3)); then
  echo "usage: $0 MPIRUN PATH/TO/phase-router PATH/TO/phase-router-mpi" >&2
  exit 2
fi
mpirun=$1
cli=$(realpath "$2")
mpi=$(realpath "$3")
unset PHASE_ROUTER_TARGET

mpi_setup "$mpirun"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

rc=0
runs=0  # mpirun launches (hostile ones, and a few good ones beside them)
# mpmd "ARGS OF RANK 0" "ARGS OF RANK 1": one rank each, stdout to mpi.out,
# stderr to mpi.err, status to $rc.
mpmd() {
  local a b
  read -r -a a <<<"$1"
  read -r -a b <<<"$2"
  rc=0
  runs=$((runs + 1))
  timeout 60 "$mpirun" "${mpirun_flags[@]}" -np 1 "$mpi" "${a[@]}" : -np 1 "$mpi" "${b[@]}" \
    >mpi.out 2>mpi.err || rc=$?
}
run_mpi() {  # run_mpi NP ARGS...
  local np=$1
  shift
  rc=0
  runs=$((runs + 1))
  timeout 60 "$mpirun" "${mpirun_flags[@]}" -np "$np" "$mpi" "$@" >mpi.out 2>mpi.err || rc=$?
}
one_error_line() {  # one_error_line FILE WORD...: the tool's one line, with every WORD
  local file=$1
  shift
  [[ $(wc -l <"$file") -eq 1 ]] && grep -q '^phase-router-mpi: error: ' "$file" || return 1
  local word
  for word in "$@"; do grep -qF -- "$word" "$file" || return 1; done
}

# --- Inputs: the same shape, different contents --------------------------------
echo "3 2 1 2 3 1 2" >s.txt      # M = 7
echo "2 3 2 1 3 2 1 3" >t.txt    # E = 8
echo "3 2 1 2 3 1 1" >s_other.txt
echo "2 3 2 1 3 2 1 2" >t_other.txt
cp s.txt s_copy.txt
printf 'P1\n4 3\n1 0 1 1\n0 1 1 0\n1 1 0 0\n' >S.pbm  # M = 3, E = 4
printf 'P1\n3 4\n1 1 0\n0 1 1\n1 0 1\n1 1 1\n' >T.pbm
printf 'P1\n4 3\n1 0 1 1\n0 1 1 0\n1 1 0 1\n' >S_other.pbm
deg="--s-degrees s.txt --t-degrees t.txt -k 2"

# expect_disagree STATUS 'WORD1|WORD2' DESCRIPTION "RANK 0 ARGS" "RANK 1 ARGS"
expect_disagree() {
  local status=$1 words=$2 description=$3
  rm -f out.txt out.txt.* part.*
  mpmd "$4" "$5"
  check "$description: exit $status (got $rc)" [ "$rc" -eq "$status" ]
  local list
  IFS='|' read -r -a list <<<"$words"
  check "$description: one line naming it ($(head -c 300 mpi.err))" one_error_line mpi.err "${list[@]}"
  check "$description: nothing on stdout" [ ! -s mpi.out ]
  check "$description: no output file" bash -c '! compgen -G "out.txt*" >/dev/null && ! compgen -G "part.*" >/dev/null'
}

# --- Options -------------------------------------------------------------------
expect_disagree 2 'different -k|rank 1' "-k 2 vs 3" "$deg" "--s-degrees s.txt --t-degrees t.txt -k 3"
expect_disagree 2 'different --seed' "--seed" "$deg --seed 1" "$deg --seed 2"
expect_disagree 2 'different --select' "--select" "$deg --select lowest" "$deg"
expect_disagree 2 'different --row-perm' "--row-perm" "$deg --row-perm" "$deg"
expect_disagree 2 'different --method' "--method" "$deg --method arcs" "$deg --method bits"
expect_disagree 2 'different --threads' "--threads" "$deg --threads 1" "$deg --threads 2"
expect_disagree 2 'different --memory-limit' "--memory-limit" "$deg --memory-limit 1G" "$deg"
expect_disagree 2 'different -o' "-o paths" "$deg -o out.txt" "$deg -o out.txt.other"
expect_disagree 2 'different -o' "-o on one rank only" "$deg -o out.txt" "$deg"
expect_disagree 2 'different --per-rank-output' "--per-rank-output prefixes" \
  "$deg --per-rank-output part" "$deg --per-rank-output part.x"
expect_disagree 2 'different --stats' "--stats" "$deg --stats" "$deg"
expect_disagree 2 'different input' "degrees vs matrices" "$deg" "--s S.pbm --t T.pbm -k 2"
# Different spellings of the same options agree.
"$cli" route $deg --seed 10 >want.txt
mpmd "$deg --seed 010 -o out.txt" "$deg --seed 10 -o out.txt"
check "--seed 010 vs 10: exit 0 ($(head -c 300 mpi.err))" [ "$rc" -eq 0 ]
check "--seed 010 vs 10: route's bytes" cmp -s out.txt want.txt
# Input paths may differ (node-local copies) when the contents agree.
"$cli" route $deg >want.txt
mpmd "$deg" "--s-degrees s_copy.txt --t-degrees t.txt -k 2"
check "copies of the same file: exit 0 ($(head -c 300 mpi.err))" [ "$rc" -eq 0 ]
check "copies of the same file: route's bytes" cmp -s mpi.out want.txt

# --- Inputs ----------------------------------------------------------------------
expect_disagree 1 "different inputs|s 's.txt'|rank 1" "s of the same shape, other contents" \
  "$deg -o out.txt" "--s-degrees s_other.txt --t-degrees t.txt -k 2 -o out.txt"
expect_disagree 1 "different inputs|t 't.txt'" "t of the same shape, other contents" \
  "$deg" "--s-degrees s.txt --t-degrees t_other.txt -k 2"
expect_disagree 1 "different inputs|S 'S.pbm'" "S.pbm of the same shape, other contents" \
  "--s S.pbm --t T.pbm -k 2 --per-rank-output part" \
  "--s S_other.pbm --t T.pbm -k 2 --per-rank-output part"
echo "2 1 2" >s3.txt
expect_disagree 1 "different inputs|M from 3 to 7" "different shapes" \
  "$deg" "--s-degrees s3.txt --t-degrees t.txt -k 2"

# --- --per-rank-output: exactly this run's parts --------------------------------
echo "3 2 1 2 3 1 2 3 2 1 2 3 1 2 3 2 1 2 3 1 2 3" >s22.txt  # M = 22
echo "9 9 9 9 9 9 9 9" >t22.txt
big=(--s-degrees s22.txt --t-degrees t22.txt -k 3)
"$cli" route "${big[@]}" >want22.txt
rm -f part.*
run_mpi 4 "${big[@]}" --per-rank-output part
check "4 ranks: 4 parts" [ "$(ls part.* | wc -l)" -eq 4 ]
echo "mine" >part.notes                     # not a part: kept
: >part.7.tmp.AbC123                        # a killed run's temporary part
: >part.03                                  # another padding (a run on >= 11 ranks)
run_mpi 2 "${big[@]}" --per-rank-output part
check "then 2 ranks: exit 0 ($(head -c 300 mpi.err))" [ "$rc" -eq 0 ]
check "then 2 ranks: only part.0 and part.1 ($(ls part.* | tr '\n' ' '))" \
  [ "$(ls part.[0-9]* | tr '\n' ' ')" = "part.0 part.1 " ]
check "then 2 ranks: cat part.[0-9]* is route's output" cmp -s <(cat part.[0-9]*) want22.txt
check "then 2 ranks: other files kept" [ "$(cat part.notes)" = mine ]
# A run that fails on one rank leaves the earlier parts as they were.
run_mpi 3 "${big[@]}" --per-rank-output part
cp part.0 keep0.txt
rm part.2
mkdir part.2  # rank 2 cannot write its part
run_mpi 3 "${big[@]}" --per-rank-output part --seed 5
check "a failing rank: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "a failing rank: the other ranks' parts are not replaced" cmp -s part.0 keep0.txt
check "a failing rank: no temporary parts left" bash -c '! compgen -G "part.*.tmp.*" >/dev/null'
rmdir part.2

# --- The outputs rank 0 promises -----------------------------------------------
# (mpirun forwards the ranks' stdout and stderr through its own pipes, so a
# full device behind mpirun is mpirun's to report; -o is the tool's.)
run_mpi 2 "${big[@]}" -o /dev/full
check "-o /dev/full: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "-o /dev/full: one line" one_error_line mpi.err "/dev/full" "No space left"
# Interrupted: rank 0's -o, opened before it reads, leaves nothing and the
# old output stays. (Only where the file system has O_TMPFILE: a named
# temporary file would race with mpirun's SIGKILL of the ranks that
# outlive the first one the signal ends; docs/reliability.md.)
if python3 -c 'import os, sys; os.close(os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY, 0o600))' \
  "$tmp" 2>/dev/null; then
  mkfifo s.fifo
  echo "precious" >out.txt
  rc=0
  runs=$((runs + 1))
  timeout -s INT 3 "$mpirun" "${mpirun_flags[@]}" -np 2 "$mpi" --s-degrees s.fifo \
    --t-degrees t.txt -k 2 -o out.txt >mpi.out 2>mpi.err || rc=$?
  check "SIGINT while reading: interrupted (status $rc)" [ "$rc" -ne 0 ]
  check "SIGINT while reading: no temporary file left" \
    bash -c '! compgen -G "out.txt.tmp.*" >/dev/null'
  check "SIGINT while reading: the old output is untouched" [ "$(cat out.txt)" = precious ]
fi
run_mpi 2 "${big[@]}" --seed 1 --seed 2
check "a repeated option: exit 2, named ($(head -c 200 mpi.err))" \
  one_error_line mpi.err "--seed was given 2 times"

echo "cli_mpi_agree: $runs commands run, $passed passed, $failed failed"
((failed == 0))
