#!/usr/bin/env bash
# No silent wrap-around, no stale state (issue 15, class 5;
# docs/reliability.md, "Wrap-around and stale files").
#   usage: cli_stale_test.sh PATH/TO/phase-router [dump]
# `stats --seeds FIRST:COUNT` whose last seed would pass 2^64 - 1 is a
# usage error naming the largest COUNT (the boundary itself runs, seeds
# 2^64 - 2 and 2^64 - 1 as `route --seed` gives them). With "dump": a dump
# into the folder of an earlier one (with other stages: --row-perm) removes
# the earlier files it does not rewrite, and temporary files a killed run
# left, so the folder holds exactly the files the summary counts; a folder
# holding anything dump does not write is refused before routing, and left
# as it was.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# < 1)); then
  echo "usage: $0 PATH/TO/phase-router [dump]" >&2
  exit 2
fi
cli=$(realpath "$1")
has_dump=${2:-}
unset PHASE_ROUTER_TARGET

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# run and one_error_line: tests/cli_lib.sh.

echo "2 2 1" >s.txt
echo "2 2 1" >t.txt
deg=(--s-degrees s.txt --t-degrees t.txt -k 2)
max=18446744073709551615

# --- --seeds past 2^64 - 1 -----------------------------------------------------
for seeds in "$max:2" "18446744073709551610:7" "18446744073709551000:1000000" "1:$max"; do
  run stats "${deg[@]}" --seeds "$seeds" --json
  check "--seeds $seeds: exit 2 (got $rc)" [ "$rc" -eq 2 ]
  check "--seeds $seeds: one line ($(head -c 300 err.txt))" one_error_line "--seeds"
done
run stats "${deg[@]}" --seeds "$max:2" --json
check "--seeds $max:2: names the largest COUNT" one_error_line "COUNT may be at most 1"
run stats "${deg[@]}" --seeds 18446744073709551614:2 --json
check "--seeds 2^64-2:2: exit 0 ($(head -c 300 err.txt))" [ "$rc" -eq 0 ]
check "--seeds 2^64-2:2: seeds 2^64-2 and 2^64-1, no 0" \
  grep -q "\"runs\":\[{\"seed\":18446744073709551614,.*{\"seed\":$max," out.txt
check "--seeds 2^64-2:2: exactly two runs" [ "$(grep -o '"seed":[0-9]*' out.txt | wc -l)" -eq 2 ]
run stats "${deg[@]}" --seeds "$max:1" --json
check "--seeds 2^64-1:1: exit 0" [ "$rc" -eq 0 ]

# --- dump into an earlier dump's folder -----------------------------------------
if [[ $has_dump == dump ]]; then
  # count_files DIR: regular files in DIR.
  count_files() { find "$1" -maxdepth 1 -type f | wc -l; }
  summary_count() { sed -n 's/.*wrote \([0-9]*\) files to.*/\1/p' out.txt; }

  run dump "${deg[@]}" --row-perm --out d
  check "dump --row-perm: exit 0 ($(head -c 300 err.txt))" [ "$rc" -eq 0 ]
  check "dump --row-perm: draws the row-permuted stages" [ -f d/04_S_row_permuted.png ]
  check "dump --row-perm: the summary counts the folder" [ "$(summary_count)" -eq "$(count_files d)" ]
  : >d/routes.txt.tmp.Zq81Xa  # a temporary file a killed run left
  run dump "${deg[@]}" --out d
  check "dump again without --row-perm: exit 0 ($(head -c 300 err.txt))" [ "$rc" -eq 0 ]
  check "dump again: the folder holds exactly what the summary counts ($(summary_count) vs $(count_files d))" \
    [ "$(summary_count)" -eq "$(count_files d)" ]
  check "dump again: the row-permuted stages are gone" [ ! -e d/04_S_row_permuted.png ]
  check "dump again: the killed run's temporary file is gone" [ ! -e d/routes.txt.tmp.Zq81Xa ]
  check "dump again: says what it removed" grep -q "removed" out.txt
  check "dump again: every listed file exists" \
    bash -c 'for f in $(sed -n "s/^    //p" out.txt); do [ -f "d/$f" ] || exit 1; done'

  mkdir mixed
  echo "my notes" >mixed/notes.txt
  run dump "${deg[@]}" --out mixed
  check "dump into a folder with other files: exit 1 (got $rc)" [ "$rc" -eq 1 ]
  check "dump into a folder with other files: one line naming the file ($(head -c 300 err.txt))" \
    one_error_line "notes.txt" "mixed"
  check "dump into a folder with other files: nothing written" [ "$(ls mixed)" = notes.txt ]
  echo x >afile
  run dump "${deg[@]}" --out afile
  check "dump --out a regular file: exit 1" [ "$rc" -eq 1 ]
  mkdir empty
  run dump "${deg[@]}" --out empty
  check "dump into an empty folder: exit 0" [ "$rc" -eq 0 ]
fi

echo "cli_stale: $runs commands run, $passed passed, $failed failed"
((failed == 0))
