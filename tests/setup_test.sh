#!/usr/bin/env bash
# tools/setup.sh installs what the whole test run needs on a fresh Debian 12
# (issue 15, class 6; docs/reliability.md, "A fresh Debian 12 machine").
#   usage: setup_test.sh SOURCE_DIR
# The package list covers every tool the README's test command
# (tools/test.sh, .ci/*.sh) runs: clang and clang++ with their sanitizer and
# libFuzzer runtimes (libclang-rt-14-dev) and LLVM's OpenMP (libomp-dev,
# libarcher) for the TSan build and the fuzzers, mpirun, the arm64 cross
# toolchain and qemu under --arm64. --list and --check work, unknown
# arguments are refused, and where apt has package lists, apt resolves the
# whole list (`apt-get --simulate install`, nothing installed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# != 1)); then
  echo "usage: $0 SOURCE_DIR" >&2
  exit 2
fi
src=$(realpath "$1")
setup=$src/tools/setup.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

rc=0
list=$(bash "$setup" --list) || rc=$?
check "setup.sh --list: exit 0 (got $rc)" [ "$rc" -eq 0 ]
has() { grep -qx -- "$1" <<<"$list"; }
for p in build-essential cmake libhwy-dev libgtest-dev libcli11-dev libpng-dev \
  python3-numpy python3-pytest openmpi-bin libopenmpi-dev clang libclang-rt-14-dev libomp-dev; do
  check "setup.sh installs $p" has "$p"
done
arm_list=$(bash "$setup" --arm64 --list)
for p in g++-aarch64-linux-gnu qemu-user libgomp1:arm64; do
  check "setup.sh --arm64 installs $p" grep -qx -- "$p" <<<"$arm_list"
done

# What the scripts of the test command run, and the package that brings it.
scripts=("$src/tools/test.sh" "$src"/.ci/*.sh)
needs() {  # needs PATTERN PACKAGE: a script that matches PATTERN needs PACKAGE
  if grep -qE -- "$1" "${scripts[@]}"; then
    check "a script runs '$1': setup.sh installs $2" has "$2"
  fi
}
needs 'clang\+\+|CXX=clang' clang
needs 'sanitizers|fsanitize|FUZZ' libclang-rt-14-dev
needs 'tsan|thread' libomp-dev
needs 'mpirun|cli_mpi' openmpi-bin
check "the test command runs tools/setup.sh first" grep -q 'tools/setup.sh' "$src/tools/test.sh"

rc=0
bash "$setup" --frob >/dev/null 2>&1 || rc=$?
check "setup.sh --frob: exit 2 (got $rc)" [ "$rc" -eq 2 ]
rc=0
out=$(bash "$setup" --check 2>&1) || rc=$?
check "setup.sh --check: exit 0 or 1 with the missing named ($rc: $out)" \
  bash -c "[ $rc -eq 0 ] || { [ $rc -eq 1 ] && grep -q 'missing:' <<<'$out'; }"

# apt resolves the whole list (offline: only where package lists exist).
if command -v apt-get >/dev/null && compgen -G '/var/lib/apt/lists/*Packages*' >/dev/null; then
  rc=0
  # shellcheck disable=SC2046
  apt-get --simulate -qq install $(bash "$setup" --list) >apt.log 2>&1 || rc=$?
  check "apt-get --simulate install of setup.sh's list: exit 0 ($(tail -c 300 apt.log))" \
    [ "$rc" -eq 0 ]
else
  echo "setup_test: no apt package lists here; the list was not resolved"
fi

echo "setup_test: $passed passed, $failed failed"
((failed == 0))
