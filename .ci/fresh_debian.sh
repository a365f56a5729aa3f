#!/usr/bin/env bash
# The set-up on a clean Debian 12 root (docs/reliability.md, "A fresh Debian
# 12 machine"): debootstrap a minimal bookworm into ROOT, copy this tree
# (tracked and untracked files, no build trees) to ROOT/src, and inside it,
# as root, run
#   --resolve   apt-get update, then `apt-get --simulate install` of
#               tools/setup.sh --list: every package resolves (minutes);
#   --setup     tools/setup.sh: the packages install;
#   --quick     (default) tools/setup.sh, then tools/test.sh --quick: the
#               Release build and the whole ctest suite;
#   --full      tools/test.sh, the README's whole test command (arm64 under
#               qemu, sanitizers, fuzzers too: hours on 2 cores).
#   usage: .ci/fresh_debian.sh [--resolve | --setup | --quick | --full] [ROOT]
# Needs root, debootstrap (apt-get install debootstrap) and Debian's mirror;
# ROOT defaults to /tmp/phase-router-deb12 and is reused when it exists
# (delete it for a clean start). /proc, /sys and /dev are bind-mounted for
# the run and unmounted after it.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=quick
root=/tmp/phase-router-deb12
for arg in "$@"; do
  case $arg in
    --resolve) mode=resolve ;;
    --setup) mode=setup ;;
    --quick) mode=quick ;;
    --full) mode=full ;;
    -*)
      echo "usage: $0 [--resolve | --setup | --quick | --full] [ROOT]" >&2
      exit 2
      ;;
    *) root=$arg ;;
  esac
done
if [[ $(id -u) -ne 0 ]]; then
  echo "fresh_debian: needs root (debootstrap, chroot, mount)" >&2
  exit 2
fi
command -v debootstrap >/dev/null || {
  echo "fresh_debian: debootstrap is missing: apt-get install debootstrap" >&2
  exit 2
}

start=$(date +%s)
step() { echo "=== fresh_debian: $1 ($(($(date +%s) - start)) s)"; }

if [[ ! -x $root/usr/bin/apt-get ]]; then
  step "debootstrap --variant=minbase bookworm $root"
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
fi

mounted=()
cleanup() {
  local m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" || true; done
}
trap cleanup EXIT
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")
mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
cp /etc/resolv.conf "$root/etc/resolv.conf"

step "copying the tree to $root/src"
rm -rf "$root/src"
mkdir -p "$root/src"
git ls-files -co --exclude-standard | grep -v '^build' | tar -cf - -T - | tar -xf - -C "$root/src"

inside() {  # inside COMMAND: runs COMMAND in ROOT/src with a clean environment
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /src && $1"
}

case $mode in
  resolve)
    step "apt-get --simulate install of tools/setup.sh --list"
    inside 'apt-get update -qq && apt-get --simulate install -qq --no-install-recommends $(tools/setup.sh --list) >/dev/null && echo "resolved: $(tools/setup.sh --list | wc -l) packages"'
    ;;
  setup)
    step "tools/setup.sh"
    inside 'tools/setup.sh && tools/setup.sh --check'
    ;;
  quick)
    step "tools/setup.sh, then tools/test.sh --quick"
    inside 'tools/setup.sh && tools/test.sh --quick'
    ;;
  full)
    step "tools/test.sh"
    inside 'tools/test.sh'
    ;;
esac
step "done"
