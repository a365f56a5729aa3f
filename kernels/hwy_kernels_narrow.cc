// The Highway kernels of the narrow (AVX2, SSE4, SSSE3; Arm: NEON) targets (kernels/hwy_targets.h): one
// translation unit per group, so the per-target passes compile in parallel.
// The other group's targets are disabled here; the baseline (EMU128) pass
// compiles no kernel.
#include "kernels/hwy_target_groups.h"
#define HWY_DISABLED_TARGETS PHASE_ROUTER_WIDE_TARGETS
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/hwy_kernels_narrow.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "kernels/hwy_kernels-inl.h"

#if HWY_ONCE
#include "kernels/hwy_compiled_here.h"

namespace phase_router {
void AppendNarrowHwyTargets(std::vector<HwyTarget>* out) { AppendTargetsCompiledHere(out); }
}  // namespace phase_router
#endif  // HWY_ONCE
