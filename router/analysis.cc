// Statistics over seeds and capacity planning (phase_router/analysis.h).
//
// Determinism: AverageOverSeeds routes the seeds in parallel, but every
// routing writes only its own slot (its run record and its row of loads),
// and every sum is then taken in seed order, so the numbers are the same
// for any thread count.
#include "phase_router/analysis.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dispatch/dispatch.h"
#include "kernels/bit_matrix.h"
#include "router/baselines.h"
#include "router/plan.h"
#include "router/saturate.h"
#include "router/validation.h"

namespace phase_router {
namespace {

// Row degrees of S and T (validated by the caller with Route's checks),
// counted by the router's CountRows (plan.h); the generic kernels, since
// building an input must not depend on the target (an unknown
// PHASE_ROUTER_TARGET is the routing's error, not this one's).
void CountDegrees(const Input& in, size_t s_rows, size_t t_rows, std::vector<uint32_t>* s,
                  std::vector<uint32_t>* t) {
  const KernelTable& K = GenericKernels();
  s->resize(s_rows);
  t->resize(t_rows);
  CountRows(K, in, true, 0, s_rows, s->data());
  CountRows(K, in, false, 0, t_rows, t->data());
}

// The ceil(q * n)-th smallest of `values` (nearest rank; q in (0, 1]).
// Reorders `values`. The tiny epsilon keeps q * n = 19.000000000000004
// (0.95 * 20 in binary) at rank 19.
uint32_t NearestRank(std::vector<uint32_t>& values, double q) {
  const size_t n = values.size();
  const double x = std::ceil(q * static_cast<double>(n) - 1e-9);
  const size_t rank =
      std::clamp<size_t>(static_cast<size_t>(std::max(x, 1.0)), 1, n);
  std::nth_element(values.begin(),
                   values.begin() + static_cast<ptrdiff_t>(rank - 1),
                   values.end());
  return values[rank - 1];
}


// The loads of every seed plus, per thread, a workspace and a routes buffer.
void CheckSeedMemory(size_t M, size_t E, const Options& options, size_t seeds,
                     int threads) {
  const uint64_t limit =
      options.memory_limit ? options.memory_limit : DefaultMemoryLimit();
  const uint64_t loads = SatMul(SatMul(seeds, E), sizeof(uint32_t));
  const uint64_t per_thread =
      SatAdd(Router::WorkspaceBytesFor(M, E, 1),
             SatMul(SatMul(M, options.k), sizeof(int32_t)));
  const uint64_t need =
      SatAdd(loads, SatMul(per_thread, static_cast<uint64_t>(threads)));
  if (need <= limit) return;
  throw Error(
      ErrorCode::kOutOfMemory,
      "statistics over " + std::to_string(seeds) + " seeds of a " +
          ShapeText(M, E) + " routing with k = " + std::to_string(options.k) +
          " on " + std::to_string(threads) + " thread(s) need " +
          std::to_string(need) + " bytes (" + std::to_string(loads) +
          " of loads), over the memory limit of " + std::to_string(limit) +
          " bytes; raise memory_limit or use fewer seeds");
}

// E[min(k, X)] for X ~ Poisson(mu): k - sum_{j < k} (k - j) P(X = j), summed
// over the j within 12 standard deviations (+ 30) of mu, where P is not
// negligible; log P(X = j) = -mu + j ln mu - ln j!.
double ExpectedMinPoisson(double mu, uint32_t k) {
  if (mu <= 0) return 0;
  const double spread = 12 * std::sqrt(mu) + 30;
  const double lo = std::max(0.0, std::floor(mu - spread));
  const double hi =
      std::min(static_cast<double>(k) - 1, std::ceil(mu + spread));
  if (hi < lo) return k;  // every probable X is >= k
  const double log_mu = std::log(mu);
  const auto first = static_cast<uint64_t>(lo),
             last = static_cast<uint64_t>(hi);
  double log_p = -mu + static_cast<double>(first) * log_mu -
                 std::lgamma(static_cast<double>(first) + 1);
  double shortfall = 0;  // E[(k - X)^+]
  for (uint64_t j = first; j <= last; ++j) {
    shortfall += static_cast<double>(k - j) * std::exp(log_p);
    log_p += log_mu - std::log(static_cast<double>(j + 1));
  }
  return std::max(0.0, static_cast<double>(k) - shortfall);
}

}  // namespace

// ---------------------------------------------------------------- inputs

RoutingInput RoutingInput::Degrees(std::span<const uint32_t> s,
                                   std::span<const uint32_t> t) {
  RoutingInput in;
  in.kind_ = Kind::kDegrees;
  in.s_.assign(s.begin(), s.end());
  in.t_.assign(t.begin(), t.end());
  return in;
}

RoutingInput RoutingInput::Matrices(const ByteMatrixView& S,
                                    const ByteMatrixView& T) {
  CheckPair(S.rows, S.cols, T.rows, T.cols);
  RoutingInput in;
  in.kind_ = Kind::kBytes;
  in.S_bytes_ = S;
  in.T_bytes_ = T;
  CheckView(S, "S");
  CheckView(T, "T");
  CountDegrees(Input{Input::kBytes, {}, {}, S, T, {}, {}}, S.rows, T.rows, &in.s_, &in.t_);
  return in;
}

RoutingInput RoutingInput::Matrices(const BitMatrixView& S,
                                    const BitMatrixView& T) {
  CheckPair(S.rows, S.cols, T.rows, T.cols);
  RoutingInput in;
  in.kind_ = Kind::kBits;
  in.S_bits_ = S;
  in.T_bits_ = T;
  CheckView(S, "S");  // padding bits refused: whole words count
  CheckView(T, "T");
  CountDegrees(Input{Input::kBits, {}, {}, {}, {}, S, T}, S.rows, T.rows, &in.s_, &in.t_);
  return in;
}

void RoutingInput::Route(Router& router, const Options& options, int32_t* out,
                         Stats* stats) const {
  switch (kind_) {
    case Kind::kDegrees:
      router.RouteDegrees(s_, t_, options, out, stats);
      return;
    case Kind::kBytes:
      router.Route(S_bytes_, T_bytes_, options, out, stats);
      return;
    case Kind::kBits:
      router.Route(S_bits_, T_bits_, options, out, stats);
      return;
  }
}

// ---------------------------------------------------------------- routers

Algorithm ParseAlgorithm(std::string_view name) {
  if (name == "phase") return Algorithm::kPhase;
  if (name == "hash") return Algorithm::kHash;
  if (name == "chung-lu") return Algorithm::kChungLu;
  if (name == "two-choice") return Algorithm::kTwoChoice;
  throw Error(ErrorCode::kBadOption,
              "unknown router '" + std::string(name) +
                  "' (expected phase, hash, chung-lu or two-choice)");
}

const char* AlgorithmName(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kPhase:
      return "phase";
    case Algorithm::kHash:
      return "hash";
    case Algorithm::kChungLu:
      return "chung-lu";
    case Algorithm::kTwoChoice:
      return "two-choice";
  }
  return "unknown";
}

void RouteWith(Algorithm algorithm, const RoutingInput& input,
               const Options& options, Router& router, int32_t* out,
               Stats* stats) {
  if (algorithm == Algorithm::kPhase) {
    input.Route(router, options, out, stats);
    return;
  }
  const size_t M = input.M(), E = input.E();
  std::vector<uint32_t> row_candidates;
  const auto start = std::chrono::steady_clock::now();
  switch (algorithm) {
    case Algorithm::kHash:
      HashRoute(M, E, options, out);
      break;
    case Algorithm::kChungLu:
      if (stats) row_candidates.resize(M);
      ChungLuRouteCounting(input.s(), input.t(), options, out,
                           stats ? row_candidates.data() : nullptr);
      break;
    case Algorithm::kTwoChoice:
      TwoChoiceRoute(input.s(), input.t(), options, out);
      break;
    case Algorithm::kPhase:
      break;
  }
  const auto stop = std::chrono::steady_clock::now();
  if (!stats) return;
  *stats = Stats{};
  ComputeRouteStats(out, M, E, options.k, stats);
  if (algorithm == Algorithm::kChungLu) {
    const auto [lo, hi] =
        std::minmax_element(row_candidates.begin(), row_candidates.end());
    double sum = 0;
    for (uint32_t c : row_candidates) sum += c;
    stats->candidates_min = *lo;
    stats->candidates_max = *hi;
    stats->candidates_mean = sum / static_cast<double>(M);
  } else {  // hash and two-choice consider every target
    stats->candidates_min = stats->candidates_max = static_cast<uint32_t>(E);
    stats->candidates_mean = static_cast<double>(E);
  }
  stats->route_ms =
      std::chrono::duration<double, std::milli>(stop - start).count();
  stats->backend = AlgorithmName(algorithm);
}

// ---------------------------------------------------------------- over seeds

std::vector<uint64_t> SeedRange(uint64_t first, uint64_t count) {
  std::vector<uint64_t> seeds(count);
  for (uint64_t n = 0; n < count; ++n) seeds[n] = first + n;
  return seeds;
}

SeedStats AverageOverSeeds(const RoutingInput& input, const Options& options,
                           std::span<const uint64_t> seeds,
                           Algorithm algorithm) {
  RequireAllRows(options, "AverageOverSeeds");
  if (seeds.empty())
    throw Error(ErrorCode::kBadOption, "no seeds: give at least one");
  const size_t M = input.M(), E = input.E(), n = seeds.size();
  if (options.k == 0)
    throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  CheckThreads(options);
  const int threads = static_cast<int>(std::min<size_t>(ThreadsOf(options), n));
  CheckSeedMemory(M, E, options, n, threads);
  const size_t k = options.k;

  SeedStats st;
  st.algorithm = algorithm;
  st.M = M;
  st.E = E;
  st.k = options.k;
  st.seeds.assign(seeds.begin(), seeds.end());
  st.t.assign(input.t().begin(), input.t().end());
  for (uint32_t d : input.s()) st.sum_s += d;
  for (uint32_t d : input.t()) st.sum_t += d;
  st.runs.resize(n);
  st.loads.assign(n * E, 0);

  // Each routing writes only runs[r] and loads[r * E, (r + 1) * E); a failure
  // is kept per seed and the first in seed order is rethrown.
  std::vector<std::exception_ptr> errors(n);
#pragma omp parallel num_threads(threads)
  {
    // Made inside the per-seed try, so that a failure to allocate them (an
    // address-space limit) is that seed's error, not an exception escaping
    // the parallel region (which would end the process).
    std::unique_ptr<Router> router;
    std::vector<int32_t> out;
    Options one;
#pragma omp for schedule(dynamic, 1)
    for (size_t r = 0; r < n; ++r) {
      try {
        if (!router) {
          router = std::make_unique<Router>();
          one = options;
          one.threads = 1;
        }
        out.resize(M * k);
        one.seed = seeds[r];
        Stats stats;
        RouteWith(algorithm, input, one, *router, out.data(), &stats);
        uint32_t* load = st.loads.data() + r * E;
        for (int32_t id : out) {
          if (id >= 0) ++load[static_cast<size_t>(id)];
        }
        SeedRun& run = st.runs[r];
        run.seed = seeds[r];
        run.active_routes = stats.active_routes;
        run.fill = stats.fill_ratio;
        run.load_max = stats.load_max;
        run.load_skew = stats.load_skew;
        for (size_t j = 0; j < E; ++j) {
          run.overflow += load[j] > st.t[j] ? load[j] - st.t[j] : 0;
        }
        run.candidates_mean = stats.candidates_mean;
        if (r == 0) {  // seed-independent (SeedStats::tiled)
          st.tiled = stats.tiled;
          st.laps = stats.laps;
        }
      } catch (...) {
        errors[r] = std::current_exception();
      }
    }
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }

  // Per target, over seeds in seed order.
  st.mean_load.assign(E, 0);
  st.std_load.assign(E, 0);
  st.p95_load.assign(E, 0);
  st.max_load.assign(E, 0);
  st.temporal_skew.assign(E, 1);
  std::vector<uint32_t> column(n);
  for (size_t j = 0; j < E; ++j) {
    double sum = 0;
    uint32_t max = 0;
    for (size_t r = 0; r < n; ++r) {
      const uint32_t x = st.loads[r * E + j];
      column[r] = x;
      sum += x;
      max = std::max(max, x);
    }
    const double mean = sum / static_cast<double>(n);
    double squares = 0;
    for (size_t r = 0; r < n; ++r) {
      const double d = column[r] - mean;
      squares += d * d;
    }
    st.mean_load[j] = mean;
    st.std_load[j] = std::sqrt(squares / static_cast<double>(n));
    st.max_load[j] = max;
    st.p95_load[j] = NearestRank(column, 0.95);
    st.temporal_skew[j] = mean > 0 ? max / mean : 1.0;
  }

  double total = 0, top = 0;
  for (size_t j = 0; j < E; ++j) {
    total += st.mean_load[j];
    top = std::max(top, st.mean_load[j]);
  }
  const double per_target = total / static_cast<double>(E);
  st.global_skew = per_target > 0 ? top / per_target : 1.0;
  st.ideal_mean.assign(E, 0);
  st.bias.assign(E, 0);
  st.relative_error.assign(E, 0);
  double abs_rel_sum = 0;
  size_t with_ideal = 0;
  for (size_t j = 0; j < E; ++j) {
    const double ideal =
        st.sum_t ? total * st.t[j] / static_cast<double>(st.sum_t) : 0.0;
    st.ideal_mean[j] = ideal;
    st.bias[j] = st.mean_load[j] - ideal;
    st.max_abs_bias = std::max(st.max_abs_bias, std::abs(st.bias[j]));
    if (ideal > 0) {
      st.relative_error[j] = st.bias[j] / ideal;
      abs_rel_sum += std::abs(st.relative_error[j]);
      st.max_abs_relative_error =
          std::max(st.max_abs_relative_error, std::abs(st.relative_error[j]));
      ++with_ideal;
    }
  }
  st.mean_abs_relative_error =
      with_ideal ? abs_rel_sum / static_cast<double>(with_ideal) : 0;

  const double pairs = static_cast<double>(M) * static_cast<double>(E);
  st.edge_density = total / pairs;
  st.cap_density = static_cast<double>(options.k) / static_cast<double>(E);
  st.expected_candidate_density = (static_cast<double>(st.sum_s) / pairs) *
                                  (static_cast<double>(st.sum_t) / pairs);
  double fill = 0, skew = 0, overflow = 0, candidates = 0;
  st.max_routing_skew = 0;
  for (const SeedRun& run : st.runs) {
    fill += run.fill;
    skew += run.load_skew;
    overflow += static_cast<double>(run.overflow);
    candidates += run.candidates_mean;
    st.max_routing_skew = std::max(st.max_routing_skew, run.load_skew);
  }
  const double count = static_cast<double>(n);
  st.mean_fill = fill / count;
  st.mean_routing_skew = skew / count;
  st.mean_overflow = overflow / count;
  st.candidate_density = candidates / count / static_cast<double>(E);
  return st;
}

// ---------------------------------------------------------------- capacity

CapacityEstimate EstimateCapacity(const SeedStats& stats, double confidence) {
  if (!(confidence > 0 && confidence <= 1)) {
    throw Error(ErrorCode::kBadOption,
                "confidence = " + std::to_string(confidence) +
                    " is out of range: expected a value in (0, 1]");
  }
  const size_t E = stats.E, n = stats.runs.size();
  if (n == 0 || stats.loads.size() != n * E || stats.t.size() != E ||
      stats.mean_load.size() != E) {
    throw Error(
        ErrorCode::kBadData,
        "statistics without per-seed loads (not from AverageOverSeeds)");
  }
  CapacityEstimate c;
  c.confidence = confidence;
  c.required.assign(E, 0);
  c.headroom.assign(E, 0);
  c.utilization.assign(E, 0);
  std::vector<uint32_t> column(n);
  double total_mean = 0;
  for (size_t j = 0; j < E; ++j) {
    for (size_t r = 0; r < n; ++r) column[r] = stats.loads[r * E + j];
    const uint32_t need = NearestRank(column, confidence);
    c.required[j] = need;
    c.headroom[j] =
        static_cast<int64_t>(stats.t[j]) - static_cast<int64_t>(need);
    c.utilization[j] = need ? stats.mean_load[j] / need : 0.0;
    c.total_required += need;
    c.uniform_capacity = std::max(c.uniform_capacity, need);
    total_mean += stats.mean_load[j];
  }
  c.mean_utilization =
      c.total_required ? total_mean / static_cast<double>(c.total_required) : 0;
  const double per_target = total_mean / static_cast<double>(E);
  c.capacity_factor = per_target > 0 ? c.uniform_capacity / per_target : 0;
  return c;
}

KSuggestion SuggestK(const RoutingInput& input, const Options& options,
                     std::span<const uint64_t> seeds, double target_skew,
                     uint32_t k_min, uint32_t k_max, SkewMeasure measure,
                     Algorithm algorithm) {
  if (k_min == 0 || k_min > k_max) {
    throw Error(ErrorCode::kBadOption,
                "k range [" + std::to_string(k_min) + ", " +
                    std::to_string(k_max) +
                    "] is empty or starts at 0: expected 1 <= k_min <= k_max");
  }
  if (!(target_skew >= 1)) {
    throw Error(ErrorCode::kBadOption,
                "target skew " + std::to_string(target_skew) +
                    " is below 1 (max/mean load is never below 1)");
  }
  KSuggestion best;
  bool have_best = false;
  for (uint64_t k = k_min; k <= k_max; ++k) {
    Options o = options;
    o.k = static_cast<uint32_t>(k);
    const SeedStats st = AverageOverSeeds(input, o, seeds, algorithm);
    KEvaluation e;
    e.k = o.k;
    e.mean_routing_skew = st.mean_routing_skew;
    e.global_skew = st.global_skew;
    e.skew = measure == SkewMeasure::kRouting ? st.mean_routing_skew
                                              : st.global_skew;
    e.mean_fill = st.mean_fill;
    best.evaluations.push_back(e);
    if (!have_best || e.skew < best.skew) {
      best.k = e.k;
      best.skew = e.skew;
      have_best = true;
    }
    if (e.skew <= target_skew) {
      best.k = e.k;
      best.skew = e.skew;
      best.met = true;
      break;
    }
  }
  return best;
}

std::vector<DensityPoint> AnalyzeDistribution(
    const RoutingInput& input, const Options& options,
    std::span<const uint64_t> seeds, std::span<const uint32_t> k_values,
    Algorithm algorithm) {
  for (uint32_t k : k_values) {
    if (k == 0)
      throw Error(ErrorCode::kBadOption,
                  "k must be >= 1 (got 0 in the k values)");
  }
  const size_t M = input.M(), E = input.E();
  const double pairs = static_cast<double>(M) * static_cast<double>(E);
  uint64_t sum_t = 0;
  for (uint32_t d : input.t()) sum_t += d;
  // mu_i depends on s_i alone: group the sources by degree.
  std::map<uint32_t, uint64_t> sources_of_degree;
  for (uint32_t d : input.s()) ++sources_of_degree[d];
  std::vector<DensityPoint> points;
  for (uint32_t k : k_values) {
    Options o = options;
    o.k = k;
    const SeedStats st = AverageOverSeeds(input, o, seeds, algorithm);
    DensityPoint p;
    p.k = k;
    p.cap_density = st.cap_density;
    p.candidate_density = st.expected_candidate_density;
    p.empirical_candidate_density = st.candidate_density;
    double fluid = 0, poisson = 0;
    for (const auto& [degree, count] : sources_of_degree) {
      const double mu =
          static_cast<double>(degree) * static_cast<double>(sum_t) / pairs;
      fluid += static_cast<double>(count) * std::min<double>(k, mu);
      poisson += static_cast<double>(count) * ExpectedMinPoisson(mu, k);
    }
    p.fluid_edge_density = fluid / pairs;
    p.poisson_edge_density = poisson / pairs;
    p.edge_density = st.edge_density;
    p.mean_fill = st.mean_fill;
    points.push_back(p);
  }
  return points;
}

}  // namespace phase_router
