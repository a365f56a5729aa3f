#include "router/plan.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/arc_candidates.h"
#include "kernels/bit_matrix.h"
#include "router/saturate.h"
#include "router/validation.h"
#include "router/workspace.h"

namespace phase_router {

uint64_t MemoryLimit(const Options& options) {
  return options.memory_limit ? options.memory_limit : DefaultMemoryLimit();
}

void CountRows(const KernelTable& K, const Input& in, bool source_side, size_t r0, size_t r1,
               uint32_t* out) {
  if (in.kind == Input::kDegrees) {
    const auto& d = source_side ? in.s_degrees : in.t_degrees;
    std::copy(d.begin() + r0, d.begin() + r1, out);
  } else if (in.kind == Input::kBits) {
    const BitMatrixView& v = source_side ? in.s_bits : in.t_bits;
    const size_t words = WordsFor(v.cols), stride = v.stride ? v.stride : words;
    const uint64_t* rows = v.words + r0 * stride;
    // a & a = a: the AND kernel with no output is a row popcount.
    K.and_popcount_rows(rows, stride, rows, stride, nullptr, r1 - r0, words, nullptr, 0, out);
  } else {
    const ByteMatrixView& v = source_side ? in.s_bytes : in.t_bytes;
    const size_t stride = v.stride ? v.stride : v.cols;
    K.count_nonzero_bytes(v.data + r0 * stride, stride, r1 - r0, v.cols, out);
  }
}


namespace {

// Threads for one call: the requested number, else OpenMP's default; but a
// routing below kParallelBits bits (rows routed x E) runs on the calling
// thread alone, where waking a team would cost more than the whole call.
constexpr uint64_t kParallelBits = uint64_t{1} << 20;
int ThreadsFor(size_t rows, size_t E, const Options& options) {
  if (static_cast<uint64_t>(rows) * E < kParallelBits) return 1;
  return ThreadsOf(options);
}


// The cost model (docs/scale.md): nanoseconds per routed row on one core,
// fitted (least relative squares) to bench/scale_bench.cc's one-thread runs
// on Zen 4, AVX3_DL (12 shapes across M, E, k and density; the fit picks
// the faster method on all 12). With H = ceil(Σt / M) the arcs over a
// position and c_i = s_i Σt / (E M) the expected candidates:
//   arcs: kArcRowNs + kArcTestNs * min(s_i, kSearchCost * H)
//   bits: kBitRowNs + kBitWordNs * ceil(E / 64) + kBitCandidateNs * c_i
// The bit path pays per word of the row (fill, gather transpose, AND, the
// selection's scan) and little per candidate (keys hashed in vectors); the
// arc path pays per test or search, and its candidates' cost (keys and
// ranks in vectors since the selection runs per target) fits as nothing
// beyond that. Where the call's target lists by the source arc in vectors
// (ListsSourceArcsInVectors), a tested position of it costs
// kArcVectorTestNs instead: that listing took 0.6x the portable loop's time
// a position in kernels_bench (ListBySourceArc, AVX3_DL: 46.9 against
// 79.1 ns a source of 64), and at 4096^2, d = 1/16, the model had taken
// bits (1.4 ms) where arcs ran 1.2 ms (docs/scale.md). The search of the
// target arcs is portable on every target and keeps kArcTestNs.
constexpr double kArcRowNs = 17, kArcTestNs = 1.6, kArcVectorTestNs = 1.0;
constexpr double kBitRowNs = 24, kBitWordNs = 4.0, kBitCandidateNs = 0.4;

// The rows routed are estimated from a sample of about kSampleRows of them
// (every step-th row), and so are a matrix's targets: counting every row
// here would read both matrices once more before the routing counts them
// again (4096 x 4096 bytes: 1.2 ms of a 3.8 ms routing), and even the
// per-row sum over a degree vector was 9% of a routing at 8192 x 64, k = 2.
// The routes are the same whichever method runs, so an estimate can only
// cost time, never change a route, and it is deterministic. A target
// degree vector is summed whole (one add an entry).
constexpr size_t kSampleRows = 256;

size_t SampleStep(size_t rows) { return std::max<size_t>(1, rows / kSampleRows); }

// f(degree) for rows begin, begin + step, ... < end of one side.
template <class F>
void ForEachDegree(const KernelTable& K, const Input& in, bool source_side, size_t begin,
                   size_t end, size_t step, const F& f) {
  constexpr size_t kChunk = 1024;
  uint32_t degrees[kChunk];
  if (step > 1) {
    for (size_t r = begin; r < end; r += step) {
      CountRows(K, in, source_side, r, r + 1, degrees);
      f(degrees[0]);
    }
    return;
  }
  for (size_t r = begin; r < end; r += kChunk) {
    const size_t n = std::min(kChunk, end - r);
    CountRows(K, in, source_side, r, r + n, degrees);
    for (size_t x = 0; x < n; ++x) f(degrees[x]);
  }
}

bool ArcsCheaper(const KernelTable& K, const Input& in, const Plan& plan) {
  const size_t t_step = in.kind == Input::kDegrees ? 1 : SampleStep(plan.E);
  double total = 0;
  ForEachDegree(K, in, false, 0, plan.E, t_step, [&](uint32_t d) { total += d; });
  total *= static_cast<double>(t_step);  // the sample scaled to every target
  const double M = static_cast<double>(plan.M), E = static_cast<double>(plan.E);
  const double search = std::ceil(total / M) * static_cast<double>(ArcCostModel::kSearchCost);
  const double candidates_per_degree = total / (E * M);
  const double bit_row = kBitRowNs + kBitWordNs * static_cast<double>(WordsFor(plan.E));
  const double position_ns = ListsSourceArcsInVectors(K.target) ? kArcVectorTestNs : kArcTestNs;
  double arcs = 0, bits = 0;  // both over the same rows: their ratio is what counts
  ForEachDegree(K, in, true, plan.row_begin, plan.row_end, SampleStep(plan.rows()),
                [&](uint32_t d) {
                  const double s = d, c = s * candidates_per_degree;
                  arcs += kArcRowNs + (s < search ? position_ns * s : kArcTestNs * search);
                  bits += bit_row + kBitCandidateNs * c;
                });
  return arcs < bits;
}

// The memory ceiling (Options::memory_limit): counted from the same formula
// that sizes the workspace, before anything is allocated. `routes`: the
// bytes of an owned result, 0 when the caller holds the output.
void CheckMemory(const Plan& plan, const Options& options, uint64_t routes) {
  const uint64_t limit = MemoryLimit(options);
  const uint64_t workspace = WorkspaceSizes::For(plan).bytes;
  const uint64_t need = SatAdd(workspace, routes);
  if (need <= limit) return;
  std::string range;
  if (plan.partial()) {
    range = " rows [" + std::to_string(plan.row_begin) + ", " + std::to_string(plan.row_end) +
            ")";
  }
  throw Error(ErrorCode::kOutOfMemory,
              "routing " + ShapeText(plan.M, plan.E) + range + " with k = " +
                  std::to_string(options.k) + " by " + (plan.arcs ? "arcs" : "bits") +
                  " on " + std::to_string(plan.threads) + " thread(s) needs " +
                  std::to_string(need) + " bytes (" + HumanBytes(need) + ": " +
                  std::to_string(workspace) + " of workspace + " + std::to_string(routes) +
                  " of routes), over the memory limit of " + std::to_string(limit) +
                  " bytes (" + HumanBytes(limit) + "); raise memory_limit to allow it");
}

}  // namespace

Plan PlanRouting(const KernelTable& K, const Input& in, size_t M, size_t E,
                 const Options& options, uint64_t routes) {
  Plan plan;
  plan.M = M;
  plan.E = E;
  plan.row_begin = options.row_begin;
  plan.row_end = options.row_end ? options.row_end : M;
  plan.aligned = in.kind == Input::kDegrees || options.align;
  plan.degrees = in.kind == Input::kDegrees;
  plan.row_perm = options.row_perm;
  // The arc method's work is per source, not per bit: narrow routings
  // still spread over threads from a few thousand sources.
  auto set_method = [&](bool arcs) {
    plan.arcs = arcs;
    plan.threads = static_cast<size_t>(
        ThreadsFor(plan.rows(), arcs ? std::max<size_t>(E, 256) : E, options));
  };
  set_method(false);
  switch (options.method) {
    case Method::kArcs:
      if (!plan.aligned) {
        throw Error(ErrorCode::kBadOption,
                    "method arcs needs aligned input (degree vectors, or matrices with "
                    "align on); this call has align off");
      }
      set_method(true);
      break;
    case Method::kBits:
      break;
    case Method::kAuto:
      if (plan.aligned) {
        set_method(ArcsCheaper(K, in, plan));
        // Bit matrices over the ceiling: the arcs may still fit.
        if (!plan.arcs && SatAdd(WorkspaceSizes::For(plan).bytes, routes) > MemoryLimit(options)) {
          set_method(true);
          if (SatAdd(WorkspaceSizes::For(plan).bytes, routes) > MemoryLimit(options)) {
            set_method(false);  // neither fits: report the bits' need
          }
        }
      }
      break;
    default:
      throw Error(ErrorCode::kBadOption, "unknown method " +
                                             std::to_string(static_cast<int>(options.method)));
  }
  CheckMemory(plan, options, routes);
  return plan;
}

}  // namespace phase_router
