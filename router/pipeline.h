// What the router's two paths share (bit_path_stages.h: the bit-matrix path;
// arc_path_stages.h: arc intersection; router.cc runs the stages before them):
// stage timing, row bands over OpenMP threads, phase offsets, the target
// layout and the folded permutations.
#ifndef PHASE_ROUTER_ROUTER_PIPELINE_H_
#define PHASE_ROUTER_ROUTER_PIPELINE_H_

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "kernels/kernel_table.h"
#include "kernels/feistel_permute.h"
#include "kernels/random.h"
#include "kernels/target_layout.h"
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
  // One band, or one thread: no parallel region at all (even a disabled
  // one costs a microsecond, which small routings pay per stage). Not
  // inside another parallel region (analysis.cc routes seeds on threads):
  // there only a region of its own makes omp_get_thread_num(), which the
  // bodies use to pick their scratch, start at 0.
  if ((bands <= 1 || threads <= 1) && !omp_in_parallel()) {
    if (n > 0) body(0, n);
    return;
  }
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

// Σ degrees[begin, end): the phase offsets' prefix and the tiling rule's
// Σs. The one pass over the sources a row range makes besides its own rows.
inline uint64_t SumOfDegrees(const uint32_t* degrees, size_t begin, size_t end) {
  uint64_t sum = 0;
  for (size_t i = begin; i < end; ++i) sum += degrees[i];
  return sum;
}

// Phase offsets of rows [begin, end): exclusive prefix sums of the degrees
// mod the ring, offsets[r - begin] for row r, from `before` = Σ of the
// degrees of the rows before `begin`.
inline void PhaseOffsets(const uint32_t* degrees, uint64_t before, size_t begin, size_t end,
                         size_t ring, uint32_t* offsets) {
  uint64_t sum = before % ring;
  // Degrees are at most the ring (validated), so one subtraction reduces.
  for (size_t i = begin; i < end; ++i) {
    offsets[i - begin] = static_cast<uint32_t>(sum);
    sum += degrees[i];
    sum -= sum >= ring ? ring : 0;
  }
}

// Elements per band of the permutation kernel: about 10 us of work.
inline constexpr size_t kPermuteGrain = 4096;

// out[j] = fperm(key, n, x_j) (or the inverse) for j < count, x_j = in[j] or
// first + j, in bands on threads; through a table of the rounds (built
// into `rounds` in bands first) when that pays (kernels/feistel_permute.h).
inline void PermuteIndices(const KernelTable& K, uint64_t key, size_t n, FeistelDirection direction,
                           const uint32_t* in, size_t first, size_t count, uint32_t* out,
                           uint16_t* rounds, int threads) {
  const uint16_t* table = nullptr;
  if (FeistelTablePays(n, count)) {
    const size_t entries = FeistelTableEntries(n);
    ParallelBands(entries, kPermuteGrain, threads,
                  [&](size_t e0, size_t e1) { K.build_feistel_table(key, n, e0, e1, rounds); });
    table = rounds;
  }
  ParallelBands(count, kPermuteGrain, threads, [&](size_t b0, size_t b1) {
    K.feistel_permute(key, n, table, direction, in ? in + b0 : nullptr,
                      static_cast<uint32_t>(first + b0), b1 - b0, out + b0);
  });
}

// out[j] = p[r^-1[first + j]] for j < count, with p = fperm(domain_key(column), n)
// and r = fperm(domain_key(row), n) when row_perm (else the identity): where
// column first + j of the relabelled matrix comes from (bit_path_stages.h explains
// the folding). Each element is O(1), so bands run on threads and a row
// range computes only its own.
inline void FoldedPositions(const KernelTable& K, uint64_t seed, Domain column, Domain row,
                            bool row_perm, size_t n, size_t first, size_t count, uint32_t* out,
                            uint16_t* rounds, int threads) {
  const uint64_t column_key = DomainKey(seed, column);
  if (row_perm) {
    PermuteIndices(K, DomainKey(seed, row), n, FeistelDirection::kInverse, nullptr, first, count,
                   out, rounds, threads);
    PermuteIndices(K, column_key, n, FeistelDirection::kForward, out, 0, count, out, rounds,
                   threads);
  } else {
    PermuteIndices(K, column_key, n, FeistelDirection::kForward, nullptr, first, count, out,
                   rounds, threads);
  }
}

// The positions of SPEC.md steps 4-5 with the row permutations folded in:
// q_s (every target's column on Z_E) and q_t (the routed rows' positions on
// Z_M: plan.rows() entries).
inline void RingPositions(const KernelTable& K, const Plan& plan, uint64_t seed, Workspace& w) {
  const int threads = static_cast<int>(plan.threads);
  FoldedPositions(K, seed, Domain::kSourceColumns, Domain::kTargetRows, plan.row_perm, plan.E, 0,
                  plan.E, w.q_s.data(), w.rounds.data(), threads);
  FoldedPositions(K, seed, Domain::kTargetColumns, Domain::kSourceRows, plan.row_perm, plan.M,
                  plan.row_begin, plan.rows(), w.q_t.data(), w.rounds.data(), threads);
}

// SPEC.md step 2 for the targets: the lay-out order (w.order[p] = sigma^-1[p]),
// then the arcs' lengths t' (w.t_arc), offsets psi (w.psi) and starts by
// place (w.start), scaled when `tile`.
inline TargetLayout LayOutTargets(const KernelTable& K, const Plan& plan, uint64_t seed,
                                  bool tile, Workspace& w) {
  PermuteIndices(K, DomainKey(seed, Domain::kLayout), plan.E, FeistelDirection::kInverse, nullptr,
                 0, plan.E, w.order.data(), w.rounds.data(), static_cast<int>(plan.threads));
  return LayTargetArcs(w.t.data(), w.order.data(), plan.E, plan.M, tile, w.t_arc.data(),
                       w.psi.data(), w.start.data());
}

// The arc-intersection path (arc_path_stages.h): rows [row_begin, row_end) of an
// aligned routing whose source degrees are s (M entries; read up to
// row_end), target arcs laid out in w (LayOutTargets) and phase offsets
// in w.phi, into out, with the candidate counts in w.counts. The workspace
// is reserved for `plan`. Runs the path compiled for K's target (0:
// generic) and returns the name of the code that ran.
const char* RouteArcs(const KernelTable& K, const Plan& plan, const Options& options,
                      const uint32_t* s, uint64_t arcs_total, Workspace& w, int32_t* out,
                      StageTimer& timer);

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_PIPELINE_H_
