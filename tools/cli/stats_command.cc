#include "tools/cli/stats_command.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "phase_router/analysis.h"
#include "phase_router/phase_router.h"
#include "tools/cli/command_line.h"
#include "tools/io/file_io.h"
#include "tools/io/parse_number.h"

namespace phase_router::cli {
namespace {

// More seeds than this is a typo; each keeps E loads in memory.
constexpr uint64_t kMaxSeeds = 1000000;

struct SeedList {
  uint64_t first = 0, count = 0;
};

// --seeds FIRST:COUNT (both plain decimal), or --seed S meaning S:1.
SeedList ParseSeeds(const StatsArgs& args) {
  const bool given = args.seeds_option->count() > 0;
  if (given && args.seed_option->count() > 0) {
    throw UsageError(
        "--seed and --seeds are mutually exclusive: --seed S is --seeds S:1");
  }
  if (!given && args.seed_option->count() > 0) {
    return {ParseSeedOption(args.routing.seed), 1};
  }
  const size_t colon = args.seeds.find(':');
  if (colon == std::string::npos) {
    throw UsageError("--seeds: " + io::QuoteForMessage(args.seeds) +
                     " is not FIRST:COUNT (e.g. 0:16 for seeds 0 to 15)");
  }
  SeedList list;
  constexpr uint64_t kLastSeed = std::numeric_limits<uint64_t>::max();
  list.first = ParseUnsignedOption("--seeds FIRST", args.seeds.substr(0, colon),
                                   0, kLastSeed);
  list.count = ParseUnsignedOption("--seeds COUNT",
                                   args.seeds.substr(colon + 1), 1, kMaxSeeds);
  // The seeds are FIRST to FIRST + COUNT - 1: they must not wrap past
  // 2^64 - 1 back to 0 (the Python binding refuses the same range).
  if (list.count - 1 > kLastSeed - list.first) {
    throw UsageError("--seeds " + io::SanitizeForMessage(args.seeds) +
                     ": the last seed, FIRST + COUNT - 1, would be past 2^64 - 1 = " +
                     std::to_string(kLastSeed) + " (seeds do not wrap to 0); with this "
                     "FIRST, COUNT may be at most " + std::to_string(kLastSeed - list.first + 1));
  }
  return list;
}

// --confidence: a decimal number in (0, 1].
double ParseConfidence(const std::string& text) {
  const std::string expected = "expected a number in (0, 1], e.g. 0.99";
  char* end = nullptr;
  errno = 0;
  const double value = text.empty() ? NAN : std::strtod(text.c_str(), &end);
  const bool whole = !text.empty() && end == text.c_str() + text.size() &&
                     errno == 0 &&
                     !std::isspace(static_cast<unsigned char>(text[0]));
  if (!whole || !(value > 0 && value <= 1)) {
    throw UsageError("--confidence: " + io::QuoteForMessage(text) +
                     " is out of range or not a number; " + expected);
  }
  return value;
}

nlohmann::ordered_json ToJson(const SeedStats& st, const CapacityEstimate& cap,
                              const Options& options, const SeedList& seeds) {
  nlohmann::ordered_json j;
  j["router"] = AlgorithmName(st.algorithm);
  j["backend"] = st.algorithm == Algorithm::kPhase
                     ? ActiveTarget()
                     : std::string(AlgorithmName(st.algorithm));
  j["M"] = st.M;
  j["E"] = st.E;
  j["k"] = st.k;
  j["seeds"] = {{"first", seeds.first}, {"count", seeds.count}};
  j["align"] = options.align;
  j["row_perm"] = options.row_perm;
  j["select"] = SelectName(options.select);
  j["method"] = MethodName(options.method);  // as asked: auto is per seed
  j["tiling"] = st.tiled;  // applied (the same for every seed), not asked
  j["laps"] = st.laps;
  j["spec"] = kSpecVersion;
  j["threads"] = options.threads;
  j["sum_s"] = st.sum_s;
  j["sum_t"] = st.sum_t;
  j["global_skew"] = st.global_skew;
  j["max_abs_bias"] = st.max_abs_bias;
  j["mean_abs_relative_error"] = st.mean_abs_relative_error;
  j["max_abs_relative_error"] = st.max_abs_relative_error;
  j["edge_density"] = st.edge_density;
  j["cap_density"] = st.cap_density;
  j["expected_candidate_density"] = st.expected_candidate_density;
  j["candidate_density"] = st.candidate_density;
  j["mean_fill"] = st.mean_fill;
  j["mean_routing_skew"] = st.mean_routing_skew;
  j["max_routing_skew"] = st.max_routing_skew;
  j["mean_overflow"] = st.mean_overflow;
  j["capacity"] = {{"confidence", cap.confidence},
                   {"uniform_capacity", cap.uniform_capacity},
                   {"capacity_factor", cap.capacity_factor},
                   {"total_required", cap.total_required},
                   {"mean_utilization", cap.mean_utilization},
                   {"required", cap.required},
                   {"headroom", cap.headroom},
                   {"utilization", cap.utilization}};
  j["t"] = st.t;
  j["mean_load"] = st.mean_load;
  j["std_load"] = st.std_load;
  j["p95_load"] = st.p95_load;
  j["max_load"] = st.max_load;
  j["temporal_skew"] = st.temporal_skew;
  j["ideal_mean"] = st.ideal_mean;
  j["bias"] = st.bias;
  j["relative_error"] = st.relative_error;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const SeedRun& r : st.runs) {
    runs.push_back({{"seed", r.seed},
                    {"active_routes", r.active_routes},
                    {"fill", r.fill},
                    {"load_max", r.load_max},
                    {"load_skew", r.load_skew},
                    {"overflow", r.overflow},
                    {"candidates_mean", r.candidates_mean}});
  }
  j["runs"] = std::move(runs);
  return j;
}

// Whether SPEC.md's tiling applied: it changes what the loads can be (with
// every s_i = E each source gets exactly q candidates). The baselines have
// no arcs to tile.
void PrintTilingLine(const SeedStats& st) {
  if (st.algorithm != Algorithm::kPhase) return;
  if (st.tiled) {
    std::printf(
        "  %-16s on: target arcs tile the source ring %llu time(s) "
        "(SPEC.md version %d)\n",
        "tiling", static_cast<unsigned long long>(st.laps), kSpecVersion);
  } else {
    std::printf("  %-16s off: arcs of length t_t (SPEC.md version %d)\n",
                "tiling", kSpecVersion);
  }
}

void PrintSummary(const SeedStats& st, const CapacityEstimate& cap,
                  const SeedList& seeds) {
  const auto [fill_lo, fill_hi] = std::minmax_element(
      st.runs.begin(), st.runs.end(),
      [](const SeedRun& a, const SeedRun& b) { return a.fill < b.fill; });
  const double max_temporal =
      *std::max_element(st.temporal_skew.begin(), st.temporal_skew.end());
  std::printf("phase-router stats: %s router, %llu seed(s) from %llu\n",
              AlgorithmName(st.algorithm),
              static_cast<unsigned long long>(seeds.count),
              static_cast<unsigned long long>(seeds.first));
  std::printf("  %-16s %zu sources x %zu targets, k = %u\n", "shape", st.M,
              st.E, st.k);
  std::printf("  %-16s sum s = %llu, sum t = %llu (M * k = %llu)\n", "degrees",
              static_cast<unsigned long long>(st.sum_s),
              static_cast<unsigned long long>(st.sum_t),
              static_cast<unsigned long long>(uint64_t{st.M} * st.k));
  PrintTilingLine(st);
  std::printf("  %-16s mean %.4f  (min %.4f, max %.4f over seeds)\n", "fill",
              st.mean_fill, fill_lo->fill, fill_hi->fill);
  std::printf(
      "  %-16s mean %.3f  max %.3f  (max / mean target load of one routing)\n",
      "routing skew", st.mean_routing_skew, st.max_routing_skew);
  std::printf("  %-16s %.3f  (max / mean of the seed-averaged loads)\n",
              "global skew", st.global_skew);
  std::printf("  %-16s max %.3f  (max / mean load of one target over seeds)\n",
              "temporal skew", max_temporal);
  std::printf(
      "  %-16s mean |rel. error| %.4f, max %.4f; max |bias| %.3f routes\n",
      "vs ideal mean", st.mean_abs_relative_error, st.max_abs_relative_error,
      st.max_abs_bias);
  std::printf(
      "  %-16s edges %.5f  cap k/E %.5f  candidates %.5f (expected %.5f)\n",
      "densities", st.edge_density, st.cap_density, st.candidate_density,
      st.expected_candidate_density);
  std::printf("  %-16s %.2f routes over t_t per routing (mean)\n", "overflow",
              st.mean_overflow);
  std::printf(
      "  %-16s uniform %u per target (capacity factor %.3f), total %llu, "
      "utilization %.3f\n",
      ("capacity @" +
       std::to_string(static_cast<int>(std::lround(cap.confidence * 100))) +
       "%")
          .c_str(),
      cap.uniform_capacity, cap.capacity_factor,
      static_cast<unsigned long long>(cap.total_required),
      cap.mean_utilization);
  // The busiest targets.
  std::vector<size_t> order(st.E);
  std::iota(order.begin(), order.end(), size_t{0});
  const size_t shown = std::min<size_t>(5, st.E);
  std::partial_sort(order.begin(),
                    order.begin() + static_cast<ptrdiff_t>(shown), order.end(),
                    [&](size_t a, size_t b) {
                      return st.mean_load[a] != st.mean_load[b]
                                 ? st.mean_load[a] > st.mean_load[b]
                                 : a < b;
                    });
  std::printf("  busiest targets  %8s %8s %10s %8s %6s %6s %10s\n", "target",
              "t_t", "mean", "std", "p95", "max", "ideal");
  for (size_t n = 0; n < shown; ++n) {
    const size_t j = order[n];
    std::printf("                   %8zu %8u %10.2f %8.2f %6u %6u %10.2f\n", j,
                st.t[j], st.mean_load[j], st.std_load[j], st.p95_load[j],
                st.max_load[j], st.ideal_mean[j]);
  }
}

}  // namespace

CLI::App* AddStatsCommand(CLI::App& app, StatsArgs& args) {
  CLI::App* stats = app.add_subcommand(
      "stats",
      "Load statistics over seeds: route's inputs and options, routed once "
      "per seed (in parallel over seeds; --threads counts those threads)");
  AddRoutingOptions(*stats, args.routing);
  args.seed_option = stats->get_option("--seed");
  args.seeds_option =
      stats
          ->add_option("--seeds", args.seeds,
                       "the seeds FIRST, FIRST+1, ..., COUNT of them")
          ->type_name("FIRST:COUNT")
          ->capture_default_str();
  stats
      ->add_option("--router", args.router,
                   "the router measured: phase, or a baseline (hash ignores S "
                   "and T; chung-lu and two-choice use their degrees)")
      ->check(OneOf({"phase", "hash", "chung-lu", "two-choice"}))
      ->capture_default_str();
  stats
      ->add_option(
          "--confidence", args.confidence,
          "the capacity estimate's quantile of load over seeds, in (0, 1]")
      ->type_name("Q")
      ->capture_default_str();
  stats->add_flag("--json", args.json,
                  "print one JSON object (every field, per-target arrays "
                  "included) instead of the summary");
  return stats;
}

void RunStatsCommand(const StatsArgs& args) {
  CheckRouteInputOptions(args.routing);
  Options options = ParseRouteOptions(args.routing);
  const SeedList seeds = ParseSeeds(args);
  const double confidence = ParseConfidence(args.confidence);
  const Algorithm algorithm = ParseAlgorithm(args.router);
  ApplyTargetOption(args.routing.target);
  // The inputs and the seed list are the tool's; the statistics get the
  // rest of the ceiling (and count their per-seed loads against it).
  io::MemoryBudget budget = ToolMemoryBudget(options.memory_limit);
  budget.Charge(seeds.count * sizeof(uint64_t), "the list of " +
                                                    std::to_string(seeds.count) + " seeds");
  const RouteInputs in = ReadRouteInputs(args.routing, &budget);
  options.memory_limit = LibraryMemoryLimit(budget);
  const RoutingInput input =
      in.matrices
          ? RoutingInput::Matrices(
                ByteMatrixView{in.S.pixels.data(), in.S.rows, in.S.cols, 0},
                ByteMatrixView{in.T.pixels.data(), in.T.rows, in.T.cols, 0})
          : RoutingInput::Degrees(in.s, in.t);
  const std::vector<uint64_t> seed_list = SeedRange(seeds.first, seeds.count);
  const SeedStats st = WithinBudget(
      budget, [&] { return AverageOverSeeds(input, options, seed_list, algorithm); });
  const CapacityEstimate cap = EstimateCapacity(st, confidence);
  if (args.json) {
    PrintOrThrow(ToJson(st, cap, options, seeds)
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                 "\n");
  } else {
    PrintSummary(st, cap, seeds);
  }
  io::FlushOrThrow(stdout, "standard output");
}

}  // namespace phase_router::cli
