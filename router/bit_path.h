// The bit-matrix path (SPEC.md steps 3-7 on bit matrices): rotation,
// the column gathers, T's transpose, and the candidates fused with the
// selection. One dispatch per call (RouteBits) picks the per-target
// instantiation of the whole path; every stage then calls that target's
// kernels directly on its row bands.
#ifndef PHASE_ROUTER_ROUTER_BIT_PATH_H_
#define PHASE_ROUTER_ROUTER_BIT_PATH_H_

#include <cstdint>

#include "kernels/kernel_table.h"
#include "phase_router/phase_router.h"
#include "router/pipeline.h"
#include "router/plan.h"
#include "router/workspace.h"

namespace phase_router {

// Rows [row_begin, row_end) of `plan` into out (plan.rows() x k), with the
// candidate counts in w.counts; s holds the source degrees (M entries, read
// up to row_end) and w the phase offsets, the target layout and the ring
// positions (router.cc computes them first). Runs the path compiled for
// K's target (K.target: a Highway target bit, 0 for generic) and returns
// the name of the code that ran.
const char* RouteBits(const KernelTable& K, const Input& in, const Plan& plan,
                      const Options& options, const uint32_t* s, Workspace& w, int32_t* out,
                      StageTimer& timer);

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_BIT_PATH_H_
