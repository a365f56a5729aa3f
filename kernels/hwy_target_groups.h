// The two groups of Highway targets that per-target code is compiled in,
// one translation unit per group so that a build compiles them in parallel
// (kernels/hwy_kernels_wide.cc and _narrow.cc; router/bit_path_*.cc and
// arc_path_*.cc). A group's unit disables the other group's targets:
//   #include "kernels/hwy_target_groups.h"
//   #define HWY_DISABLED_TARGETS PHASE_ROUTER_NARROW_TARGETS  // the wide unit
// before anything includes Highway. The names expand to Highway's target
// bits where HWY_DISABLED_TARGETS is read, after Highway defines them.
#ifndef PHASE_ROUTER_KERNELS_HWY_TARGET_GROUPS_H_
#define PHASE_ROUTER_KERNELS_HWY_TARGET_GROUPS_H_

// AVX-512 and SVE: the wide vectors.
#define PHASE_ROUTER_WIDE_TARGETS \
  (HWY_AVX3 | HWY_AVX3_DL | HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128)
// AVX2, SSE4, SSSE3 and NEON.
#define PHASE_ROUTER_NARROW_TARGETS (HWY_AVX2 | HWY_SSE4 | HWY_SSSE3 | HWY_NEON)

#endif  // PHASE_ROUTER_KERNELS_HWY_TARGET_GROUPS_H_
