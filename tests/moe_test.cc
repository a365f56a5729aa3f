// phase_router/moe.h: routes by target against a plain per-target scan, for
// any thread count; capacities against their definition (sum, cap, largest
// remainder) and a plain uniform split; RouteTokens on full and partial
// batches; every error.
#include "phase_router/moe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"

namespace phase_router {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// The plain definition: for each target, scan the rows in order.
RoutesByTarget ScanByTarget(const std::vector<int32_t>& routes, size_t k, size_t E) {
  RoutesByTarget r;
  r.E = E;
  r.offsets.push_back(0);
  for (size_t t = 0; t < E; ++t) {
    for (size_t n = 0; n < routes.size(); ++n) {
      if (routes[n] == static_cast<int32_t>(t)) {
        r.sources.push_back(static_cast<int32_t>(n / k));
        r.slots.push_back(static_cast<int32_t>(n % k));
      }
    }
    r.offsets.push_back(static_cast<int64_t>(r.sources.size()));
  }
  return r;
}

void ExpectSame(const RoutesByTarget& got, const RoutesByTarget& want) {
  EXPECT_EQ(got.E, want.E);
  EXPECT_EQ(got.offsets, want.offsets);
  EXPECT_EQ(got.sources, want.sources);
  EXPECT_EQ(got.slots, want.slots);
}

// Random rows of k entries in [-1, E), repeats allowed (the inverse does not
// need a router's rows).
std::vector<int32_t> RandomRoutes(size_t M, size_t k, size_t E, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> id(-1, static_cast<int32_t>(E) - 1);
  std::vector<int32_t> routes(M * k);
  for (int32_t& x : routes) x = id(rng);
  return routes;
}

TEST(RoutesByTarget, MatchesAPlainScanForAnyThreadCount) {
  struct Shape {
    size_t M, k, E;
  };
  // Small (one band) and large enough for bands (>= 2^16 entries), a target
  // count above the rows, and k = 1.
  for (const Shape& s : {Shape{37, 3, 5}, Shape{40000, 2, 64}, Shape{70000, 1, 7},
                         Shape{33000, 4, 1000}, Shape{5, 2, 100}}) {
    const std::vector<int32_t> routes = RandomRoutes(s.M, s.k, s.E, 7);
    const RoutesByTarget want = ScanByTarget(routes, s.k, s.E);
    for (int threads : {0, 1, 2, 3, 7, 16}) {
      SCOPED_TRACE(std::to_string(s.M) + "x" + std::to_string(s.k) + " E=" +
                   std::to_string(s.E) + " threads=" + std::to_string(threads));
      ExpectSame(ComputeRoutesByTarget(routes, s.k, s.E, threads), want);
    }
  }
}

TEST(RoutesByTarget, OfARoutingIsItsDispatch) {
  // A real MoE routing, into caller buffers of M * k and from Routes.
  const size_t M = 65536, E = 256, k = 2;
  Router router;
  Options options;
  options.k = k;
  options.seed = 3;
  const Routes routes = RouteTokens(router, M, Capacities(M, E, k, 1.25), options);
  const RoutesByTarget want = ScanByTarget(routes.ids, k, E);
  std::vector<int64_t> offsets(E + 1);
  std::vector<int32_t> sources(M * k), slots(M * k);
  for (int threads : {1, 2, 4}) {
    ComputeRoutesByTarget(routes.ids, k, E, offsets, sources, slots, threads);
    EXPECT_EQ(offsets, want.offsets);
    const size_t n = static_cast<size_t>(offsets[E]);
    EXPECT_TRUE(std::equal(want.sources.begin(), want.sources.end(), sources.begin()));
    EXPECT_TRUE(std::equal(want.slots.begin(), want.slots.end(), slots.begin()));
    EXPECT_EQ(n, want.sources.size());
  }
  ExpectSame(ComputeRoutesByTarget(routes, E), want);
}

TEST(RoutesByTarget, EmptyRowsGiveZeroOffsets) {
  const RoutesByTarget r = ComputeRoutesByTarget(std::vector<int32_t>(12, -1), 3, 4);
  EXPECT_THAT(r.offsets, ElementsAreArray({0, 0, 0, 0, 0}));
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(ComputeRoutesByTarget(std::vector<int32_t>{}, 3, 4).offsets.size(), 5u);
}

void ExpectError(const auto& call, ErrorCode code, const std::string& text) {
  try {
    call();
    ADD_FAILURE() << "no error; expected " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(text));
  }
}

TEST(RoutesByTarget, RefusesBadInput) {
  const std::vector<int32_t> routes = {0, 1, -1, 2, 1, 0};
  ExpectError([&] { ComputeRoutesByTarget(routes, 0, 3); }, ErrorCode::kBadOption,
              "k must be >= 1");
  ExpectError([&] { ComputeRoutesByTarget(routes, 4, 3); }, ErrorCode::kBadShape,
              "routes has 6 entries, not a multiple of k = 4");
  ExpectError([&] { ComputeRoutesByTarget(routes, 2, 0); }, ErrorCode::kBadShape, "E = 0");
  ExpectError([&] { ComputeRoutesByTarget(routes, 2, 2); }, ErrorCode::kBadData,
              "routes[1][1] = 2 is not a target id in [0, E = 2) nor -1");
  ExpectError([&] { ComputeRoutesByTarget(std::vector<int32_t>{0, -2}, 1, 3); },
              ErrorCode::kBadData, "routes[1][0] = -2");
  ExpectError([&] { ComputeRoutesByTarget(routes, 2, 3, -1); }, ErrorCode::kBadOption,
              "threads");
  std::vector<int64_t> offsets(4), short_offsets(3);
  std::vector<int32_t> four(4), five(5);
  ExpectError([&] { ComputeRoutesByTarget(routes, 2, 3, short_offsets, five, five); },
              ErrorCode::kBadShape, "offsets holds 3 entries, but the routes need 4");
  ExpectError([&] { ComputeRoutesByTarget(routes, 2, 3, offsets, four, five); },
              ErrorCode::kBadShape, "sources holds 4 entries, but the routes need 5");
  // Exactly the routes' count is enough.
  ComputeRoutesByTarget(routes, 2, 3, offsets, five, five);
  EXPECT_EQ(offsets[3], 5);
  // The first bad entry is named whatever the band that finds it.
  std::vector<int32_t> big = RandomRoutes(50000, 2, 10, 1);
  big[70001] = 10;
  big[99999] = -5;
  for (int threads : {1, 2, 8}) {
    ExpectError([&] { ComputeRoutesByTarget(big, 2, 10, threads); }, ErrorCode::kBadData,
                "routes[35000][1] = 10");
  }
}

// ---- Capacities

// The plain uniform split: floor(total / E) each, one more for the lowest
// ids while units remain.
std::vector<uint32_t> UniformSplit(uint64_t total, size_t E) {
  std::vector<uint32_t> t(E);
  for (size_t e = 0; e < E; ++e) t[e] = static_cast<uint32_t>(total / E + (e < total % E));
  return t;
}

TEST(Capacities, UniformIsTheFloorOfTheFactorSplitEvenly) {
  for (size_t M : {1, 7, 100, 4096, 65536}) {
    for (size_t E : {1, 3, 64, 100}) {
      for (uint32_t k : {1u, 2u, 3u}) {
        for (double cf : {0.0, 0.5, 0.9, 1.0, 1.1, 1.25, 2.0}) {
          if (cf * k > E) continue;  // more than E experts can take
          // The decimal cf as a ratio of integers: cf * 100 is integral here.
          const uint64_t total = static_cast<uint64_t>(std::llround(cf * 100)) * M * k / 100;
          SCOPED_TRACE(std::to_string(M) + " " + std::to_string(E) + " " + std::to_string(k) +
                       " " + std::to_string(cf));
          EXPECT_EQ(Capacities(M, E, k, cf), UniformSplit(total, E));
        }
      }
    }
  }
}

uint64_t Sum(const std::vector<uint32_t>& t) {
  return std::accumulate(t.begin(), t.end(), uint64_t{0});
}

TEST(Capacities, DecimalFactorsCountAsWritten) {
  // In doubles 1.1 * 10 is 11.000000000000002 and 0.29 * 100 is
  // 28.999999999999996; the capacities sum to what the decimals say, here
  // (hundredths * M * k) / 100 in integers.
  for (int hundredths : {29, 57, 110, 115, 170}) {
    for (size_t M : {10, 100, 1000, 4096}) {
      const double cf = hundredths / 100.0;
      SCOPED_TRACE(std::to_string(hundredths) + " " + std::to_string(M));
      EXPECT_EQ(Sum(Capacities(M, 4, 2, cf)), uint64_t(hundredths) * M * 2 / 100);
    }
  }
}

// Checks the definition: Σt = total, t_e <= M, zero weights get nothing,
// experts not at M are within one of their share of what the capped ones
// leave, and largest remainder: a unit above the floor only where no expert
// left at its floor has a strictly larger remainder.
void ExpectLargestRemainder(const std::vector<uint32_t>& t, const std::vector<double>& w,
                            size_t M, uint64_t total) {
  ASSERT_EQ(t.size(), w.size());
  EXPECT_EQ(Sum(t), total);
  long double left = static_cast<long double>(total), weight = 0;
  for (size_t e = 0; e < t.size(); ++e) {
    EXPECT_LE(t[e], M);
    if (w[e] == 0) {
      EXPECT_EQ(t[e], 0u);
    }
    if (t[e] == M) {
      left -= M;
    } else {
      weight += w[e];
    }
  }
  long double lowest_taken = 2, highest_left = -1;
  for (size_t e = 0; e < t.size(); ++e) {
    if (t[e] == M || w[e] == 0) continue;
    const long double share = left * w[e] / weight;
    EXPECT_LT(std::fabs(static_cast<double>(t[e] - share)), 1.0) << e;
    const long double remainder = share - std::floor(share);
    if (t[e] > std::floor(share)) lowest_taken = std::min(lowest_taken, remainder);
    else highest_left = std::max(highest_left, remainder);
  }
  EXPECT_GE(lowest_taken + 1e-12, highest_left);
}

TEST(Capacities, WeightedSplitIsLargestRemainder) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    const size_t E = 1 + rng() % 40, M = 1 + rng() % 5000;
    const uint32_t k = 1 + rng() % 4;
    std::vector<double> w(E);
    for (double& x : w) x = (rng() % 4 == 0) ? 0 : static_cast<double>(rng() % 1000) / 7;
    if (*std::max_element(w.begin(), w.end()) == 0) w[0] = 1;
    const size_t open = static_cast<size_t>(std::count_if(w.begin(), w.end(),
                                                          [](double x) { return x > 0; }));
    const int percent = static_cast<int>(rng() % 300);
    const uint64_t total = uint64_t{M} * k * static_cast<uint64_t>(percent) / 100;
    SCOPED_TRACE("round " + std::to_string(round));
    if (total > uint64_t{M} * open) {
      EXPECT_THROW(Capacities(M, E, k, percent / 100.0, w), Error);
      continue;
    }
    ExpectLargestRemainder(Capacities(M, E, k, percent / 100.0, w), w, M, total);
  }
}

TEST(Capacities, HeavyExpertsAreCappedAtTheRing) {
  // Expert 0 wants 90% of 2 * 100 slots = 180 > M = 100: it takes 100 and
  // the other 100 are split 1 : 1.
  const std::vector<double> w = {18, 1, 1};
  ExpectLargestRemainder(Capacities(100, 3, 2, 1.0, w), w, 100, 200);
  EXPECT_EQ(Capacities(100, 3, 2, 1.0, w)[0], 100u);
  // Scaling weights changes nothing; uniform weights equal the default.
  EXPECT_EQ(Capacities(100, 3, 2, 1.0, std::vector<double>{1.8e-300, 1e-301, 1e-301}),
            Capacities(100, 3, 2, 1.0, w));
  EXPECT_EQ(Capacities(97, 5, 3, 1.3, std::vector<double>(5, 0.25)), Capacities(97, 5, 3, 1.3));
}

TEST(Capacities, RefusesImpossibleRequests) {
  ExpectError([] { Capacities(100, 4, 2, 2.5); }, ErrorCode::kBadOption,
              "capacity_factor 2.5 x M = 100 tokens x k = 2 asks for more slots than the E = 4 "
              "experts can take at most M = 100 tokens each (400); lower capacity_factor to at "
              "most 2");
  ExpectError([] { Capacities(100, 4, 2, 1.0, std::vector<double>{1, 0, 0, 0}); },
              ErrorCode::kBadOption, "the 1 experts of nonzero weight can take");
  ExpectError([] { Capacities(100, 4, 2, -0.5); }, ErrorCode::kBadOption,
              "capacity_factor = -0.5 is not a finite number >= 0");
  ExpectError([] { Capacities(100, 4, 2, std::nan("")); }, ErrorCode::kBadOption,
              "capacity_factor = nan");
  ExpectError([] { Capacities(100, 4, 2, INFINITY); }, ErrorCode::kBadOption,
              "capacity_factor = inf");
  ExpectError([] { Capacities(100, 4, 0, 1.0); }, ErrorCode::kBadOption, "k must be >= 1");
  ExpectError([] { Capacities(0, 4, 1, 1.0); }, ErrorCode::kBadShape, "M = 0 tokens");
  ExpectError([] { Capacities(10, 0, 1, 1.0); }, ErrorCode::kBadShape, "E = 0 experts");
  ExpectError([] { Capacities(10, 3, 1, 1.0, std::vector<double>{1, 2}); },
              ErrorCode::kBadShape, "weights has 2 entries; expected E = 3");
  ExpectError([] { Capacities(10, 2, 1, 1.0, std::vector<double>{1, -2}); },
              ErrorCode::kBadOption, "weights[1] = -2 is not a finite number >= 0");
  ExpectError([] { Capacities(10, 2, 1, 1.0, std::vector<double>{0, 0}); },
              ErrorCode::kBadOption, "weights are all zero");
  ExpectError([] { Capacities(10, 2, 1, 1e300); }, ErrorCode::kBadOption,
              "asks for more slots");
}

// ---- RouteTokens

std::vector<uint32_t> Loads(const std::vector<int32_t>& routes, size_t E) {
  std::vector<uint32_t> load(E, 0);
  for (int32_t t : routes) {
    if (t >= 0) ++load[t];
  }
  return load;
}

TEST(RouteTokens, CapacityFactorOneIsExact) {
  // Σt = M k with every token open to every expert: each token gets k
  // experts and each expert exactly its capacity, tiling or not.
  for (Tiling tiling : {Tiling::kAuto, Tiling::kOn, Tiling::kOff}) {
    for (uint32_t k : {1u, 2u, 4u}) {
      const size_t M = 1000, E = 24;
      const std::vector<uint32_t> t = Capacities(M, E, k, 1.0);
      Router router;
      Options options;
      options.k = k;
      options.seed = 5;
      options.tiling = tiling;
      const Routes routes = RouteTokens(router, M, t, options);
      EXPECT_EQ(std::count(routes.ids.begin(), routes.ids.end(), -1), 0);
      EXPECT_EQ(Loads(routes.ids, E), t);
    }
  }
}

TEST(RouteTokens, PartialBatchClipsCapacitiesToTheRing) {
  // Capacities for 4096 tokens (160 each) on a batch of 100: the same as
  // routing with capacities min(160, 100), and no expert over either.
  const size_t E = 64;
  const uint32_t k = 2;
  const std::vector<uint32_t> full = Capacities(4096, E, k, 1.25);
  Router router;
  Options options;
  options.k = k;
  options.seed = 9;
  const Routes part = RouteTokens(router, 100, full, options);
  const std::vector<uint32_t> s(100, E), clipped(E, 100);
  EXPECT_EQ(part.ids, router.RouteDegrees(s, clipped, options).ids);
  const std::vector<uint32_t> load = Loads(part.ids, E);
  for (size_t e = 0; e < E; ++e) EXPECT_LE(load[e], 100u);
  // Into a buffer, with stats.
  std::vector<int32_t> out(100 * k);
  Stats stats;
  RouteTokens(router, 100, full, options, out.data(), &stats);
  EXPECT_EQ(out, part.ids);
  EXPECT_EQ(stats.M, 100u);
}

TEST(RouteTokens, RefusesWhatTheRouterRefuses) {
  Router router;
  Options options;
  options.k = 2;
  ExpectError([&] { RouteTokens(router, 0, std::vector<uint32_t>{1, 2}, options); },
              ErrorCode::kBadShape, "");
  ExpectError([&] { RouteTokens(router, 10, std::vector<uint32_t>{}, options); },
              ErrorCode::kBadShape, "");
}

}  // namespace
}  // namespace phase_router
