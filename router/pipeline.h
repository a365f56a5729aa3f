// What the router's two paths share (router.cc: the bit-matrix pipeline and
// the plan; arc_path.cc: arc intersection): stage timing, row bands over
// OpenMP threads, phase offsets and the folded permutations.
#ifndef PHASE_ROUTER_ROUTER_PIPELINE_H_
#define PHASE_ROUTER_ROUTER_PIPELINE_H_

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "kernels/random.h"
#include "phase_router/phase_router.h"
#include "router/workspace.h"

namespace phase_router {

using Clock = std::chrono::steady_clock;

// Accumulates milliseconds per named stage, keeping first-seen order.
class StageTimer {
 public:
  explicit StageTimer(Stats* stats) : stats_(stats), start_(Clock::now()) {}
  void Stop(const char* stage) {
    const Clock::time_point now = Clock::now();
    if (stats_) {
      const double ms = std::chrono::duration<double, std::milli>(now - start_).count();
      auto it = std::find_if(stats_->stage_ms.begin(), stats_->stage_ms.end(),
                             [&](const auto& p) { return p.first == stage; });
      if (it == stats_->stage_ms.end()) {
        stats_->stage_ms.emplace_back(stage, ms);
      } else {
        it->second += ms;
      }
    }
    start_ = now;
  }

 private:
  Stats* stats_;
  Clock::time_point start_;
};

// Runs body(begin, end) over [0, n) in bands of `grain` on `threads` threads.
template <class Body>
void ParallelBands(size_t n, size_t grain, int threads, const Body& body) {
  const size_t bands = (n + grain - 1) / grain;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (bands > 1)
  for (size_t band = 0; band < bands; ++band) {
    body(band * grain, std::min(n, (band + 1) * grain));
  }
}

// Row grain for the row-parallel stages: enough work per band to amortize
// scheduling, enough bands to balance.
inline size_t RowGrain(size_t rows, int threads) {
  return std::max<size_t>(1, std::min<size_t>(256, rows / (8 * threads) + 1));
}

// Phase offsets of rows [begin, end): exclusive prefix sums of the degrees
// mod the ring, offsets[r - begin] for row r (the rows before `begin` are
// summed, not stored).
inline void PhaseOffsets(const uint32_t* degrees, size_t begin, size_t end, size_t ring,
                         uint32_t* offsets) {
  uint64_t sum = 0;
  for (size_t i = 0; i < begin; ++i) sum += degrees[i];
  sum %= ring;
  // Degrees are at most the ring (validated), so one subtraction reduces.
  for (size_t i = begin; i < end; ++i) {
    offsets[i - begin] = static_cast<uint32_t>(sum);
    sum += degrees[i];
    sum -= sum >= ring ? ring : 0;
  }
}

// q[c] = p[r^-1[c]] with p = perm(domain_key(column)), r = perm(domain_key(row)):
// where column c of the relabelled matrix comes from.
inline void FoldedPermutation(uint64_t seed, Domain column, Domain row, size_t n,
                              uint32_t* scratch, uint32_t* inverse, uint32_t* q) {
  Perm(DomainKey(seed, row), n, scratch);
  for (size_t b = 0; b < n; ++b) inverse[scratch[b]] = static_cast<uint32_t>(b);
  Perm(DomainKey(seed, column), n, scratch);
  for (size_t c = 0; c < n; ++c) q[c] = scratch[inverse[c]];
}

// The column permutations with the optional row permutations folded in
// (router.cc explains the identity): q_s (E entries) and q_t (M entries).
inline void ColumnPermutations(const Plan& plan, uint64_t seed, Workspace& w) {
  if (plan.row_perm) {
    FoldedPermutation(seed, Domain::kSourceColumns, Domain::kTargetRows, plan.E,
                      w.perm.data(), w.inverse.data(), w.q_s.data());
    FoldedPermutation(seed, Domain::kTargetColumns, Domain::kSourceRows, plan.M,
                      w.perm.data(), w.inverse.data(), w.q_t.data());
  } else {
    Perm(DomainKey(seed, Domain::kSourceColumns), plan.E, w.q_s.data());
    Perm(DomainKey(seed, Domain::kTargetColumns), plan.M, w.q_t.data());
  }
}

// The arc-intersection path (arc_path.cc): rows [row_begin, row_end) of an
// aligned routing whose degrees are in w.s and w.t, into out, with the
// candidate counts in w.counts. The workspace is reserved for `plan`.
void RouteArcs(const Plan& plan, const Options& options, Workspace& w, int32_t* out,
               StageTimer& timer);

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_PIPELINE_H_
