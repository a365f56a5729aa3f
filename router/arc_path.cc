// The arc path's one dispatch per call: the generic backend's
// instantiation here, or the entry of the call's target from the group
// unit that compiled it (arc_path_wide.cc, arc_path_narrow.cc). The path
// itself is arc_path_stages.h.
#include <string>

#include "phase_router/error.h"
#include "router/arc_path_stages.h"
#include "router/pipeline.h"

namespace phase_router {

namespace arc_path {

const char* RouteArcsGeneric(const ArcPathCall& c) {
  RouteArcsWith<GenericArcKernels>(c.plan, c.options, c.s, c.arcs_total, c.w, c.out, c.timer);
  return GenericArcKernels::kName;
}

}  // namespace arc_path

const char* RouteArcs(const KernelTable& K, const Plan& plan, const Options& options,
                      const uint32_t* s, uint64_t arcs_total, Workspace& w, int32_t* out,
                      StageTimer& timer) {
  const arc_path::ArcPathCall call{plan, options, s, arcs_total, w, out, timer};
  if (K.target == 0) return arc_path::RouteArcsGeneric(call);
  // Every target with a kernel table is compiled in one of the groups.
  arc_path::ArcPathEntry entry = arc_path::WideArcPath(K.target);
  if (entry == nullptr) entry = arc_path::NarrowArcPath(K.target);
  if (entry == nullptr) {  // a table from a build whose groups differ: never a crash
    throw Error(ErrorCode::kBadOption, std::string("no arc path compiled for target ") + K.name);
  }
  return entry(call);
}

}  // namespace phase_router
