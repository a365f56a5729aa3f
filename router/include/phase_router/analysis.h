// Statistics over seeds, capacity planning, and the comparison baselines
// (docs/evaluation.md).
//
// Built on phase_router.h and with the same error model: bad input throws
// phase_router::Error with an ErrorCode and a message naming the bad value;
// nothing is printed. Every function here is deterministic: the same inputs
// and seeds give the same numbers for any thread count (seeds run in
// parallel, each on its own Router with one thread, and the results are
// reduced in seed order).
#ifndef PHASE_ROUTER_ANALYSIS_H_
#define PHASE_ROUTER_ANALYSIS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "phase_router/phase_router.h"

namespace phase_router {

// ---- Inputs ----------------------------------------------------------------

// The inputs of a routing: degree vectors (copied) or a pair of matrices
// (viewed: the caller's matrices must outlive this object). Either way it
// knows the row degrees s (M entries) and t (E entries), which is all the
// baselines and the statistics need; the phase router routes the matrices
// themselves, so Options::align = false means what it means for Route.
class RoutingInput {
 public:
  // s has M >= 1 entries, t has E >= 1 (ranges are checked when routing).
  static RoutingInput Degrees(std::span<const uint32_t> s,
                              std::span<const uint32_t> t);
  // S is M x E, T is E x M. Throws Error(kBadShape) when the shapes disagree
  // and Error(kBadData) for a null matrix; padding bits are Route's check.
  static RoutingInput Matrices(const ByteMatrixView& S,
                               const ByteMatrixView& T);
  static RoutingInput Matrices(const BitMatrixView& S, const BitMatrixView& T);

  size_t M() const { return s_.size(); }
  size_t E() const { return t_.size(); }
  std::span<const uint32_t> s() const { return s_; }
  std::span<const uint32_t> t() const { return t_; }

  // The phase routing of this input (Router::RouteDegrees or Router::Route).
  void Route(Router& router, const Options& options, int32_t* out,
             Stats* stats = nullptr) const;

 private:
  enum class Kind { kDegrees, kBytes, kBits };
  Kind kind_ = Kind::kDegrees;
  ByteMatrixView S_bytes_, T_bytes_;
  BitMatrixView S_bits_, T_bits_;
  std::vector<uint32_t> s_, t_;
};

// ---- Baselines -----------------------------------------------------------
// Comparison routers, deterministic and seeded like Route (same output
// format: M rows of k ascending ids, -1 padded), each drawing from its own
// stream of kernels/random.h (a Domain of its own). They see only the
// degree vectors. HashRoute (phase_router.h) is the third.

// Independent-edge (Chung-Lu) sampler with the phase router's expected
// degrees. Source i keeps pair (i, t) with probability s_i * t_t / (E * M),
// exactly: iff Bounded(Draw(R_i, 2t), E * M) < s_i * t_t, where
// R_i = Draw(DomainKey(seed, kChungLu), i). Then the row cap: of the kept
// pairs, the k with the smallest keys Draw(R_i, 2t + 1). Then the target cap,
// in source order: a route into t is dropped once t already holds t_t. Rows
// are drawn in parallel (Options::threads); the target cap is one sequential
// pass. s_i <= E, t_t <= M, k >= 1, else Error.
void ChungLuRoute(std::span<const uint32_t> s, std::span<const uint32_t> t,
                  const Options& options, int32_t* out);
Routes ChungLuRoute(std::span<const uint32_t> s, std::span<const uint32_t> t,
                    const Options& options);

// Sequential power-of-two-choices router: the strong, non-parallel reference.
// Sources in order 0, 1, ..., M-1; source i fills min(k, s_i) slots one at a
// time from the open targets (load < t_t) it does not hold yet. For each
// slot it draws a first candidate uniformly from those, then a second one
// uniformly from those other than the first, and takes the less loaded of
// the two relative to capacity (smaller load / t_t, compared exactly as
// load_a * t_b < load_b * t_a; the first on a tie; the first alone when it
// is the only one). A source with no such target left stops early. Rows are
// reported ascending like every router's. "Uniformly from a set" is
// rejection sampling over the list of open targets: draw n of source i is
// Bounded(Draw(R_i, n), |open|) with R_i = Draw(DomainKey(seed, kTwoChoice),
// i), redrawn while it hits an excluded target; the open list drops a
// target that fills by moving the list's last entry into its place. Single
// threaded by nature (Options::threads is ignored).
void TwoChoiceRoute(std::span<const uint32_t> s, std::span<const uint32_t> t,
                    const Options& options, int32_t* out);
Routes TwoChoiceRoute(std::span<const uint32_t> s, std::span<const uint32_t> t,
                      const Options& options);

// Every router this header can compare.
enum class Algorithm { kPhase, kHash, kChungLu, kTwoChoice };

// "phase", "hash", "chung-lu", "two-choice"; ParseAlgorithm throws
// Error(kBadOption) for any other name.
Algorithm ParseAlgorithm(std::string_view name);
const char* AlgorithmName(Algorithm algorithm);

// Routes `input` with `algorithm` into out (M * k int32). `router` is used by
// kPhase only. When `stats` is given it gets the route-derived fields
// (ComputeRouteStats), route_ms, and candidates: the phase router's c_i, the
// Chung-Lu pairs kept before the caps, and E for the hash and two-choice
// routers, which consider every target; backend is the kernel backend for
// kPhase and the algorithm's name otherwise.
void RouteWith(Algorithm algorithm, const RoutingInput& input,
               const Options& options, Router& router, int32_t* out,
               Stats* stats = nullptr);

// ---- Statistics over seeds -----------------------------------------------

// Seeds first, first + 1, ..., first + count - 1 (mod 2^64).
std::vector<uint64_t> SeedRange(uint64_t first, uint64_t count);

// One routing of the set.
struct SeedRun {
  uint64_t seed = 0;
  uint64_t active_routes = 0;
  double fill = 0;  // active_routes / (M * k)
  uint32_t load_max = 0;
  double load_skew = 1;        // load_max / (active_routes / E); 1 if none
  uint64_t overflow = 0;       // sum over targets of max(0, load - t_t)
  double candidates_mean = 0;  // Stats::candidates_mean
};

// Seed-averaged statistics. "Over seeds" means over the routings of the
// set, one per seed; the std is the population one (divides by the count).
// Quantiles are nearest-rank: the q-quantile of n values is the
// ceil(q * n)-th smallest.
struct SeedStats {
  Algorithm algorithm = Algorithm::kPhase;
  size_t M = 0, E = 0;
  uint32_t k = 0;
  std::vector<uint64_t> seeds;
  std::vector<uint32_t> t;  // T's row degrees: the target capacities
  uint64_t sum_s = 0, sum_t = 0;
  // Stats::tiled and Stats::laps of the routings (the phase router's; false
  // and 0 for the baselines). Tiling depends on the degrees, k and the
  // options only, never on the seed, so every routing of the set agrees.
  bool tiled = false;
  uint64_t laps = 0;

  // Per target, over seeds.
  std::vector<double> mean_load;
  std::vector<double> std_load;
  std::vector<uint32_t> p95_load;
  std::vector<uint32_t> max_load;
  std::vector<double> temporal_skew;  // max_load / mean_load; 1 when mean 0
  // ideal_mean[t] = sum(mean_load) * t_t / sum(t): the same total load,
  // spread in proportion to the capacities (0 everywhere when sum(t) = 0).
  std::vector<double> ideal_mean;
  std::vector<double> bias;            // mean_load - ideal_mean
  std::vector<double> relative_error;  // bias / ideal_mean; 0 if ideal is 0

  // Summaries.
  double global_skew = 1;  // max(mean_load) / mean(mean_load); 1 when all 0
  double max_abs_bias = 0;
  double mean_abs_relative_error = 0;  // over targets with ideal_mean > 0
  double max_abs_relative_error = 0;   // over targets with ideal_mean > 0
  double edge_density = 0;             // sum(mean_load) / (M * E)
  double cap_density = 0;              // k / E
  // sum_i sum_t s_i * t_t / (E * M), over M * E: the expected density of
  // candidate pairs (SPEC.md's expected-degree law).
  double expected_candidate_density = 0;
  double candidate_density = 0;  // measured: mean candidates_mean / E
  double mean_fill = 0;
  double mean_routing_skew = 1;  // mean over seeds of SeedRun::load_skew
  double max_routing_skew = 1;
  double mean_overflow = 0;  // mean over seeds of SeedRun::overflow

  std::vector<SeedRun> runs;    // one per seed, in seed order
  std::vector<uint32_t> loads;  // loads[r * E + t]: run r's load of target t
};

// Routes `input` once per seed with `algorithm` (options.seed is ignored;
// options.threads sets the threads over seeds, 0 = OpenMP's default; each
// routing runs on one thread) and summarizes. Keeps every routing's loads:
// seeds.size() * E * 4 bytes, counted with one workspace per thread against
// Options::memory_limit. Throws Error(kBadOption) for an empty seed list,
// and whatever routing the input throws.
SeedStats AverageOverSeeds(const RoutingInput& input, const Options& options,
                           std::span<const uint64_t> seeds,
                           Algorithm algorithm = Algorithm::kPhase);

// ---- Capacity planning ---------------------------------------------------

struct CapacityEstimate {
  double confidence = 0;
  // Per target: the confidence-quantile of its load across the seeds (the
  // capacity that held its load in that share of the routings), the
  // capacity T declared minus that (negative: T's capacity was exceeded,
  // which only the hash router does), and mean_load / required (0 where
  // required is 0).
  std::vector<uint32_t> required;
  std::vector<int64_t> headroom;
  std::vector<double> utilization;
  uint64_t total_required = 0;
  double mean_utilization = 0;  // sum(mean_load) / total_required
  // One capacity for every target (max of required), and it as a multiple of
  // the mean load sum(mean_load) / E: the MoE "capacity factor" needed.
  uint32_t uniform_capacity = 0;
  double capacity_factor = 0;
};

// confidence in (0, 1]; Error(kBadOption) otherwise.
CapacityEstimate EstimateCapacity(const SeedStats& stats, double confidence);

// Which skew SuggestK compares with the target: the mean over seeds of one
// routing's max/mean load (what a capacity must absorb), or global_skew (the
// systematic imbalance left after averaging the seeds).
enum class SkewMeasure { kRouting, kGlobal };

struct KEvaluation {
  uint32_t k = 0;
  double skew = 0;  // the measure compared
  double mean_routing_skew = 0;
  double global_skew = 0;
  double mean_fill = 0;
};

struct KSuggestion {
  uint32_t k = 0;    // the smallest k that met the target, else the best
  double skew = 0;   // its skew
  bool met = false;  // whether skew <= target_skew
  std::vector<KEvaluation> evaluations;  // every k tried, ascending
};

// Tries k = k_min, k_min + 1, ... up to k_max (each with AverageOverSeeds
// over `seeds`) and stops at the first whose skew is <= target_skew. When
// none is, returns the k of least skew (the smallest on a tie), met = false.
// Cost: at most (k_max - k_min + 1) * seeds.size() routings. Requires
// 1 <= k_min <= k_max and target_skew >= 1, else Error(kBadOption).
KSuggestion SuggestK(const RoutingInput& input, const Options& options,
                     std::span<const uint64_t> seeds, double target_skew,
                     uint32_t k_min, uint32_t k_max,
                     SkewMeasure measure = SkewMeasure::kRouting,
                     Algorithm algorithm = Algorithm::kPhase);

// Theory against measurement for one k. Densities are per pair (over M * E).
struct DensityPoint {
  uint32_t k = 0;
  double cap_density = 0;  // k / E
  // sum(s) * sum(t) / (E * M) / (M * E): the expected-degree law.
  double candidate_density = 0;
  double empirical_candidate_density = 0;  // SeedStats::candidate_density
  // Routes if every source took min(k, mu_i) with mu_i = s_i * sum(t) /
  // (E * M), its expected candidate count (the fluid limit; exact under
  // exact tiling).
  double fluid_edge_density = 0;
  // Routes if source i's candidate count were Poisson(mu_i) (independent
  // edges in the sparse limit): sum_i E[min(k, Poisson(mu_i))] / (M * E).
  double poisson_edge_density = 0;
  double edge_density = 0;  // measured: SeedStats::edge_density
  double mean_fill = 0;
};

// One DensityPoint per entry of k_values (each k >= 1, else
// Error(kBadOption)), measured with AverageOverSeeds.
std::vector<DensityPoint> AnalyzeDistribution(
    const RoutingInput& input, const Options& options,
    std::span<const uint64_t> seeds, std::span<const uint32_t> k_values,
    Algorithm algorithm = Algorithm::kPhase);

}  // namespace phase_router

#endif  // PHASE_ROUTER_ANALYSIS_H_
