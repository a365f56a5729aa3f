#include "tools/cli/demo_command.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include "phase_router/phase_router.h"
#include "tools/cli/command_line.h"
#include "tools/io/file_io.h"

namespace phase_router::cli {
namespace {

constexpr int kWarmCalls = 5;

// At N = 1024 (k = 256): sources follow a steeper curve (degrees 1024 down
// to 113, shift N / 8 = 128) so that fill varies a lot from row to row;
// targets a gentle one (1024 down to 204, shift N / 4 = 256) whose sum,
// about 4.2e5, is 1.6 x N * k, so the busiest sources can fill all k slots.

// Degrees of n nodes under a shifted Zipf law, d(r) = max * shift / (r +
// shift) rounded down and clipped to [1, max]: node 0 has the full degree
// and the curve flattens after about `shift` nodes. Integer arithmetic, so
// every platform builds the same profile.
std::vector<uint32_t> ShiftedZipfDegrees(size_t n, uint32_t max_degree,
                                         uint64_t shift) {
  std::vector<uint32_t> degrees(n);
  for (size_t r = 0; r < n; ++r) {
    const uint64_t d = uint64_t{max_degree} * shift / (r + shift);
    degrees[r] = static_cast<uint32_t>(
        std::clamp<uint64_t>(d, 1, std::max<uint32_t>(max_degree, 1)));
  }
  return degrees;
}

struct DegreeSummary {
  uint32_t min = 0, max = 0;
  uint64_t sum = 0;
  double mean = 0;
};

DegreeSummary Summarize(const std::vector<uint32_t>& degrees) {
  DegreeSummary summary;
  const auto [min, max] = std::minmax_element(degrees.begin(), degrees.end());
  summary.min = *min;
  summary.max = *max;
  summary.sum = std::accumulate(degrees.begin(), degrees.end(), uint64_t{0});
  summary.mean = static_cast<double>(summary.sum) / degrees.size();
  return summary;
}

void PrintDegreeLine(const char* label, const std::vector<uint32_t>& degrees) {
  const DegreeSummary d = Summarize(degrees);
  std::printf("  %-15s min %u  mean %.1f  max %u  (sum %llu)\n", label, d.min,
              d.mean, d.max, static_cast<unsigned long long>(d.sum));
}

void PrintSummary(const std::vector<uint32_t>& s,
                  const std::vector<uint32_t>& t, const Options& options,
                  const Stats& stats, double first_call_ms) {
  std::printf("phase-router demo: skewed degrees (shifted Zipf curves)\n");
  std::printf("  %-15s %zu sources x %zu targets\n", "shape", stats.M, stats.E);
  PrintDegreeLine("source degrees", s);
  PrintDegreeLine("target degrees", t);
  std::printf("  %-15s %zu\n", "k", stats.k);
  std::printf("  %-15s %llu\n", "seed",
              static_cast<unsigned long long>(options.seed));
  if (options.threads == 0) {
    std::printf("  %-15s default\n", "threads");
  } else {
    std::printf("  %-15s %d\n", "threads", options.threads);
  }
  std::printf("  %-15s %s\n", "backend", stats.backend.c_str());
  if (stats.tiled) {
    std::printf("  %-15s on (%llu laps; asked %s)\n", "tiling",
                static_cast<unsigned long long>(stats.laps),
                TilingName(options.tiling));
  } else {
    std::printf("  %-15s off (asked %s)\n", "tiling",
                TilingName(options.tiling));
  }
  std::printf(
      "  %-15s %.4f  (%llu of %zu slots)\n", "fill ratio", stats.fill_ratio,
      static_cast<unsigned long long>(stats.active_routes), stats.M * stats.k);
  std::printf("  %-15s %llu\n", "active routes",
              static_cast<unsigned long long>(stats.active_routes));
  std::printf("  %-15s min %u  mean %.1f  max %u\n", "candidates",
              stats.candidates_min, stats.candidates_mean,
              stats.candidates_max);
  std::printf("  %-15s max %u  mean %.1f  skew %.2f\n", "target load",
              stats.load_max, stats.load_mean, stats.load_skew);
  int name_width = 5;  // "total"
  for (const auto& [name, ms] : stats.stage_ms) {
    name_width = std::max(name_width, static_cast<int>(name.size()));
  }
  std::printf("  time (ms), median of %d warm calls\n", kWarmCalls);
  for (const auto& [name, ms] : stats.stage_ms) {
    std::printf("    %-*s %10.3f\n", name_width, name.c_str(), ms);
  }
  std::printf("    %-*s %10.3f\n", name_width, "total", stats.route_ms);
  std::printf("  first call      %.3f ms (allocates the workspace, starts threads)\n",
              first_call_ms);
}

}  // namespace

DemoInput MakeDemoInput(size_t n) {
  DemoInput input;
  const uint32_t max_degree = static_cast<uint32_t>(n);
  input.s = ShiftedZipfDegrees(n, max_degree, std::max<uint64_t>(1, n / 8));
  input.t = ShiftedZipfDegrees(n, max_degree, std::max<uint64_t>(1, n / 4));
  input.k = static_cast<uint32_t>(std::max<size_t>(1, n / 4));
  return input;
}

CLI::App* AddDemoCommand(CLI::App& app, DemoArgs& args) {
  CLI::App* demo = app.add_subcommand(
      "demo",
      "Route a built-in skewed example (N = 1024, k = 256) and print a "
      "summary");
  demo->add_option("--seed", args.seed, "any unsigned 64-bit seed")
      ->type_name("SEED")
      ->capture_default_str();
  demo->add_option("--threads", args.threads, "OpenMP threads, 0 = default")
      ->type_name("N")
      ->capture_default_str();
  AddMemoryLimitOption(*demo, args.memory_limit);
  AddTilingOption(*demo, args.tiling);
  AddTargetOption(*demo, args.target);
  return demo;
}

void RunDemoCommand(const DemoArgs& args) {
  Options options;
  options.seed = ParseSeedOption(args.seed);
  options.threads = ParseThreadsOption(args.threads);
  options.memory_limit = ParseMemoryLimitOption(args.memory_limit);
  options.tiling = ParseTiling(args.tiling);  // CLI11 checked the name
  ApplyTargetOption(args.target);
  // The demo's degree vectors are the tool's; the routing gets the rest of
  // the ceiling.
  io::MemoryBudget budget = ToolMemoryBudget(options.memory_limit);
  budget.Charge(2 * kDemoNodes * sizeof(uint32_t), "the demo's degrees");
  const DemoInput input = MakeDemoInput(kDemoNodes);
  options.k = input.k;
  options.memory_limit = LibraryMemoryLimit(budget);
  // The first call allocates the workspace and starts OpenMP's threads; the
  // summary shows the median of the warm calls that follow, which is what a
  // router embedded in a serving loop pays per routing.
  Router router;
  Stats first;
  std::vector<Stats> warm(kWarmCalls);
  WithinBudget(budget, [&] {
    router.RouteDegrees(input.s, input.t, options, &first);
    for (Stats& stats : warm) router.RouteDegrees(input.s, input.t, options, &stats);
  });
  std::sort(warm.begin(), warm.end(),
            [](const Stats& a, const Stats& b) { return a.route_ms < b.route_ms; });
  PrintSummary(input.s, input.t, options, warm[kWarmCalls / 2], first.route_ms);
  io::FlushOrThrow(stdout, "standard output");
}

}  // namespace phase_router::cli
