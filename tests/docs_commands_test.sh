#!/usr/bin/env bash
# The ctest commands and test names the docs give exist and run (issue 15,
# class 7: docs/scale.md once gave `ctest -R 'Methods\|RowRanges\|...'`, a
# pattern that matched no test).
#   usage: docs_commands_test.sh SOURCE_DIR BUILD_DIR CTEST
# Every `ctest ... -R 'PATTERN'` command in README.md and docs/*.md is run
# against BUILD_DIR and must run at least one test, all passing; every test
# the docs name as "ctest `NAME`" (or "(ctest `NAME`, ...") is registered.
# (Tests of optional parts, MPI, Python or dump, count as registered where this
# build skipped them: CMake registers them only where their tools exist.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# != 3)); then
  echo "usage: $0 SOURCE_DIR BUILD_DIR CTEST" >&2
  exit 2
fi
src=$(realpath "$1")
build=$(realpath "$2")
ctest=$3
docs=("$src/README.md" "$src"/docs/*.md)

registered=$("$ctest" --test-dir "$build" -N | sed -n 's/^ *Test *#[0-9]*: //p')
optional='^(cli_mpi.*|cli_dump.*|python_.*|fuzz_.*|install_package)$'

# --- ctest -R commands: each pattern runs tests, and they pass ------------------
patterns=$(grep -ohE "ctest [^\`]*-R '[^']*'" "${docs[@]}" | sed -E "s/.*-R '([^']*)'/\1/" | sort -u)
count=0
while IFS= read -r pattern; do
  [[ -n $pattern ]] || continue
  count=$((count + 1))
  matched=$("$ctest" --test-dir "$build" -N -R "$pattern" | sed -n 's/^Total Tests: //p')
  check "docs: ctest -R '$pattern' matches tests (matched ${matched:-0})" [ "${matched:-0}" -gt 0 ]
  if [[ ${matched:-0} -gt 0 ]]; then
    check "docs: ctest -R '$pattern' passes" \
      "$ctest" --test-dir "$build" -R "$pattern" -j2 --output-on-failure -Q
  fi
done <<<"$patterns"
check "the docs give at least one ctest -R command (found $count)" [ "$count" -gt 0 ]

# --- ctest `NAME`: each is a registered test -------------------------------------
names=$(grep -ohE "ctest \`[A-Za-z0-9_]+\`" "${docs[@]}" | sed -E 's/ctest `(.*)`/\1/' | sort -u)
while IFS= read -r name; do
  [[ -n $name ]] || continue
  if grep -qxF -- "$name" <<<"$registered" || [[ $name =~ $optional ]]; then
    passed=$((passed + 1))
  else
    check "docs name ctest '$name', which is not registered" false
  fi
done <<<"$names"

echo "docs_commands: $passed passed, $failed failed"
((failed == 0))
