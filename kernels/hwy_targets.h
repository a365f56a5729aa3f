// The Highway targets compiled into this binary, each with its kernel
// table. The kernels are compiled in two translation units, one per group
// of targets (kernels/hwy_kernels_wide.cc: AVX-512 and SVE;
// kernels/hwy_kernels_narrow.cc: AVX2, SSE4, SSSE3 and NEON), so that a
// build compiles them in parallel; both re-include hwy_kernels-inl.h.
#ifndef PHASE_ROUTER_KERNELS_HWY_TARGETS_H_
#define PHASE_ROUTER_KERNELS_HWY_TARGETS_H_

#include <cstdint>
#include <vector>

#include "kernels/kernel_table.h"

namespace phase_router {

struct HwyTarget {
  int64_t bit;                 // HWY_AVX2 etc.
  const KernelTable* kernels;  // its name is hwy::TargetName(bit)
};

// Each group's targets, appended to `out`.
void AppendWideHwyTargets(std::vector<HwyTarget>* out);
void AppendNarrowHwyTargets(std::vector<HwyTarget>* out);

// Every compiled target, best first (lower Highway bits are better).
std::vector<HwyTarget> HwyCompiledTargets();

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_HWY_TARGETS_H_
