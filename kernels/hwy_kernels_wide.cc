// The Highway kernels of the wide (AVX-512: AVX3_DL, AVX3; Arm: SVE, SVE2, SVE_256, SVE2_128) targets (kernels/hwy_targets.h): one
// translation unit per group, so the per-target passes compile in parallel.
// The other group's targets are disabled here; the baseline (EMU128) pass
// compiles no kernel.
#include "kernels/hwy_target_groups.h"
#define HWY_DISABLED_TARGETS PHASE_ROUTER_NARROW_TARGETS
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/hwy_kernels_wide.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "kernels/hwy_kernels-inl.h"

#if HWY_ONCE
#include "kernels/hwy_compiled_here.h"

namespace phase_router {
void AppendWideHwyTargets(std::vector<HwyTarget>* out) { AppendTargetsCompiledHere(out); }
}  // namespace phase_router
#endif  // HWY_ONCE
