// Option checks shared by the router, the hash router, the baselines and the
// seed statistics, so that each refuses the same input with the same
// message. Internal: not installed.
#ifndef PHASE_ROUTER_ROUTER_VALIDATION_H_
#define PHASE_ROUTER_ROUTER_VALIDATION_H_

#include "phase_router/phase_router.h"

namespace phase_router {

// More OpenMP threads than this is a typo, not a machine; OpenMP would abort
// trying to start them.
inline constexpr int kMaxThreads = 4096;

// Options::threads in [0, kMaxThreads], else Error(kBadOption) naming it.
void CheckThreads(const Options& options);

// The threads a call runs on: Options::threads, or OpenMP's default for 0.
int ThreadsOf(const Options& options);

// The baselines and the seed statistics route whole routings only: refuses
// a row range (Options::row_begin/row_end) with Error(kBadOption) naming
// `function`, rather than writing M rows into a buffer sized for fewer.
void RequireAllRows(const Options& options, const char* function);

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_VALIDATION_H_
