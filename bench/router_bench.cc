// End-to-end routing benchmarks: every shape of tools/timing/end_to_end.h, from
// degree vectors, packed bits and byte matrices, once per supported target,
// beside the same-run yardsticks (memcpy of the bytes the routing must touch;
// the hash router with the same M, E, k). Before timing, every target's routes
// are checked against the generic backend's. Times are wall-clock (the router
// runs OpenMP threads); a reused Router keeps its workspace warm.
//
//   build/bin/router_bench --benchmark_filter=4096x4096/k512
//       --benchmark_out=router.json --benchmark_out_format=json
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tools/timing/end_to_end.h"
#include "phase_router/phase_router.h"

namespace phase_router::bench {
namespace {

// Inputs and the generic backend's routes, built once per (shape, kind).
struct Case {
  Shape shape;
  Inputs inputs;
  std::vector<int32_t> want;
};

Case& GetCase(const Shape& shape, InputKind kind) {
  static std::map<std::string, std::unique_ptr<Case>> cases;
  std::unique_ptr<Case>& c = cases[shape.Name() + "/" + InputName(kind)];
  if (!c) {
    c = std::make_unique<Case>(Case{shape, MakeInputs(shape, kind), {}});
    c->want.resize(shape.M * shape.k);
    Options options;
    options.k = shape.k;
    options.seed = 1;
    ForceTarget("generic");
    Router router;
    RouteCase(router, shape, c->inputs, options, c->want.data());
    ForceTarget("");
  }
  return *c;
}

void RouteBench(benchmark::State& state, Shape shape, InputKind kind, std::string target,
                int threads) {
  Case& c = GetCase(shape, kind);
  Options options;
  options.k = shape.k;
  options.seed = 1;
  options.threads = threads;
  ForceTarget(target);
  Router router;
  std::vector<int32_t> out(shape.M * shape.k);
  RouteCase(router, shape, c.inputs, options, out.data());  // warms the workspace
  if (out != c.want) {
    std::fprintf(stderr, "router_bench: %s %s on %s differs from generic\n",
                 shape.Name().c_str(), InputName(kind), target.c_str());
    std::exit(1);
  }
  for (auto _ : state) {
    RouteCase(router, shape, c.inputs, options, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  ForceTarget("");
  state.SetBytesProcessed(static_cast<int64_t>(TouchedBytes(shape, c.inputs)) *
                          static_cast<int64_t>(state.iterations()));
}

void MemcpyBench(benchmark::State& state, Shape shape, InputKind kind) {
  const size_t bytes = TouchedBytes(shape, GetCase(shape, kind).inputs);
  MemcpyYardstick copy(bytes);
  copy.Run();
  for (auto _ : state) copy.Run();
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * static_cast<int64_t>(state.iterations()));
}

void HashBench(benchmark::State& state, Shape shape) {
  Options options;
  options.k = shape.k;
  options.seed = 1;
  std::vector<int32_t> out(shape.M * shape.k);
  HashRoute(shape.M, shape.E, options, out.data());
  for (auto _ : state) {
    HashRoute(shape.M, shape.E, options, out.data());
    benchmark::DoNotOptimize(out.data());
  }
}

void RegisterAll() {
  const std::vector<std::string> targets = SupportedTargets();
  for (const Shape& shape : EndToEndShapes()) {
    const std::string name = shape.Name();
    benchmark::RegisterBenchmark(("HashRoute/" + name).c_str(), HashBench, shape)
        ->UseRealTime()->Unit(benchmark::kMillisecond);
    for (InputKind kind : {InputKind::kDegrees, InputKind::kBits, InputKind::kBytes}) {
      // Byte matrices past 8192^2 cost more to build than to route.
      if (kind == InputKind::kBytes && shape.M * shape.E > (size_t{1} << 26)) continue;
      const std::string suffix = name + "/" + InputName(kind);
      benchmark::RegisterBenchmark(("Memcpy/" + suffix).c_str(), MemcpyBench, shape, kind)
          ->UseRealTime()->Unit(benchmark::kMillisecond);
      for (const std::string& target : targets) {
        benchmark::RegisterBenchmark(("Route/" + target + "/" + suffix).c_str(), RouteBench,
                                     shape, kind, target, 0)
            ->UseRealTime()->Unit(benchmark::kMillisecond);
      }
      // Thread scaling of the best target, from degree vectors.
      if (kind == InputKind::kDegrees && !shape.moe && shape.M >= 2048) {
        for (int threads : {1, 2}) {
          benchmark::RegisterBenchmark(
              ("RouteThreads/" + targets.front() + "/" + suffix + "/threads:" +
               std::to_string(threads)).c_str(),
              RouteBench, shape, kind, targets.front(), threads)
              ->UseRealTime()->Unit(benchmark::kMillisecond);
        }
      }
    }
  }
}

}  // namespace
}  // namespace phase_router::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  phase_router::bench::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
