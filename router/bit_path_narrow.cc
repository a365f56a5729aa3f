// The bit path of the narrow (AVX2, SSE4, SSSE3; Arm: NEON) targets
// (kernels/hwy_target_groups.h): one translation unit per group, as the
// kernels, so the per-target passes compile in parallel.
#include "kernels/hwy_target_groups.h"
#define HWY_DISABLED_TARGETS PHASE_ROUTER_WIDE_TARGETS
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "router/bit_path_narrow.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "router/bit_path-inl.h"

#if HWY_ONCE
#include "router/dispatch_index.h"

namespace phase_router {
namespace bit_path {

HWY_EXPORT(RouteBitsOnTarget);

BitPathEntry NarrowBitPath(int64_t target) {
  // DispatchIndex is defined only for the targets compiled here.
  if ((HWY_TARGETS & target) == 0) return nullptr;
  return HWY_DISPATCH_TABLE(RouteBitsOnTarget)[DispatchIndex(target)];
}

}  // namespace bit_path
}  // namespace phase_router
#endif  // HWY_ONCE
