#!/usr/bin/env bash
# Installs what Phase Router needs to build and test on Debian 12, with apt
# (the Python binding's too: pybind11, numpy and pytest for /usr/bin/python3;
# matplotlib for the plots of tools/evaluate.py; PyTorch (python3-torch) for
# examples/moe_layer.py and the tensor tests of phase_router.moe; Open MPI for
# phase-router-mpi, tools/mpi, which the build skips where MPI is missing;
# clang, its sanitizer and libFuzzer runtimes and LLVM's OpenMP for the TSan
# build and the fuzzers, .ci/sanitizers.sh and .ci/fuzz.sh).
# Idempotent: installs only the packages that are missing and runs
# `apt-get update` only when there is something to install.
#   tools/setup.sh           build + test dependencies
#   tools/setup.sh --arm64   also the arm64 cross toolchain and qemu
#   tools/setup.sh --list    print the packages (with --arm64: those too), one a line
#   tools/setup.sh --check   exit 1 naming the missing packages, install nothing
# How a fresh Debian 12 root was checked with it: docs/reliability.md,
# "A fresh Debian 12 machine".
set -euo pipefail

packages=(
  build-essential cmake pkg-config python3
  libhwy-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libpng-dev
  python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pytest
  python3-matplotlib python3-torch openmpi-bin libopenmpi-dev
  clang libclang-rt-14-dev libomp-dev
)
arm64=0
mode=install
for arg in "$@"; do
  case $arg in
    --arm64) arm64=1 ;;
    --list) mode=list ;;
    --check) mode=check ;;
    *)
      echo "usage: $0 [--arm64] [--list | --check]" >&2
      exit 2
      ;;
  esac
done
arm64_packages=()
if ((arm64)); then
  arm64_packages=(g++-aarch64-linux-gnu qemu-user libhwy-dev:arm64
                  libgtest-dev:arm64 libgmock-dev:arm64 libbenchmark-dev:arm64
                  libgomp1:arm64)
fi

if [[ $mode == list ]]; then
  printf '%s\n' "${packages[@]}" "${arm64_packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}" "${arm64_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all $((${#packages[@]} + ${#arm64_packages[@]})) required packages are installed"
  exit 0
fi
if [[ $mode == check ]]; then
  echo "setup: missing: ${missing[*]} (run tools/setup.sh)" >&2
  exit 1
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
if ((arm64)) && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $sudo dpkg --add-architecture arm64
fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
