#!/usr/bin/env bash
# `phase-router targets`, --target and PHASE_ROUTER_TARGET, end to end.
#   usage: cli_targets_test.sh PATH/TO/phase-router GOLDEN.case
# Lists and JSON agree and name generic; a bad name fails with one line on
# stderr (exit 1 from the environment, 2 from --target); every supported
# target, forced either way, routes the golden case exactly as generic does
# (and as the case says) and reports itself as the --stats backend.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# != 2)); then
  echo "usage: $0 PATH/TO/phase-router GOLDEN.case" >&2
  exit 2
fi
cli=$1
case_file=$2
unset PHASE_ROUTER_TARGET  # the checks set it themselves

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


# run NAME COMMAND...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err,
# exit status to $rc.
rc=0
run() {
  local name=$1
  shift
  rc=0
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}

one_line_naming() {  # one_line_naming FILE WORD...: one line, every WORD in it
  local file=$1
  shift
  [[ $(wc -l <"$file") -eq 1 ]] || return 1
  local word
  for word in "$@"; do grep -qF -- "$word" "$file" || return 1; done
}

has_word() {  # has_word LIST WORD: WORD is one of the space-separated LIST
  [[ " $1 " == *" $2 "* ]]
}

field() {  # field LABEL FILE: what follows "LABEL:" in the targets listing
  sed -n "s/^$1: *//p" "$2"
}

# --- The golden case as PBM files (the matrices, one bit per token). --------
M=$(case_field "$case_file" M)
E=$(case_field "$case_file" E)
case_to_pbm "$case_file" S >"$tmp/S.pbm"
case_to_pbm "$case_file" T >"$tmp/T.pbm"
awk '$0 == "routes" { on = 1; next } on' "$case_file" >"$tmp/want.routes"
mapfile -t case_args < <(case_options "$case_file")
route_args=(route --s "$tmp/S.pbm" --t "$tmp/T.pbm" "${case_args[@]}")
check "the case has $M routes rows" [ "$(wc -l <"$tmp/want.routes")" -eq "$M" ]
check "S.pbm is $E x $M" [ "$(sed -n 2p "$tmp/S.pbm")" = "$E $M" ]

# --- phase-router targets ----------------------------------------------------
run targets "$cli" targets
check "targets exits 0" [ "$rc" -eq 0 ]
check "targets prints nothing on stderr" [ ! -s "$tmp/targets.err" ]
compiled=$(field compiled "$tmp/targets.out")
supported=$(field supported "$tmp/targets.out")
chosen=$(field chosen "$tmp/targets.out")
check "compiled ends with generic" [ "${compiled##* }" = generic ]
check "supported ends with generic" [ "${supported##* }" = generic ]
check "chosen is the best supported" [ "$chosen" = "${supported%% *}" ]
for t in $supported; do
  check "supported $t is compiled" has_word "$compiled" "$t"
done

quote_list() {  # quote_list A B C -> "A","B","C"
  local out="" name
  for name in "$@"; do out+="${out:+,}\"$name\""; done
  printf '%s' "$out"
}
# shellcheck disable=SC2086  # word splitting of the lists is the point
want_json="{\"compiled\":[$(quote_list $compiled)],\"supported\":[$(quote_list $supported)],\"chosen\":\"$chosen\"}"
run json "$cli" targets --json
check "targets --json exits 0" [ "$rc" -eq 0 ]
check "targets --json matches the listing" [ "$(cat "$tmp/json.out")" = "$want_json" ]

run env_generic env PHASE_ROUTER_TARGET=GeNeRiC "$cli" targets
check "PHASE_ROUTER_TARGET=GeNeRiC: exit 0" [ "$rc" -eq 0 ]
check "PHASE_ROUTER_TARGET=GeNeRiC: chosen generic" \
  [ "$(field chosen "$tmp/env_generic.out")" = generic ]

run env_bad env PHASE_ROUTER_TARGET=NOPE "$cli" targets
check "PHASE_ROUTER_TARGET=NOPE targets: exit 1" [ "$rc" -eq 1 ]
check "PHASE_ROUTER_TARGET=NOPE targets: one line naming NOPE" \
  one_line_naming "$tmp/env_bad.err" NOPE PHASE_ROUTER_TARGET
check "PHASE_ROUTER_TARGET=NOPE targets: nothing on stdout" [ ! -s "$tmp/env_bad.out" ]

# --- --target refused ----------------------------------------------------------
run target_bad "$cli" "${route_args[@]}" --target NOPE
check "route --target NOPE: exit 2" [ "$rc" -eq 2 ]
check "route --target NOPE: one line naming NOPE and the compiled targets" \
  one_line_naming "$tmp/target_bad.err" "'NOPE'" "${compiled// /, }"
check "route --target NOPE: no routes" [ ! -s "$tmp/target_bad.out" ]

run target_empty "$cli" "${route_args[@]}" --target ""
check "route --target '': exit 2" [ "$rc" -eq 2 ]

run demo_bad "$cli" demo --target NOPE
check "demo --target NOPE: exit 2" [ "$rc" -eq 2 ]
check "demo --target NOPE: one line naming NOPE" one_line_naming "$tmp/demo_bad.err" NOPE

run env_route_bad env PHASE_ROUTER_TARGET=NOPE "$cli" "${route_args[@]}"
check "PHASE_ROUTER_TARGET=NOPE route: exit 1" [ "$rc" -eq 1 ]
check "PHASE_ROUTER_TARGET=NOPE route: one line naming NOPE" \
  one_line_naming "$tmp/env_route_bad.err" NOPE

for t in $compiled; do  # compiled in, beyond this CPU
  if has_word "$supported" "$t"; then continue; fi
  run unsupported "$cli" "${route_args[@]}" --target "$t"
  check "route --target $t (unsupported): exit 2" [ "$rc" -eq 2 ]
  check "route --target $t (unsupported): one line naming it" \
    one_line_naming "$tmp/unsupported.err" "'$t'"
done

# --- Every supported target routes like generic ---------------------------------
backend_of() {  # backend_of FILE: the "backend" of a --stats line
  sed -n 's/.*"backend":"\([^"]*\)".*/\1/p' "$1"
}
run generic "$cli" "${route_args[@]}" --target generic --stats
check "--target generic: exit 0" [ "$rc" -eq 0 ]
check "--target generic: the case's routes" cmp -s "$tmp/generic.out" "$tmp/want.routes"
check "--target generic: backend generic" [ "$(backend_of "$tmp/generic.err")" = generic ]

for t in $supported; do
  run "t_$t" "$cli" "${route_args[@]}" --target "$t" --stats
  check "--target $t: exit 0" [ "$rc" -eq 0 ]
  check "--target $t: routes identical to generic" \
    cmp -s "$tmp/t_$t.out" "$tmp/generic.out"
  check "--target $t: --stats backend $t" [ "$(backend_of "$tmp/t_$t.err")" = "$t" ]

  # Lower case through the environment; a bad environment loses to --target.
  run "e_$t" env PHASE_ROUTER_TARGET="${t,,}" "$cli" "${route_args[@]}" --stats
  check "PHASE_ROUTER_TARGET=${t,,}: exit 0" [ "$rc" -eq 0 ]
  check "PHASE_ROUTER_TARGET=${t,,}: routes identical to generic" \
    cmp -s "$tmp/e_$t.out" "$tmp/generic.out"
  check "PHASE_ROUTER_TARGET=${t,,}: --stats backend $t" \
    [ "$(backend_of "$tmp/e_$t.err")" = "$t" ]
  run "o_$t" env PHASE_ROUTER_TARGET=NOPE "$cli" "${route_args[@]}" --target "$t" --stats
  check "PHASE_ROUTER_TARGET=NOPE --target $t: exit 0" [ "$rc" -eq 0 ]
  check "PHASE_ROUTER_TARGET=NOPE --target $t: backend $t" \
    [ "$(backend_of "$tmp/o_$t.err")" = "$t" ]

  run "d_$t" "$cli" demo --target "$t"
  check "demo --target $t: backend $t in the summary" \
    grep -qE "^  backend +$t\$" "$tmp/d_$t.out"
done

echo "$passed passed, $failed failed"
((failed == 0))
