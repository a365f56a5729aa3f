// What router/analysis.cc needs from router/baselines.cc beyond the public
// functions of phase_router/analysis.h. Internal: not installed.
#ifndef PHASE_ROUTER_ROUTER_BASELINES_H_
#define PHASE_ROUTER_ROUTER_BASELINES_H_

#include <cstdint>
#include <span>

#include "phase_router/analysis.h"

namespace phase_router {

// ChungLuRoute, also reporting each row's pairs kept before the caps (its
// candidates) in row_candidates[0, M) when that is not null.
void ChungLuRouteCounting(std::span<const uint32_t> s,
                          std::span<const uint32_t> t, const Options& options,
                          int32_t* out, uint32_t* row_candidates);

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_BASELINES_H_
