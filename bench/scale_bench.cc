// The two methods side by side (docs/scale.md): the bit-matrix pipeline and
// arc intersection on the same degree inputs, across M, E, k and degree
// density, one thread (the cost model's calibration) and the default team.
// Counters: ns_per_word = time per M * ceil(E / 64) words (the bit path's
// unit) and ns_per_test = time per arc test as the cost model counts them
// (sum over sources of min(s_i, 4 Σt / M) + 24). Before timing, each case
// checks that both methods give the same routes.
//
//   build/bin/scale_bench --benchmark_out=scale.json --benchmark_out_format=json
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"

namespace phase_router {
namespace {

struct Shape {
  size_t M, E;
  uint32_t k;
  // density of s: 0 = every s_i = E and Σt = 1.25 M k (an MoE layer);
  // otherwise s_i, t_t ~ Binomial(E or M, density).
  double density;
  std::string Name() const {
    char name[96];
    if (density == 0) {
      std::snprintf(name, sizeof(name), "moe/%zux%zu/k%u", M, E, k);
    } else {
      std::snprintf(name, sizeof(name), "density%g/%zux%zu/k%u", density, M, E, k);
    }
    return name;
  }
};

struct Case {
  std::vector<uint32_t> s, t;
  double words = 0, tests = 0;
};

const Case& GetCase(const Shape& shape) {
  static std::map<std::string, std::unique_ptr<Case>> cases;
  std::unique_ptr<Case>& c = cases[shape.Name()];
  if (c) return *c;
  c = std::make_unique<Case>();
  std::mt19937_64 rng(7);
  if (shape.density == 0) {
    c->s.assign(shape.M, static_cast<uint32_t>(shape.E));
    const uint64_t total = static_cast<uint64_t>(std::llround(1.25 * double(shape.M) * shape.k));
    c->t.resize(shape.E);
    for (size_t j = 0; j < shape.E; ++j) {
      c->t[j] = static_cast<uint32_t>(
          std::min<uint64_t>(shape.M, total / shape.E + (j < total % shape.E)));
    }
  } else {
    std::binomial_distribution<uint32_t> bs(static_cast<uint32_t>(shape.E), shape.density);
    std::binomial_distribution<uint32_t> bt(static_cast<uint32_t>(shape.M), shape.density);
    for (size_t i = 0; i < shape.M; ++i) c->s.push_back(bs(rng));
    for (size_t j = 0; j < shape.E; ++j) c->t.push_back(bt(rng));
  }
  uint64_t total = 0;
  for (uint32_t x : c->t) total += x;
  const double search = 4.0 * std::ceil(double(total) / double(shape.M));
  for (uint32_t x : c->s) c->tests += std::min<double>(x, search) + 24;
  c->words = double(shape.M) * double((shape.E + 63) / 64);

  Options o;
  o.k = shape.k;
  o.seed = 1;
  o.method = Method::kBits;
  const std::vector<int32_t> bits = RouteDegrees(c->s, c->t, o).ids;
  o.method = Method::kArcs;
  if (RouteDegrees(c->s, c->t, o).ids != bits) {
    std::fprintf(stderr, "scale_bench: %s: arcs and bits differ\n", shape.Name().c_str());
    std::exit(1);
  }
  return *c;
}

void MethodBench(benchmark::State& state, Shape shape, Method method, int threads) {
  const Case& c = GetCase(shape);
  Options o;
  o.k = shape.k;
  o.seed = 1;
  o.method = method;
  o.threads = threads;
  Router router;
  std::vector<int32_t> out(shape.M * shape.k);
  router.RouteDegrees(c.s, c.t, o, out.data());  // warms the workspace
  for (auto _ : state) {
    router.RouteDegrees(c.s, c.t, o, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  const double n = double(state.iterations());
  state.counters["ns_per_word"] =
      benchmark::Counter(c.words * n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["ns_per_test"] =
      benchmark::Counter(c.tests * n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["workspace_MB"] = double(router.workspace_bytes()) / 1e6;
}

// A short row range of a huge MoE routing (what one of many shards routes):
// rows [M / 2, M / 2 + rows) of M = 10^7 sources, E = 1024, k = 8, Σt = 1.25 M
// k, auto method. Its cost is the range's rows plus the target side plus one
// prefix pass over s (SPEC.md v2's fperm needs no O(M) permutation).
void RangeBench(benchmark::State& state, size_t M, size_t rows) {
  const size_t E = 1024;
  const uint32_t k = 8;
  static std::vector<uint32_t> s, t;
  if (s.size() != M) {
    s.assign(M, static_cast<uint32_t>(E));
    const uint64_t total = static_cast<uint64_t>(std::llround(1.25 * double(M) * k));
    t.resize(E);
    for (size_t j = 0; j < E; ++j) t[j] = static_cast<uint32_t>(total / E + (j < total % E));
  }
  Options o;
  o.k = k;
  o.seed = 1;
  o.row_begin = M / 2;
  o.row_end = M / 2 + rows;
  Router router;
  std::vector<int32_t> out(rows * k);
  Stats st;
  router.RouteDegrees(s, t, o, out.data(), &st);
  for (auto _ : state) {
    router.RouteDegrees(s, t, o, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["workspace_MB"] = double(router.workspace_bytes()) / 1e6;
  state.SetLabel(st.method);
}

int Register() {
  for (size_t rows : {size_t{100}, size_t{10000}}) {
    const size_t M = 10000000;
    benchmark::RegisterBenchmark(("range/moe/" + std::to_string(M) + "x1024/k8/rows:" +
                                  std::to_string(rows)).c_str(),
                                 RangeBench, M, rows)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  const std::vector<Shape> shapes = {
      {65536, 64, 8, 0},       {65536, 256, 8, 0},     {65536, 1024, 8, 0},
      {65536, 4096, 8, 0},     {16384, 1024, 64, 0},   {262144, 1024, 8, 0},
      {1024, 1024, 64, 1.0 / 64}, {1024, 1024, 64, 1.0 / 8}, {1024, 1024, 64, 0.5},
      {4096, 4096, 64, 1.0 / 64}, {4096, 4096, 64, 1.0 / 8}, {4096, 4096, 64, 0.5},
  };
  for (const Shape& shape : shapes) {
    for (int threads : {1, 0}) {
      for (Method m : {Method::kBits, Method::kArcs}) {
        const std::string name = "scale/" + shape.Name() + "/" + MethodName(m) + "/threads:" +
                                 (threads ? std::to_string(threads) : std::string("default"));
        benchmark::RegisterBenchmark(name.c_str(), MethodBench, shape, m, threads)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
  return 0;
}

const int registered = Register();

}  // namespace
}  // namespace phase_router

BENCHMARK_MAIN();
