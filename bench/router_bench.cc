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
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// A yardstick for RouteThreads: what writing memory that another core last
// read costs on this machine. Two threads each write their half of a 2 MiB
// buffer a 512-byte row at a time, each row a copy of the one before with a
// bit flipped (FillArcColumns' pattern), right after that half was read by
// the same thread (same_thread) or by the other one (other_thread). Both do
// the same reads and writes; only the hand-over differs. A routing's stages
// hand rows from thread to thread (a transpose reads what every thread
// wrote, the selection reads U's rows through a permutation), so where
// this ratio is large, so is the cost of the stages that write.
void RowWriteAfterRead(benchmark::State& state, bool other) {
  if (omp_get_num_procs() < 2) {
    state.SkipWithError("needs two cores");
    return;
  }
  constexpr size_t kRowWords = 64, kHalfRows = (size_t{1} << 20) / (8 * kRowWords);
  std::vector<uint64_t> buffer(2 * kHalfRows * kRowWords, 1);
  uint64_t sum = 0;
  bool two = true;
  for (auto _ : state) {
#pragma omp parallel num_threads(2) reduction(+ : sum)
    {
      if (omp_get_num_threads() != 2) two = false;
      const size_t me = static_cast<size_t>(omp_get_thread_num());
      const size_t read = other ? 1 - me : me;
      const uint64_t* in = buffer.data() + read * kHalfRows * kRowWords;
      for (size_t i = 0; i < kHalfRows * kRowWords; ++i) sum += in[i];
#pragma omp barrier
      uint64_t* half = buffer.data() + me * kHalfRows * kRowWords;
      half[0] ^= 1;
      for (size_t r = 1; r < kHalfRows; ++r) {
        uint64_t* row = half + r * kRowWords;
        std::memcpy(row, row - kRowWords, kRowWords * sizeof(uint64_t));
        row[r % kRowWords] ^= 1;
      }
    }
  }
  benchmark::DoNotOptimize(sum);
  if (!two) state.SkipWithError("OpenMP gave fewer than two threads");
}

void RegisterAll() {
  const std::vector<std::string> targets = SupportedTargets();
  for (const bool other : {false, true}) {
    benchmark::RegisterBenchmark(other ? "RowWriteAfterRead/other_thread"
                                       : "RowWriteAfterRead/same_thread",
                                 RowWriteAfterRead, other)
        ->UseRealTime()->Unit(benchmark::kMillisecond);
  }
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
