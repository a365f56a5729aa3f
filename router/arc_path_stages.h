// The arc-intersection path: an aligned routing with no bit matrix
// (kernels/arc_candidates.h explains the geometry). Per source it lists the
// candidates the cheaper way, then runs SPEC.md's selection on the list.
// Sources are independent, so row bands run on OpenMP threads and write
// disjoint rows: the routes never depend on the number of threads.
//
// RouteArcsWith<Kernels> is the path for any Kernels: a target's
// (router/arc_path-inl.h: its ListBySourceArc and SelectFromList, keys
// hashed and ranked in vectors) or GenericArcKernels. Included by the group
// translation units that compile it per Highway target (arc_path_wide.cc,
// arc_path_narrow.cc) and by arc_path.cc, which picks one per call. The
// listing by the target arcs (a bucketed search: loads that depend on
// loads) is the portable code of arc_candidates.cc on every target.
#ifndef PHASE_ROUTER_ROUTER_ARC_PATH_STAGES_H_
#define PHASE_ROUTER_ROUTER_ARC_PATH_STAGES_H_

#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "kernels/arc_candidates.h"
#include "kernels/random.h"
#include "router/pipeline.h"

namespace phase_router {
namespace arc_path {

template <class Kernels>
void RouteArcsWith(const Plan& plan, const Options& options, const uint32_t* s,
                   uint64_t arcs_total, Workspace& w, int32_t* out, StageTimer& timer) {
  const size_t M = plan.M, E = plan.E, rows = plan.rows(), first_row = plan.row_begin;
  const int threads = static_cast<int>(plan.threads);

  for (size_t c = 0; c < E; ++c) w.target_at[w.q_s[c]] = static_cast<uint32_t>(c);
  TargetArcs arcs = TargetArcs::Of(M, E, w.t_arc.data(), w.psi.data(), w.q_s.data(),
                                   w.target_at.data());
  arcs.start = w.start.data();
  arcs.order = w.order.data();
  BuildArcIndex(ArcIndexSizes::For(E, arcs_total), w.first.data(), &arcs);
  timer.Stop("arc_index");

  const uint32_t k = options.k;
  const bool random = options.select == Select::kRandom;
  const uint64_t selection_key = DomainKey(options.seed, Domain::kSelection);
  // Eight bands a thread for balance, of 64 to 1024 sources: a source costs
  // 0.1 to a few microseconds, so smaller bands would pay OpenMP's
  // scheduling per source.
  const size_t grain = std::clamp<size_t>(rows / (8 * plan.threads) + 1, 64, 1024);
  ParallelBands(rows, grain, threads, [&](size_t r0, size_t r1) {
    const size_t tid = static_cast<size_t>(omp_get_thread_num());
    uint32_t* ids = w.ids.data() + tid * SelectIdsPerThread(E);
    uint32_t* keys = w.keys.data() + tid * SelectKeysPerThread(E);
    uint64_t* bitmap = w.bitmap.data() + tid * BitmapWordsPerThread(E);
    for (size_t r = r0; r < r1; ++r) {
      const size_t i = first_row + r;
      const uint32_t y = w.q_t[r];
      const size_t c = ArcCostModel::SearchTargets(s[i], arcs.HitsAt(y))
                           ? CandidatesByTargetArcs(arcs, s[i], w.phi[r], y, ids)
                           : Kernels::ListBySourceArc(arcs, s[i], w.phi[r], y, ids);
      w.counts[r] = static_cast<uint32_t>(c);
      const auto row_constant = static_cast<uint32_t>(Draw(selection_key, i));
      Kernels::SelectFromList(ids, c, k, random, row_constant, E, out + r * k, keys, bitmap);
    }
  });
  timer.Stop("select");
}

// The generic backend's listing and selection, in the shape of a target's.
struct GenericArcKernels {
  static constexpr const char* kName = "generic";
  static size_t ListBySourceArc(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                                uint32_t* ids) {
    return CandidatesBySourceArc(arcs, s, phi, y, ids);
  }
  static void SelectFromList(uint32_t* ids, size_t c, uint32_t k, bool random,
                             uint32_t row_constant, size_t id_bound, int32_t* out,
                             uint32_t* keys, uint64_t* bitmap) {
    SelectFromCandidates(ids, c, k, random, row_constant, id_bound, out, keys, bitmap);
  }
};

// What one routing hands the per-target path (HWY_EXPORT needs one
// signature), and a target's entry point.
struct ArcPathCall {
  const Plan& plan;
  const Options& options;
  const uint32_t* s;
  uint64_t arcs_total;
  Workspace& w;
  int32_t* out;
  StageTimer& timer;
};
using ArcPathEntry = const char* (*)(const ArcPathCall&);

// RouteArcsWith<GenericArcKernels> (arc_path.cc).
const char* RouteArcsGeneric(const ArcPathCall& c);

// The entry of `target` (a Highway target bit) from the group translation
// unit that compiled it (arc_path_wide.cc, arc_path_narrow.cc), or null
// where that unit did not.
ArcPathEntry WideArcPath(int64_t target);
ArcPathEntry NarrowArcPath(int64_t target);

}  // namespace arc_path
}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_ARC_PATH_STAGES_H_
