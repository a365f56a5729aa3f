# Shared by the command-line test scripts (cli_*_test.sh), which source it:
# a pass/fail counter and golden-case readers.

passed=0
failed=0
# check DESCRIPTION COMMAND...: counts the command's success or failure.
check() {
  local description=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $description" >&2
  fi
}

# case_field CASE KEY: the value of KEY (M, E, k, seed, align, row_perm,
# select, tiling) on the header line of a golden .case file
# (tests/golden/README.md).
case_field() {
  awk -v key="$2" 'NR == 2 {
    for (i = 1; i < NF; i += 2) if ($i == key) { print $(i + 1); exit }
  }' "$1"
}

# case_routing_options CASE: the case's options for `phase-router route`
# that apply to any input (-k, --seed, --select, --tiling, --row-perm), one
# word a line (read them with mapfile).
case_routing_options() {
  printf '%s\n' -k "$(case_field "$1" k)" --seed "$(case_field "$1" seed)" \
    --select "$(case_field "$1" select)" --tiling "$(case_field "$1" tiling)"
  if [[ $(case_field "$1" row_perm) == 1 ]]; then echo --row-perm; fi
}

# case_options CASE: case_routing_options, then --no-align when the case has
# align 0 (for matrix inputs).
case_options() {
  case_routing_options "$1"
  if [[ $(case_field "$1" align) == 0 ]]; then echo --no-align; fi
}

# case_rows CASE SECTION: the 0/1 rows after the SECTION line (S or T) of a
# golden .case file.
case_rows() {
  awk -v section="$2" '
    $0 == section { on = 1; next }
    on && /^[01]+$/ { print; next }
    on { exit }' "$1"
}

# rows_to_pbm < ROWS: 0/1 rows as a P1 PBM.
rows_to_pbm() {
  awk '{ rows[n++] = $0 }
    END {
      printf "P1\n%d %d\n", length(rows[0]), n
      for (i = 0; i < n; i++) { r = rows[i]; gsub(/./, "& ", r); sub(/ $/, "", r); print r }
    }'
}

# case_to_pbm CASE SECTION: a golden case's S or T as a P1 PBM.
case_to_pbm() { case_rows "$1" "$2" | rows_to_pbm; }
