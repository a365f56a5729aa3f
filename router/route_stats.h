// The route-derived fields of Stats (active routes, fill, target loads),
// counted on the routing's threads.
#ifndef PHASE_ROUTER_ROUTER_ROUTE_STATS_H_
#define PHASE_ROUTER_ROUTER_ROUTE_STATS_H_

#include <cstddef>
#include <cstdint>

#include "phase_router/phase_router.h"

namespace phase_router {

// ComputeRouteStats on up to `threads` OpenMP threads: bands of rows, one
// load count per target per thread, summed at the end. A thread is used
// only where its counts (E words) take at most an eighth of the bytes of
// the routes it reads, so the extra memory stays a fraction of the output
// the caller already holds. Counting is exact, so the result does not
// depend on the thread count.
void ComputeRouteStatsOn(const int32_t* routes, size_t M, size_t E, size_t k, int threads,
                         Stats* stats);

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_ROUTE_STATS_H_
