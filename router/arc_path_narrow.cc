// The arc path of the narrow (AVX2, SSE4, SSSE3; Arm: NEON) targets
// (kernels/hwy_target_groups.h): one translation unit per group, as the
// kernels, so the per-target passes compile in parallel.
#include "kernels/hwy_target_groups.h"
#define HWY_DISABLED_TARGETS PHASE_ROUTER_WIDE_TARGETS
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "router/arc_path_narrow.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "router/arc_path-inl.h"

#if HWY_ONCE
#include "router/dispatch_index.h"

namespace phase_router {
namespace arc_path {

HWY_EXPORT(RouteArcsOnTarget);

ArcPathEntry NarrowArcPath(int64_t target) {
  // DispatchIndex is defined only for the targets compiled here.
  if ((HWY_TARGETS & target) == 0) return nullptr;
  return HWY_DISPATCH_TABLE(RouteArcsOnTarget)[DispatchIndex(target)];
}

}  // namespace arc_path
}  // namespace phase_router
#endif  // HWY_ONCE
