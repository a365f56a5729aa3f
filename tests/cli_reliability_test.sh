#!/usr/bin/env bash
# Bad input through the command line (issue 7, docs/reliability.md).
#   usage: cli_reliability_test.sh PATH/TO/phase-router
# Every bad input fails with exactly one line on stderr, "phase-router:
# error: ..." naming the problem, the documented exit status (2 for a bad
# command line, 1 for bad data or a refused routing), nothing on stdout, and
# no output file (nor temporary file) left behind by -o. A good run next to
# them still works, and a refused run leaves an existing -o file untouched.
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 PATH/TO/phase-router" >&2
  exit 2
fi
cli=$(realpath "$1")
unset PHASE_ROUTER_TARGET

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

passed=0
failed=0
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}

# expect_failure STATUS 'WORD1|WORD2' DESCRIPTION -- ARGS...
# Runs the tool with ARGS (plus "-o out.txt" for route commands without -o),
# and checks
# the status, one stderr line containing every WORD, empty stdout, and that
# neither out.txt nor a temporary file next to it exists.
expect_failure() {
  local status=$1 words=$2 description=$3
  shift 4
  local args=("$@")
  if [[ ${args[0]} == route && " ${args[*]} " != *" -o "* ]]; then
    args+=(-o out.txt)
  fi
  rm -f out.txt out.txt.tmp.*
  local rc=0
  "$cli" "${args[@]}" >stdout.txt 2>stderr.txt || rc=$?
  local ok=1
  if ((rc != status)); then
    fail "$description: exit status $rc, expected $status"
    ok=0
  fi
  if [[ $(wc -l <stderr.txt) -ne 1 ]] || ! grep -q '^phase-router: error: ' stderr.txt; then
    fail "$description: stderr is not one error line: $(head -c 300 stderr.txt)"
    ok=0
  fi
  local word
  IFS='|' read -r -a list <<<"$words"
  for word in "${list[@]}"; do
    if ! grep -qF -- "$word" stderr.txt; then
      fail "$description: message lacks '$word': $(cat stderr.txt)"
      ok=0
    fi
  done
  if [[ -s stdout.txt ]]; then
    fail "$description: wrote to stdout"
    ok=0
  fi
  if compgen -G 'out.txt*' >/dev/null; then
    fail "$description: left an output file: $(ls out.txt*)"
    ok=0
  fi
  ((ok)) && passed=$((passed + 1))
  return 0
}

# ---- inputs
printf 'P1\n3 2\n1 0 1\n0 1 1\n' >s.pbm   # S: M = 2, E = 3
printf 'P1\n2 3\n1 1\n0 1\n1 0\n' >t.pbm  # T: 3 x 2
printf '2 2\n' >s.txt    # the row degrees of s.pbm
printf '2 1 1\n' >t.txt  # and of t.pbm
: >empty.pbm
: >empty.txt
printf 'P7\n3 2\n' >magic.pbm
printf 'P1\n3\n' >nosize.pbm
printf 'P1\n0 2\n' >zero.pbm
printf 'P4\n4000000000 4000000000\n\x00\x00' >huge.pbm
printf 'P4\n999999999999 999999999999\n' >overflow.pbm
printf 'P1\n3 2\n1 0 1\n0 1\n' >short.pbm
printf 'P4\n16 2\n\xff\xff\xff' >short4.pbm
printf 'P1\n3 2\n1 0 1\n0 2 1\n' >badpixel.pbm
printf 'P1\n3 2\n1 0 1\n0 1 1\ngarbage\n' >trailing.pbm
printf 'P1\n4 2\n1 0 1 1\n0 1 1 0\n' >wide.pbm  # 2 x 4: does not fit t.pbm
printf '2 -3\n' >negative.txt
printf '2 x3\n' >word.txt
printf '2 99999999999\n' >big.txt
printf '2 4\n' >above.txt  # 4 > E = 3
mkdir adir
route_pbm=(route --s s.pbm --t t.pbm -k 2)
route_deg=(route --s-degrees s.txt --t-degrees t.txt -k 2)

# ---- command line (status 2)
expect_failure 2 'k|0' 'k = 0' -- route --s s.pbm --t t.pbm -k 0
expect_failure 2 '-k|-1|negative' 'k = -1' -- route --s s.pbm --t t.pbm -k -1
expect_failure 2 '-k|abc' 'k not a number' -- route --s s.pbm --t t.pbm -k abc
expect_failure 2 '-k|2147483648|2147483647' 'k beyond int32' -- route --s s.pbm --t t.pbm -k 2147483648
expect_failure 2 '-k|99999999999999999999' 'k beyond uint64' -- route --s s.pbm --t t.pbm -k 99999999999999999999
expect_failure 2 '--seed|0x10' 'hex seed' -- "${route_pbm[@]}" --seed 0x10
expect_failure 2 '--threads|5000' 'threads out of range' -- "${route_pbm[@]}" --threads 5000
expect_failure 2 '--memory-limit|12Q' 'bad memory limit' -- "${route_pbm[@]}" --memory-limit 12Q
expect_failure 2 '--memory-limit|99999999999T' 'memory limit overflows' -- "${route_pbm[@]}" --memory-limit 99999999999T
expect_failure 2 'no input' 'no input' -- route -k 2
expect_failure 2 '--s needs --t' 'S without T' -- route --s s.pbm -k 2
expect_failure 2 'mutually exclusive' 'both kinds of input' -- route --s s.pbm --t t.pbm --s-degrees s.txt --t-degrees t.txt -k 2
expect_failure 2 '--no-align' 'no-align with degrees' -- "${route_deg[@]}" --no-align
expect_failure 2 'select' 'unknown select' -- "${route_pbm[@]}" --select best
expect_failure 2 'NOPE' 'unknown target' -- "${route_pbm[@]}" --target NOPE
expect_failure 2 '--memory-limit|1x' 'demo: bad memory limit' -- demo --memory-limit 1x
# A misspelt subcommand is named in the message.
expect_failure 2 'frobnicate' 'unknown subcommand named' -- frobnicate

# ---- files (status 1), each message naming the file
expect_failure 1 'missing.pbm' 'missing file' -- route --s missing.pbm --t t.pbm -k 2
expect_failure 1 'adir' 'directory as input' -- route --s adir --t t.pbm -k 2
expect_failure 1 'empty.pbm|empty file' 'empty PBM' -- route --s empty.pbm --t t.pbm -k 2
expect_failure 1 'magic.pbm|P7' 'bad magic' -- route --s magic.pbm --t t.pbm -k 2
expect_failure 1 'nosize.pbm|height' 'missing height' -- route --s nosize.pbm --t t.pbm -k 2
expect_failure 1 'zero.pbm|width is 0' 'zero width' -- route --s zero.pbm --t t.pbm -k 2
expect_failure 1 'huge.pbm|too large' 'terabyte PBM header' -- route --s huge.pbm --t t.pbm -k 2
expect_failure 1 'overflow.pbm|too large' 'overflowing PBM header' -- route --s overflow.pbm --t t.pbm -k 2
expect_failure 1 'short.pbm|truncated' 'short P1 raster' -- route --s short.pbm --t t.pbm -k 2
expect_failure 1 'short4.pbm|truncated' 'short P4 raster' -- route --s short4.pbm --t t.pbm -k 2
expect_failure 1 "badpixel.pbm|'2'" 'bad P1 pixel' -- route --s badpixel.pbm --t t.pbm -k 2
expect_failure 1 'trailing.pbm|garbage' 'trailing garbage' -- route --s trailing.pbm --t t.pbm -k 2
expect_failure 1 'shape mismatch|wide.pbm|t.pbm' 'S and T shapes disagree' -- route --s wide.pbm --t t.pbm -k 2
expect_failure 1 'empty.txt|no degrees' 'empty degree file' -- route --s-degrees empty.txt --t-degrees t.txt -k 2
expect_failure 1 'negative.txt|-3|negative' 'negative degree' -- route --s-degrees negative.txt --t-degrees t.txt -k 2
expect_failure 1 'word.txt|x3' 'non-numeric degree' -- route --s-degrees word.txt --t-degrees t.txt -k 2
expect_failure 1 'big.txt|99999999999' 'degree beyond uint32' -- route --s-degrees big.txt --t-degrees t.txt -k 2
expect_failure 1 's[1] = 4|ring' 'degree above the ring' -- route --s-degrees above.txt --t-degrees t.txt -k 2
if ((EUID != 0)); then  # root reads anything
  printf '1\n' >locked.txt
  chmod 000 locked.txt
  expect_failure 1 'locked.txt|denied' 'unreadable file' -- route --s-degrees locked.txt --t-degrees t.txt -k 2
fi

# ---- the memory ceiling (status 1), refused before allocating
expect_failure 1 'memory limit|64 bytes' 'route over --memory-limit' -- "${route_pbm[@]}" --memory-limit 64
expect_failure 1 'memory limit|8589934592' 'k = 2^30 routes over the ceiling' -- route --s s.pbm --t t.pbm -k 1073741824 --memory-limit 8G
expect_failure 1 'memory limit|1048576 bytes' 'demo over --memory-limit' -- demo --memory-limit 1M

# ---- the output file: a refused run leaves an existing one as it was
printf 'precious\n' >keep.txt
rc=0
"$cli" route --s s.pbm --t wide.pbm -k 2 -o keep.txt 2>/dev/null || rc=$?
if ((rc == 1)) && [[ $(cat keep.txt) == precious ]] && ! compgen -G 'keep.txt.tmp*' >/dev/null; then
  passed=$((passed + 1))
else
  fail "refused run replaced or touched an existing -o file (status $rc)"
fi
expect_failure 1 'nodir/out.txt' 'output into a missing directory' -- route --s s.pbm --t t.pbm -k 2 -o nodir/out.txt

# ---- and good runs still work, with and without a generous limit
for limit in 0 1M 16G; do
  if "$cli" "${route_pbm[@]}" --memory-limit "$limit" -o good.txt 2>stderr.txt &&
    [[ $(cat good.txt) == "$("$cli" "${route_deg[@]}" --memory-limit "$limit")" ]] &&
    [[ ! -s stderr.txt ]]; then
    passed=$((passed + 1))
  else
    fail "good run with --memory-limit $limit: $(cat stderr.txt)"
  fi
done
if "$cli" demo --memory-limit 64M >/dev/null 2>stderr.txt; then
  passed=$((passed + 1))
else
  fail "demo with --memory-limit 64M: $(cat stderr.txt)"
fi

echo "cli_reliability: $passed passed, $failed failed"
((failed == 0))
