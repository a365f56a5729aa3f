#!/usr/bin/env bash
# The warning flags reach the SIMD bodies (cmake/hwy_warnings.cmake): a
# planted -inl.h with an unused variable, re-included per target by
# foreach_target.h as the kernels are, compiled with the build's compiler,
# flags and Highway include directory, must warn once per target pass
# (more than once); through the system directory alone it warns at most
# once (the static target's pass), which is what hid the kernels' warnings.
#   simd_warnings_test.sh CXX HWY_INCLUDE [FLAGS...]
set -euo pipefail
cxx=$1 hwy_include=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/planted-inl.h" <<'CODE'
#if defined(PLANTED_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PLANTED_INL_H_
#undef PLANTED_INL_H_
#else
#define PLANTED_INL_H_
#endif
#include "hwy/highway.h"
HWY_BEFORE_NAMESPACE();
namespace planted {
namespace HWY_NAMESPACE {
HWY_INLINE int Planted(int x) {
  int planted_unused_variable = x;
  return x;
}
}  // namespace HWY_NAMESPACE
}  // namespace planted
HWY_AFTER_NAMESPACE();
#endif
CODE
cat >"$dir/planted.cc" <<'CODE'
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "planted.cc"
#include "hwy/foreach_target.h"
#include "hwy/highway.h"
#include "planted-inl.h"
HWY_BEFORE_NAMESPACE();
namespace planted {
namespace HWY_NAMESPACE {
int Call(int x) { return Planted(x); }
}  // namespace HWY_NAMESPACE
}  // namespace planted
HWY_AFTER_NAMESPACE();
CODE
count() {  # warnings about the planted variable
  "$cxx" -std=c++20 -Wall -Wextra "$@" -I"$dir" -c "$dir/planted.cc" -o "$dir/planted.o" 2>&1 |
    grep -c 'warning:.*planted_unused_variable' || true
}
with=$(count -I"$hwy_include" "$@")
without=$(count "$@")
echo "planted warning: $with time(s) through $hwy_include, $without through the system directory"
if ((with < 2)); then
  echo "simd_warnings_test: the per-target passes of an -inl.h are not checked" >&2
  exit 1
fi
if ((without > 1)); then
  echo "simd_warnings_test: the system directory reports every pass too: the check proves nothing here" >&2
  exit 1
fi
