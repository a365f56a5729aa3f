// The arc-intersection path: an aligned routing with no bit matrix
// (kernels/arc_candidates.h explains the geometry). Per source it lists the
// candidates the cheaper way, then runs SPEC.md's selection on the list.
// Sources are independent, so row bands run on OpenMP threads and write
// disjoint rows: the routes never depend on the number of threads.
#include <omp.h>

#include <algorithm>

#include "kernels/arc_candidates.h"
#include "kernels/random.h"
#include "router/pipeline.h"

namespace phase_router {

void RouteArcs(const Plan& plan, const Options& options,
               const uint32_t* s, uint64_t arcs_total, Workspace& w, int32_t* out,
               StageTimer& timer) {
  const size_t M = plan.M, E = plan.E, rows = plan.rows(), first_row = plan.row_begin;
  const int threads = static_cast<int>(plan.threads);

  for (size_t c = 0; c < E; ++c) w.target_at[w.q_s[c]] = static_cast<uint32_t>(c);
  TargetArcs arcs;
  arcs.M = M;
  arcs.E = E;
  arcs.length = w.t_arc.data();
  arcs.offset = w.psi.data();
  arcs.position = w.q_s.data();
  arcs.target_at = w.target_at.data();
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
    uint32_t* ids = w.ids.data() + tid * E;
    uint32_t* keys = w.keys.data() + tid * E;
    uint64_t* bitmap = w.bitmap.data() + tid * BitmapWordsPerThread(E);
    for (size_t r = r0; r < r1; ++r) {
      const size_t i = first_row + r;
      const uint32_t y = w.q_t[r];
      const size_t c = ArcCostModel::SearchTargets(s[i], arcs.HitsAt(y))
                           ? CandidatesByTargetArcs(arcs, s[i], w.phi[r], y, ids)
                           : CandidatesBySourceArc(arcs, s[i], w.phi[r], y, ids);
      w.counts[r] = static_cast<uint32_t>(c);
      const auto row_constant = static_cast<uint32_t>(Draw(selection_key, i));
      SelectFromCandidates(ids, c, k, random, row_constant, E, out + r * k, keys, bitmap);
    }
  });
  timer.Stop("select");
}

}  // namespace phase_router
