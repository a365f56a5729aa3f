// The public C++ API (phase_router.h): a call is validated (validation.h),
// planned (plan.h), then run: degrees, phase offsets, the target layout and
// the ring positions here, then the arc path (arc_path.cc) or the bit path
// (bit_path.cc). The kernels' target is picked once per call and handed to
// every stage, so a call never mixes targets even if another thread forces
// one meanwhile. Every band writes disjoint rows, so the routes never
// depend on the number of threads.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <new>
#include <string>

#include "dispatch/dispatch.h"
#include "kernels/random.h"
#include "kernels/target_layout.h"
#include "phase_router/phase_router.h"
#include "router/bit_path.h"
#include "router/pipeline.h"
#include "router/plan.h"
#include "router/route_stats.h"
#include "router/saturate.h"
#include "router/validation.h"
#include "router/workspace.h"

namespace phase_router {
namespace {

// SPEC.md step 2's tiling rule. The auto rule needs Σ s_i over every
// source (`before`: those before the range): degree vectors are summed in
// place; matrices have their rows past the range counted into w.s first
// (only then).
bool Tiles(const KernelTable& K, const Input& in, const Plan& plan, const Options& options,
           const uint32_t* s, uint64_t before, Workspace& w) {
  if (!plan.aligned || options.tiling == Tiling::kOff) return false;
  uint64_t L = 0;
  for (size_t j = 0; j < plan.E; ++j) L += w.t[j];
  if (L < plan.M) return false;
  if (options.tiling == Tiling::kOn) return true;
  if (!plan.degrees && plan.row_end < plan.M) {
    const int threads = static_cast<int>(plan.threads);
    const size_t rest = plan.M - plan.row_end;
    ParallelBands(rest, RowGrain(rest, threads), threads, [&](size_t r0, size_t r1) {
      CountRows(K, in, true, plan.row_end + r0, plan.row_end + r1, &w.s[plan.row_end + r0]);
    });
  }
  const uint64_t sum_s = before + SumOfDegrees(s, plan.row_begin, plan.M);
  return AutoTilingHolds(L, plan.M, sum_s, options.k, plan.E);
}

}  // namespace

struct Router::Impl {
  Workspace ws;

  void Run(const KernelTable& K, const Input& in, const Plan& plan, const Options& options,
           int32_t* out, Stats* stats);
  // A call into the caller's buffer: plan (checking the ceiling), then route.
  void RouteInto(const Input& in, size_t M, size_t E, const Options& options, int32_t* out,
                 Stats* stats);
  // The calls that return Routes: the ceiling counts the result too, so a
  // refused request never allocates its rows * k ids.
  Routes RouteOwned(const Input& in, size_t M, size_t E, const Options& options, Stats* stats);
};

void Router::Impl::Run(const KernelTable& K, const Input& in, const Plan& plan,
                       const Options& options, int32_t* out, Stats* stats) {
  const Clock::time_point t_begin = Clock::now();
  const int threads = static_cast<int>(plan.threads);
  if (stats) *stats = Stats{};
  StageTimer timer(stats);

  Workspace& w = ws;
  w.Reserve(plan);
  const size_t M = plan.M, E = plan.E, rows = plan.rows(), first_row = plan.row_begin;

  // Degrees of every source up to the range's end (the phase offsets sum
  // them) and of every target; degree vectors are read in place.
  const uint32_t* s = plan.degrees ? in.s_degrees.data() : w.s.data();
  if (!plan.degrees) {
    ParallelBands(plan.row_end, RowGrain(plan.row_end, threads), threads,
                  [&](size_t r0, size_t r1) { CountRows(K, in, true, r0, r1, &w.s[r0]); });
  }
  ParallelBands(E, RowGrain(E, threads), threads,
                [&](size_t r0, size_t r1) { CountRows(K, in, false, r0, r1, &w.t[r0]); });
  timer.Stop("degrees");

  // SPEC.md step 2: the sources' phase offsets, the targets' layout.
  const uint64_t before = SumOfDegrees(s, 0, first_row);
  PhaseOffsets(s, before, first_row, plan.row_end, E, w.phi.data());
  const TargetLayout layout =
      LayOutTargets(K, plan, options.seed, Tiles(K, in, plan, options, s, before, w), w);
  timer.Stop("phase_offsets");

  RingPositions(K, plan, options.seed, w);
  timer.Stop("permutations");

  // The name of the code that ran, returned by it.
  const char* ran = plan.arcs ? RouteArcs(K, plan, options, s, layout.total, w, out, timer)
                              : RouteBits(K, in, plan, options, s, w, out, timer);

  if (stats) {
    const size_t k = options.k;
    ComputeRouteStatsOn(out, rows, E, k, threads, stats);
    stats->M = M;
    stats->row_begin = plan.row_begin;
    stats->row_end = plan.row_end;
    uint64_t sum = 0;
    uint32_t lo = std::numeric_limits<uint32_t>::max(), hi = 0;
    for (size_t r = 0; r < rows; ++r) {
      sum += w.counts[r];
      lo = std::min(lo, w.counts[r]);
      hi = std::max(hi, w.counts[r]);
    }
    stats->candidates_min = lo;
    stats->candidates_max = hi;
    stats->candidates_mean = static_cast<double>(sum) / static_cast<double>(rows);
    stats->backend = ran;
    stats->method = plan.arcs ? "arcs" : "bits";
    stats->tiled = layout.tiled;
    stats->laps = layout.laps;
    timer.Stop("stats");
    stats->route_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - t_begin).count();
  }
}

// ---------------------------------------------------------------- API

Router::Router() : impl_(std::make_unique<Impl>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

size_t Router::workspace_bytes() const { return impl_->ws.bytes(); }

uint64_t Router::WorkspaceBytesFor(size_t M, size_t E, size_t threads) {
  Plan plan;
  plan.M = M;
  plan.E = E;
  plan.row_end = M;
  plan.threads = threads;
  plan.degrees = true;
  return WorkspaceSizes::For(plan).bytes;
}

uint64_t DefaultMemoryLimit() {
  static const uint64_t limit = [] {
    constexpr uint64_t k16GiB = uint64_t{16} << 30;
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_size <= 0) return k16GiB;
    const uint64_t physical =
        SatMul(static_cast<uint64_t>(pages), static_cast<uint64_t>(page_size));
    return std::min(k16GiB, physical / 2);
  }();
  return limit;
}

namespace {

// Validation of each kind of request, all before anything is allocated.
Input CheckedBytes(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options) {
  CheckShape(S.rows, S.cols, options);
  CheckPair(S.rows, S.cols, T.rows, T.cols);
  CheckView(S, "S");
  CheckView(T, "T");
  return Input{Input::kBytes, {}, {}, S, T, {}, {}};
}

Input CheckedBits(const BitMatrixView& S, const BitMatrixView& T, const Options& options) {
  CheckShape(S.rows, S.cols, options);
  CheckPair(S.rows, S.cols, T.rows, T.cols);
  CheckView(S, "S");
  CheckView(T, "T");
  return Input{Input::kBits, {}, {}, {}, {}, S, T};
}

Input CheckedDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                     const Options& options) {
  CheckShape(s.size(), t.size(), options);
  CheckDegrees(s, t.size(), "s", "E");
  CheckDegrees(t, s.size(), "t", "M");
  return Input{Input::kDegrees, s, t, {}, {}, {}, {}};
}

}  // namespace

void Router::Impl::RouteInto(const Input& in, size_t M, size_t E, const Options& options,
                             int32_t* out, Stats* stats) {
  if (out == nullptr) throw Error(ErrorCode::kBadData, "output buffer is null");
  const KernelTable& K = ActiveKernels();
  Run(K, in, PlanRouting(K, in, M, E, options, 0), options, out, stats);
}

Routes Router::Impl::RouteOwned(const Input& in, size_t M, size_t E, const Options& options,
                                Stats* stats) {
  const size_t rows = (options.row_end ? options.row_end : M) - options.row_begin;
  const uint64_t bytes = SatMul(SatMul(rows, options.k), sizeof(int32_t));
  const KernelTable& K = ActiveKernels();
  const Plan plan = PlanRouting(K, in, M, E, options, bytes);
  Routes routes;
  routes.M = rows;
  routes.k = options.k;
  routes.row_begin = options.row_begin;
  try {
    routes.ids.resize(rows * options.k);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kOutOfMemory, "cannot allocate the " + std::to_string(bytes) +
                                             " bytes of " + ShapeText(rows, options.k) + " routes");
  }
  Run(K, in, plan, options, routes.ids.data(), stats);
  return routes;
}

void Router::Route(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options,
                   int32_t* out, Stats* stats) {
  impl_->RouteInto(CheckedBytes(S, T, options), S.rows, S.cols, options, out, stats);
}

void Router::Route(const BitMatrixView& S, const BitMatrixView& T, const Options& options,
                   int32_t* out, Stats* stats) {
  impl_->RouteInto(CheckedBits(S, T, options), S.rows, S.cols, options, out, stats);
}

void Router::RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                          const Options& options, int32_t* out, Stats* stats) {
  impl_->RouteInto(CheckedDegrees(s, t, options), s.size(), t.size(), options, out, stats);
}

Routes Router::Route(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options,
                     Stats* stats) {
  return impl_->RouteOwned(CheckedBytes(S, T, options), S.rows, S.cols, options, stats);
}

Routes Router::Route(const BitMatrixView& S, const BitMatrixView& T, const Options& options,
                     Stats* stats) {
  return impl_->RouteOwned(CheckedBits(S, T, options), S.rows, S.cols, options, stats);
}

Routes Router::RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                            const Options& options, Stats* stats) {
  return impl_->RouteOwned(CheckedDegrees(s, t, options), s.size(), t.size(), options,
                     stats);
}

Routes Route(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options,
             Stats* stats) {
  return Router().Route(S, T, options, stats);
}

Routes Route(const BitMatrixView& S, const BitMatrixView& T, const Options& options,
             Stats* stats) {
  return Router().Route(S, T, options, stats);
}

Routes RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                    const Options& options, Stats* stats) {
  return Router().RouteDegrees(s, t, options, stats);
}

}  // namespace phase_router
