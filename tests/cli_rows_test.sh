#!/usr/bin/env bash
# `phase-router route --rows A:B` and `--method`, end to end.
#   usage: cli_rows_test.sh PATH/TO/phase-router GOLDEN.case
# Every method routes the golden case as the case says (align on) or as bits
# does (align off, where arcs is refused with status 1); --rows prints
# exactly the range's lines of the whole output, for single rows, "A:" and
# ranges that split the sources unevenly, so consecutive ranges concatenate
# to the whole; --stats names the method that ran and the range; malformed
# ranges are usage errors (2), ranges beyond M the router's (1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# != 2)); then
  echo "usage: $0 PATH/TO/phase-router GOLDEN.case" >&2
  exit 2
fi
cli=$(realpath "$1")
case_file=$(realpath "$2")
unset PHASE_ROUTER_TARGET

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"


# --- The golden case as PBM files and degree lists ---------------------------
M=$(case_field "$case_file" M)
k=$(case_field "$case_file" k)
align=$(case_field "$case_file" align)
popcounts() { awk '{ print gsub(/1/, "1") }'; }  # popcounts < ROWS
case_to_pbm "$case_file" S >S.pbm
case_to_pbm "$case_file" T >T.pbm
case_rows "$case_file" S | popcounts >s.txt
case_rows "$case_file" T | popcounts >t.txt
awk '$0 == "routes" { on = 1; next } on' "$case_file" >want.txt
mapfile -t options < <(case_routing_options "$case_file")
inputs=(--s S.pbm --t T.pbm)
if [[ $align == 0 ]]; then inputs+=(--no-align); fi

rc=0
run() {  # run ARGS...: route's stdout to out.txt, stderr to err.txt, status to $rc
  rc=0
  "$cli" route "$@" >out.txt 2>err.txt || rc=$?
}
one_error_line() {  # one_error_line WORD: err.txt is the tool's one line, with WORD
  [[ $(wc -l <err.txt) -eq 1 ]] && grep -q '^phase-router: error: ' err.txt &&
    grep -qF -- "$1" err.txt
}

# --- --method ----------------------------------------------------------------
methods="auto bits arcs"
if [[ $align == 0 ]]; then methods="auto bits"; fi
for method in $methods; do
  run "${inputs[@]}" "${options[@]}" --method "$method"
  check "--method $method: exit 0" [ "$rc" -eq 0 ]
  check "--method $method: the case's routes" cmp -s out.txt want.txt
done
if [[ $align == 0 ]]; then
  run "${inputs[@]}" "${options[@]}" --method arcs
  check "--method arcs, align off: exit 2 (a bad command line)" [ "$rc" -eq 2 ]
  check "--method arcs, align off: one line" one_error_line arcs
else
  run --s-degrees s.txt --t-degrees t.txt "${options[@]}" --method arcs
  check "--method arcs from degrees: the case's routes" cmp -s out.txt want.txt
fi
run "${inputs[@]}" "${options[@]}" --method bits --stats
check "--stats names the method" grep -q '"method":"bits"' err.txt
run "${inputs[@]}" "${options[@]}" --method fast
check "--method fast: exit 2" [ "$rc" -eq 2 ]
check "--method fast: one line" one_error_line method

# --- --rows ------------------------------------------------------------------
# expect_rows A B ARGS...: --rows A:B (B empty: "A:") prints lines A+1..B of
# the whole output.
expect_rows() {
  local a=$1 b=$2
  shift 2
  local last=${b:-$M}
  run "${inputs[@]}" "${options[@]}" --rows "$a:$b" "$@"
  check "--rows $a:$b $*: exit 0" [ "$rc" -eq 0 ]
  check "--rows $a:$b $*: the range's lines" \
    cmp -s out.txt <(sed -n "$((a + 1)),${last}p" want.txt)
}
expect_rows 0 ""
expect_rows 0 1
expect_rows $((M - 1)) ""
expect_rows $((M / 3)) $((M / 2)) --method bits
expect_rows 1 $((M - 1)) --threads 2
if [[ $align == 1 ]]; then expect_rows $((M / 3)) $((M / 2)) --method arcs; fi

# Three uneven consecutive ranges concatenate to the whole output.
: >joined.txt
for range in "0:$((M / 3))" "$((M / 3)):$((M / 3 + 1))" "$((M / 3 + 1)):"; do
  run "${inputs[@]}" "${options[@]}" --rows "$range"
  cat out.txt >>joined.txt
done
check "consecutive ranges concatenate to the whole" cmp -s joined.txt want.txt

run "${inputs[@]}" "${options[@]}" --rows 1:3 --stats
check "--stats: the range" grep -q '"row_begin":1,"row_end":3' err.txt
run "${inputs[@]}" "${options[@]}" --rows 1:3 -o part.txt
check "--rows with -o: the range's lines" \
  cmp -s part.txt <(sed -n 2,3p want.txt)

for bad in "" 3 :3 3:3 5:2 x:4 1:y -1:2 1:2:3 " 1:2"; do
  run "${inputs[@]}" "${options[@]}" --rows "$bad"
  check "--rows '$bad': exit 2" [ "$rc" -eq 2 ]
  check "--rows '$bad': one line naming --rows" one_error_line --rows
  check "--rows '$bad': nothing on stdout" [ ! -s out.txt ]
done
for bad in "$M:" "0:$((M + 1))" "$((M + 5)):$((M + 9))"; do
  run "${inputs[@]}" "${options[@]}" --rows "$bad"
  check "--rows $bad (M = $M): exit 1" [ "$rc" -eq 1 ]
  check "--rows $bad: one line naming the range" one_error_line "row range"
done
"$cli" stats --s-degrees s.txt --t-degrees t.txt -k "$k" --rows 0:1 >out.txt 2>err.txt && rc=0 || rc=$?
check "stats --rows: exit 2 (not an option of stats)" [ "$rc" -eq 2 ]
run --help
check "route --help lists --rows and --method" \
  grep -q -- '--rows' out.txt
check "route --help lists --method" grep -q -- '--method' out.txt

echo "$passed passed, $failed failed"
((failed == 0))
