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
