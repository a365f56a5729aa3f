#!/usr/bin/env bash
# `--tiling auto|on|off` and `--version`, end to end.
#   usage: cli_tiling_test.sh PATH/TO/phase-router [SUBCOMMAND...]
# (the subcommands that route in this build: dump needs libpng; default all)
# Every subcommand that routes (route, stats, dump, bench, demo) accepts each
# --tiling name and refuses any other with one line naming it (exit 2);
# --version names the library version and SPEC.md version 2; route's
# --stats and stats' --json report "spec", "tiling" (applied or not) and
# "laps", and stats' summary has a tiling line. The README's --tiling and
# --version commands run here as quoted. No routes are asserted: only
# whether tiling applied, which is SPEC.md step 2's rule.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# < 1)); then
  echo "usage: $0 PATH/TO/phase-router [SUBCOMMAND...]" >&2
  exit 2
fi
cli=$(realpath "$1")
shift
commands=("$@")
((${#commands[@]})) || commands=(route stats dump bench demo)
unset PHASE_ROUTER_TARGET

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# run and one_error_line: tests/cli_lib.sh.

# Every s_i = E = 6 and sum(t) = 25 >= M = 8: tiling on tiles q = 3 laps.
echo "6 6 6 6 6 6 6 6" >s.txt
echo "4 4 4 4 4 5" >t.txt
degrees=(--s-degrees s.txt --t-degrees t.txt -k 2)

# --- --version -----------------------------------------------------------------
run --version
check "--version: exit 0" [ "$rc" -eq 0 ]
check "--version: one line, the version and SPEC.md version 2 ($(cat out.txt))" \
  grep -qxE 'phase-router [0-9]+\.[0-9]+\.[0-9]+ \(SPEC\.md version 2\)' out.txt
check "--version: nothing on stderr" [ ! -s err.txt ]

# --- --tiling on every subcommand that routes ----------------------------------
# routing_command NAME: the arguments of a small run of subcommand NAME.
routing_command() {
  case $1 in
    route) echo route "${degrees[@]}" ;;
    stats) echo stats "${degrees[@]}" --seeds 0:2 ;;
    dump) echo dump "${degrees[@]}" --out dump ;;
    bench) echo bench --max-side 256 --repeat 1 ;;
    demo) echo demo ;;
  esac
}
for command in "${commands[@]}"; do
  read -r -a args < <(routing_command "$command")
  for tiling in auto on off; do
    run "${args[@]}" --tiling "$tiling"
    check "$command --tiling $tiling: exit 0 ($(head -c 200 err.txt))" [ "$rc" -eq 0 ]
  done
  for bad in maybe ON ""; do
    run "${args[@]}" --tiling "$bad"
    check "$command --tiling '$bad': exit 2" [ "$rc" -eq 2 ]
    check "$command --tiling '$bad': one line naming --tiling" \
      one_error_line --tiling "$bad"
    check "$command --tiling '$bad': nothing on stdout" [ ! -s out.txt ]
  done
  run "${args[@]}" --help
  check "$command --help lists --tiling" grep -q -- '--tiling' out.txt
done

# --- what the statistics report -----------------------------------------------
run route "${degrees[@]}" --tiling off --stats
check "route --stats, tiling off: spec 2, not tiled, 0 laps" \
  grep -q '"tiling":false,"laps":0,"spec":2' err.txt
run route "${degrees[@]}" --tiling on --stats
check "route --stats, tiling on, every s_i = E: tiled, 3 laps" \
  grep -q '"tiling":true,"laps":3,"spec":2' err.txt
run route "${degrees[@]}" --tiling on --method bits --stats
check "route --stats, tiling on by bits: tiled, 3 laps" \
  grep -q '"tiling":true,"laps":3' err.txt

run stats "${degrees[@]}" --seeds 0:2 --json --tiling off
check "stats --json, tiling off: spec 2, not tiled, 0 laps" \
  grep -q '"tiling":false,"laps":0,"spec":2' out.txt
run stats "${degrees[@]}" --seeds 0:2 --json --tiling on
check "stats --json, tiling on: tiled, 3 laps" \
  grep -q '"tiling":true,"laps":3,"spec":2' out.txt
run stats "${degrees[@]}" --seeds 0:2 --tiling off
check "stats summary: a tiling line" grep -qE '^  tiling +off' out.txt
run stats "${degrees[@]}" --seeds 0:2 --tiling on
check "stats summary, tiling on: the laps" grep -qE '^  tiling +on: .* 3 time' out.txt

# --- the README's commands, as quoted ------------------------------------------
run route --s-degrees s.txt --t-degrees t.txt -k 4 --seed 7 --tiling off
check "README: route --tiling off: exit 0" [ "$rc" -eq 0 ]
check "README: route --tiling off: M lines" [ "$(wc -l <out.txt)" -eq 8 ]
"$cli" --version >out.txt 2>err.txt && rc=0 || rc=$?
check "README: phase-router --version: exit 0" [ "$rc" -eq 0 ]

echo "$passed passed, $failed failed"
((failed == 0))
