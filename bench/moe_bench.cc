// Mixture-of-Experts benchmarks (phase_router/moe.h, docs/moe.md): for each
// shape, the routing itself (RouteTokens on a reused Router), the routes by
// target of that routing (into reused buffers), and the two in a row (what
// phase_router.moe.route runs), in the same run so their ratio is like for
// like. Before timing, the routes by target are checked against a plain
// per-target scan, on one thread and on the default count.
//
//   build/bin/moe_bench --benchmark_filter=65536x64
//   /usr/bin/python3 tools/moe_timing.py --build-dir build   # the ratios
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "phase_router/moe.h"
#include "phase_router/phase_router.h"

namespace phase_router::bench {
namespace {

struct MoeShape {
  size_t tokens, experts;
  uint32_t k;
  double capacity_factor;
  std::string Name() const {
    char name[96];
    std::snprintf(name, sizeof(name), "%zux%zu/k%u/cf%.2f", tokens, experts, k,
                  capacity_factor);
    return name;
  }
};

Options MoeOptions(const MoeShape& shape) {
  Options options;
  options.k = shape.k;
  options.seed = 1;
  return options;
}

// Exits unless `got` equals a per-target scan of `routes`.
void VerifyByTarget(const std::vector<int32_t>& routes, const MoeShape& shape,
                    const RoutesByTarget& got) {
  size_t n = 0;
  bool ok = got.offsets.size() == shape.experts + 1 && got.offsets[0] == 0;
  for (size_t t = 0; ok && t < shape.experts; ++t) {
    for (size_t x = 0; ok && x < routes.size(); ++x) {
      if (routes[x] != static_cast<int32_t>(t)) continue;
      ok = n < got.size() && got.sources[n] == static_cast<int32_t>(x / shape.k) &&
           got.slots[n] == static_cast<int32_t>(x % shape.k);
      ++n;
    }
    ok = ok && got.offsets[t + 1] == static_cast<int64_t>(n);
  }
  if (!ok || n != got.size()) {
    std::fprintf(stderr, "moe_bench: routes by target of %s differ from a plain scan\n",
                 shape.Name().c_str());
    std::exit(1);
  }
}

void RouteBench(benchmark::State& state, MoeShape shape) {
  const std::vector<uint32_t> t =
      Capacities(shape.tokens, shape.experts, shape.k, shape.capacity_factor);
  const Options options = MoeOptions(shape);
  Router router;
  std::vector<int32_t> routes(shape.tokens * shape.k);
  RouteTokens(router, shape.tokens, t, options, routes.data());  // warms the workspace
  for (auto _ : state) {
    RouteTokens(router, shape.tokens, t, options, routes.data());
    benchmark::DoNotOptimize(routes.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(shape.tokens) * state.iterations());
}

void ByTargetBench(benchmark::State& state, MoeShape shape) {
  const std::vector<uint32_t> t =
      Capacities(shape.tokens, shape.experts, shape.k, shape.capacity_factor);
  Router router;
  const Routes routes = RouteTokens(router, shape.tokens, t, MoeOptions(shape));
  VerifyByTarget(routes.ids, shape, ComputeRoutesByTarget(routes, shape.experts, 1));
  VerifyByTarget(routes.ids, shape, ComputeRoutesByTarget(routes, shape.experts));
  std::vector<int64_t> offsets(shape.experts + 1);
  std::vector<int32_t> sources(routes.ids.size()), slots(routes.ids.size());
  for (auto _ : state) {
    ComputeRoutesByTarget(routes.ids, shape.k, shape.experts, offsets, sources, slots);
    benchmark::DoNotOptimize(sources.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(shape.tokens) * state.iterations());
}

// The routing and its routes by target, as phase_router.moe.route runs them.
void RouteAndByTargetBench(benchmark::State& state, MoeShape shape) {
  const std::vector<uint32_t> t =
      Capacities(shape.tokens, shape.experts, shape.k, shape.capacity_factor);
  const Options options = MoeOptions(shape);
  Router router;
  std::vector<int32_t> routes(shape.tokens * shape.k);
  std::vector<int64_t> offsets(shape.experts + 1);
  std::vector<int32_t> sources(routes.size()), slots(routes.size());
  RouteTokens(router, shape.tokens, t, options, routes.data());
  for (auto _ : state) {
    RouteTokens(router, shape.tokens, t, options, routes.data());
    ComputeRoutesByTarget(routes, shape.k, shape.experts, offsets, sources, slots);
    benchmark::DoNotOptimize(sources.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(shape.tokens) * state.iterations());
}

void RegisterAll() {
  const MoeShape shapes[] = {
      {65536, 64, 2, 1.0}, {65536, 64, 2, 1.25}, {65536, 256, 2, 1.0},
      {65536, 256, 2, 1.25}, {4096, 64, 2, 1.0}, {4096, 64, 2, 1.25},
  };
  for (const MoeShape& shape : shapes) {
    benchmark::RegisterBenchmark(("MoeRoute/" + shape.Name()).c_str(), RouteBench, shape)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("MoeByTarget/" + shape.Name()).c_str(), ByTargetBench, shape)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("MoeRouteAndByTarget/" + shape.Name()).c_str(),
                                 RouteAndByTargetBench, shape)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace phase_router::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  phase_router::bench::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
