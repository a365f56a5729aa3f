// The arc path of one Highway target: TargetArcKernels forwards to this
// target's listing by the source arc and selection from a list, and
// RouteArcsOnTarget runs RouteArcsWith<TargetArcKernels>
// (arc_path_stages.h). Re-included once per target by the group
// translation units (arc_path_wide.cc, arc_path_narrow.cc), each of which
// exports its targets' entries.

// Per-target include guard: this file is re-included once per target.
#if defined(PHASE_ROUTER_ROUTER_ARC_PATH_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_ROUTER_ARC_PATH_INL_H_
#undef PHASE_ROUTER_ROUTER_ARC_PATH_INL_H_
#else
#define PHASE_ROUTER_ROUTER_ARC_PATH_INL_H_
#endif

#include "hwy/highway.h"

#if HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
#include "kernels/arc_candidates-inl.h"
#include "kernels/select_list-inl.h"
#endif
#include "router/arc_path_stages.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace {  // each group unit's baseline pass defines these too

using arc_path::ArcPathCall;
using arc_path::RouteArcsWith;

#if HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
struct TargetArcKernels {
  static size_t ListBySourceArc(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                                uint32_t* ids) {
    return HWY_NAMESPACE::ListBySourceArc(arcs, s, phi, y, ids);
  }
  static void SelectFromList(uint32_t* ids, size_t c, uint32_t k, bool random,
                             uint32_t row_constant, size_t id_bound, int32_t* out,
                             uint32_t* keys, uint64_t* bitmap) {
    HWY_NAMESPACE::SelectFromList(ids, c, k, random, row_constant, id_bound, out, keys, bitmap);
  }
};

const char* RouteArcsOnTarget(const ArcPathCall& c) {
  RouteArcsWith<TargetArcKernels>(c.plan, c.options, c.s, c.arcs_total, c.w, c.out, c.timer);
  return hwy::TargetName(HWY_TARGET);
}
#else
// SCALAR/EMU128 are not offered (dispatch/), but HWY_EXPORT's table needs
// an entry for them.
const char* RouteArcsOnTarget(const ArcPathCall& c) { return arc_path::RouteArcsGeneric(c); }
#endif

}  // namespace
// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_ROUTER_ARC_PATH_INL_H_
