// Randomized properties of the public API against the independent reference
// (tests/reference.h) on inputs nobody has seen before, from fixed seeds:
// routes equal the reference's, the spec's guarantees hold, every input path
// agrees, stats match a recomputation, seeds behave, exact tiling holds, and
// bad input is rejected with the right ErrorCode.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/bit_matrix.h"
#include "phase_router/phase_router.h"
#include "tests/reference.h"
#include "tests/test_util.h"

namespace phase_router {
namespace {

using phase_router_ref::Problem;
using phase_router_ref::Result;
using phase_router_test::Uniform;

Options OptionsOf(const Problem& p, int threads) {
  Options o;
  o.k = p.k;
  o.seed = p.seed;
  o.align = p.align;
  o.row_perm = p.row_perm;
  o.select = p.select_lowest ? Select::kLowest : Select::kRandom;
  o.tiling = p.tiling == phase_router_ref::RefTiling::kOn    ? Tiling::kOn
             : p.tiling == phase_router_ref::RefTiling::kOff ? Tiling::kOff
                                                              : Tiling::kAuto;
  o.threads = threads;
  return o;
}

ByteMatrixView SView(const Problem& p) { return {p.S.data(), p.M, p.E, 0}; }
ByteMatrixView TView(const Problem& p) { return {p.T.data(), p.E, p.M, 0}; }

// Sizes that straddle word boundaries, and the extremes.
constexpr size_t kDims[] = {1,   2,   3,   7,   31,  63,  64,  65, 127,
                            128, 129, 191, 200, 255, 256, 257, 300};

size_t PickDim(std::mt19937_64* rng) {
  if (Uniform(rng, 0, 1) == 0) {
    return kDims[Uniform(rng, 0, std::size(kDims) - 1)];
  }
  return Uniform(rng, 1, 300);
}

uint32_t PickK(size_t E, std::mt19937_64* rng) {
  switch (Uniform(rng, 0, 6)) {
    case 0:
      return 1;
    case 1:
      return 2;
    case 2:
      return static_cast<uint32_t>(E);
    case 3:
      return static_cast<uint32_t>(E + 1);
    case 4:
      return static_cast<uint32_t>(E + 7);
    case 5:
      return static_cast<uint32_t>(Uniform(rng, 1, 8));
    default:
      return static_cast<uint32_t>(Uniform(rng, 1, E));
  }
}

// The spec's guarantees, checked on routes alone (plus the reference's
// candidate matrix for "every route is a candidate" and c_i).
void CheckGuarantees(const Problem& p, const Result& ref,
                     const std::vector<int32_t>& routes) {
  const size_t M = p.M, E = p.E, k = p.k;
  ASSERT_EQ(routes.size(), M * k);
  const std::vector<uint32_t> t_deg = phase_router_ref::RowDegrees(p.T, E, M);
  std::vector<uint32_t> load(E, 0);
  for (size_t i = 0; i < M; ++i) {
    const int32_t* row = routes.data() + i * k;
    size_t n = 0;
    while (n < k && row[n] != -1) ++n;
    for (size_t m = 0; m < n; ++m) {
      ASSERT_GE(row[m], 0) << "row " << i;
      ASSERT_LT(static_cast<size_t>(row[m]), E) << "row " << i;
      if (m > 0) {
        ASSERT_LT(row[m - 1], row[m]) << "row " << i << " not ascending";
      }
      ASSERT_TRUE(ref.candidate[i * E + row[m]])
          << "route (" << i << ", " << row[m] << ") is not a candidate";
      ++load[row[m]];
    }
    for (size_t m = n; m < k; ++m) {
      ASSERT_EQ(row[m], -1) << "row " << i << ": -1 not only as padding";
    }
    ASSERT_LE(n, k);
    ASSERT_EQ(n, std::min<size_t>(k, ref.candidates[i]))
        << "row " << i << " has " << n << " routes of " << ref.candidates[i]
        << " candidates";
    if (ref.candidates[i] >= k) {
      ASSERT_EQ(n, k) << "row " << i << " not full";
    }
  }
  for (size_t t = 0; t < E; ++t) {
    ASSERT_LE(load[t], t_deg[t]) << "target " << t << " over capacity";
  }
}

void ExpectNear(double want, double got, const char* what) {
  EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::fabs(want))) << what;
}

// The route-derived fields of Stats, recomputed here from the routes.
void CheckRouteStats(const Stats& st, const std::vector<int32_t>& routes,
                     size_t M, size_t E, size_t k) {
  uint64_t active = 0;
  std::vector<uint32_t> load(E, 0);
  for (int32_t v : routes) {
    if (v == -1) continue;
    ++active;
    ++load[v];
  }
  const uint32_t load_max = *std::max_element(load.begin(), load.end());
  const double load_mean = static_cast<double>(active) / E;
  EXPECT_EQ(st.active_routes, active);
  ExpectNear(static_cast<double>(active) / (M * k), st.fill_ratio, "fill");
  EXPECT_EQ(st.load_max, load_max);
  ExpectNear(load_mean, st.load_mean, "load_mean");
  ExpectNear(active == 0 ? 1.0 : load_max / load_mean, st.load_skew,
             "load_skew");
}

void CheckStats(const Stats& st, const Problem& p, const Result& ref,
                const std::vector<int32_t>& routes) {
  EXPECT_EQ(st.M, p.M);
  EXPECT_EQ(st.E, p.E);
  EXPECT_EQ(st.k, p.k);
  CheckRouteStats(st, routes, p.M, p.E, p.k);
  const auto [mn, mx] =
      std::minmax_element(ref.candidates.begin(), ref.candidates.end());
  EXPECT_EQ(st.candidates_min, *mn);
  EXPECT_EQ(st.candidates_max, *mx);
  const double sum =
      std::accumulate(ref.candidates.begin(), ref.candidates.end(), 0.0);
  ExpectNear(sum / p.M, st.candidates_mean, "candidates_mean");
  EXPECT_GE(st.route_ms, 0.0);
  EXPECT_FALSE(st.backend.empty());
  EXPECT_FALSE(st.stage_ms.empty());
  for (const auto& [name, ms] : st.stage_ms) {
    EXPECT_FALSE(name.empty());
    EXPECT_GE(ms, 0.0) << name;
  }
  // The public recomputation agrees too.
  Stats again;
  ComputeRouteStats(routes.data(), p.M, p.E, p.k, &again);
  CheckRouteStats(again, routes, p.M, p.E, p.k);
}

struct Combo {
  bool align, row_perm, lowest;
};

class RandomCases : public ::testing::TestWithParam<int> {
 protected:
  Combo combo() const {
    const int n = GetParam();
    return {(n & 1) != 0, (n & 2) != 0, (n & 4) != 0};
  }
};

// Hundreds of fresh random cases (60 per option combination): all paths equal
// the reference, and the guarantees and stats hold.
TEST_P(RandomCases, MatchReferenceAndGuarantees) {
  const Combo c = combo();
  std::mt19937_64 rng(1000 + GetParam());
  const std::vector<std::string> targets = phase_router_test::TargetsToTest();
  ASSERT_FALSE(targets.empty());
  Router router;  // reused across shapes and targets
  for (int n = 0; n < 60; ++n) {
    Problem p;
    p.M = PickDim(&rng);
    p.E = Uniform(&rng, 0, 3) == 0 ? p.M : PickDim(&rng);
    p.S = phase_router_test::RandomMatrix(p.M, p.E, &rng);
    p.T = phase_router_test::RandomMatrix(p.E, p.M, &rng);
    p.k = PickK(p.E, &rng);
    p.seed = n % 7 == 0 ? 0 : (n % 7 == 1 ? ~0ull : rng());
    p.align = c.align;
    p.row_perm = c.row_perm;
    p.select_lowest = c.lowest;
    p.tiling = static_cast<phase_router_ref::RefTiling>(n % 3);  // auto, on, off
    const int threads = n % 4;  // 0 = OpenMP default
    SCOPED_TRACE(phase_router_test::Describe(p) + " threads " +
                 std::to_string(threads));
    const Result ref = phase_router_ref::EvaluateClosedForm(p);
    const Options o = OptionsOf(p, threads);
    const size_t s_stride = WordsFor(p.E) + Uniform(&rng, 1, 3);
    const size_t t_stride = WordsFor(p.M) + Uniform(&rng, 1, 3);
    const std::vector<uint64_t> sw =
        phase_router_test::PackBits(p.S, p.M, p.E, s_stride);
    const std::vector<uint64_t> tw =
        phase_router_test::PackBits(p.T, p.E, p.M, t_stride);
    const std::vector<uint32_t> s = phase_router_ref::RowDegrees(p.S, p.M, p.E);
    const std::vector<uint32_t> t = phase_router_ref::RowDegrees(p.T, p.E, p.M);
    CheckGuarantees(p, ref, ref.routes);  // the oracle obeys the spec too

    for (const std::string& target : targets) {
      phase_router_test::ScopedTarget forced(target);
      SCOPED_TRACE("target " + target);
      Stats st;
      const Routes bytes = router.Route(SView(p), TView(p), o, &st);
      ASSERT_EQ(bytes.M, p.M);
      ASSERT_EQ(bytes.k, p.k);
      ASSERT_EQ(bytes.ids, ref.routes) << "byte path != reference";
      CheckGuarantees(p, ref, bytes.ids);
      CheckStats(st, p, ref, bytes.ids);
      EXPECT_EQ(st.backend, target);

      // Bit path, stride 1..3 words wider than needed, caller buffer.
      std::vector<int32_t> out(p.M * p.k, 12345);
      Stats st_bits;
      router.Route(BitMatrixView{sw.data(), p.M, p.E, s_stride},
                   BitMatrixView{tw.data(), p.E, p.M, t_stride}, o, out.data(),
                   &st_bits);
      ASSERT_EQ(out, ref.routes) << "bit path != reference";
      CheckStats(st_bits, p, ref, out);

      if (p.align) {
        Stats st_deg;
        const Routes deg = router.RouteDegrees(s, t, o, &st_deg);
        ASSERT_EQ(deg.ids, ref.routes) << "degree path != reference";
        CheckStats(st_deg, p, ref, deg.ids);
      }
    }
  }
}

std::string ComboName(const ::testing::TestParamInfo<int>& info) {
  const int n = info.param;
  return std::string((n & 1) ? "align" : "noalign") +
         ((n & 2) ? "_rowperm" : "_norowperm") +
         ((n & 4) ? "_lowest" : "_random");
}

INSTANTIATE_TEST_SUITE_P(AllOptions, RandomCases, ::testing::Range(0, 8),
                         ComboName);

// A case with many candidates per row, for seed and thread tests.
Problem DenseCase(uint64_t seed, const Combo& c) {
  std::mt19937_64 rng(4242);
  Problem p;
  p.M = 200;
  p.E = 173;
  p.S = phase_router_test::RandomMatrix(p.M, p.E, &rng);
  p.T = phase_router_test::RandomMatrix(p.E, p.M, &rng);
  p.k = 6;
  p.seed = seed;
  p.align = c.align;
  p.row_perm = c.row_perm;
  p.select_lowest = c.lowest;
  return p;
}

TEST_P(RandomCases, SeedReproducibility) {
  const Combo c = combo();
  const Problem p = DenseCase(99, c);
  Router a, b;
  const Routes first = a.Route(SView(p), TView(p), OptionsOf(p, 1));
  for (int threads : {1, 2, 3, 4, 0}) {
    EXPECT_EQ(b.Route(SView(p), TView(p), OptionsOf(p, threads)).ids, first.ids)
        << "threads " << threads;
  }
  EXPECT_EQ(Route(SView(p), TView(p), OptionsOf(p, 2)).ids, first.ids);
  EXPECT_EQ(a.Route(SView(p), TView(p), OptionsOf(p, 1)).ids, first.ids);

  // A different seed gives different routes (on a case with ~100 candidates
  // a row, equality would be astronomically unlikely).
  for (uint64_t other : {100ull, 0ull, ~0ull, 99ull ^ (1ull << 63)}) {
    const Problem q = DenseCase(other, c);
    EXPECT_NE(a.Route(SView(q), TView(q), OptionsOf(q, 2)).ids, first.ids)
        << "seed " << other;
  }
}

TEST_P(RandomCases, ExtremeSeedsMatchReference) {
  const Combo c = combo();
  for (uint64_t seed : {0ull, ~0ull, 1ull, 1ull << 63}) {
    const Problem p = DenseCase(seed, c);
    const Result ref = phase_router_ref::EvaluateClosedForm(p);
    EXPECT_EQ(Route(SView(p), TView(p), OptionsOf(p, 2)).ids, ref.routes)
        << "seed " << seed;
  }
}

// Degree vectors summing to exactly `total`, each entry in [0, cap].
std::vector<uint32_t> CapacityVector(size_t n, uint32_t cap, uint64_t total,
                                     std::mt19937_64* rng) {
  std::vector<uint32_t> v(n);
  const uint64_t mode = Uniform(rng, 0, 2);
  for (auto& x : v) {
    if (mode == 0) x = static_cast<uint32_t>(Uniform(rng, 0, cap));
    if (mode == 1) x = Uniform(rng, 0, 1) ? cap : 0;      // skewed
    if (mode == 2) x = static_cast<uint32_t>(total / n);  // near uniform
  }
  uint64_t sum = std::accumulate(v.begin(), v.end(), uint64_t{0});
  while (sum > total) {
    uint32_t& x = v[Uniform(rng, 0, n - 1)];
    const uint64_t d =
        std::min<uint64_t>({x, sum - total, Uniform(rng, 1, cap)});
    x -= static_cast<uint32_t>(d);
    sum -= d;
  }
  while (sum < total) {
    uint32_t& x = v[Uniform(rng, 0, n - 1)];
    const uint64_t d =
        std::min<uint64_t>({cap - x, total - sum, Uniform(rng, 1, cap)});
    x += static_cast<uint32_t>(d);
    sum += d;
  }
  return v;
}

// SPEC.md "Exact tiling": every s_i = E and sum(t) = M * k exactly: every
// source gets exactly k distinct targets and every target exactly t_t sources;
// sum(t) >= M * k: every row full.
class ExactTiling : public ::testing::TestWithParam<int> {};

TEST_P(ExactTiling, RowsFullAndLoadsExact) {
  const Combo c = {true, (GetParam() & 1) != 0, (GetParam() & 2) != 0};
  std::mt19937_64 rng(555 + GetParam());
  Router router;
  for (int n = 0; n < 60; ++n) {
    const size_t M = PickDim(&rng), E = PickDim(&rng);
    const uint32_t k = static_cast<uint32_t>(Uniform(&rng, 1, E));
    const bool exact = n % 2 == 0;
    const uint64_t total =
        exact ? uint64_t{M} * k
              : Uniform(&rng, uint64_t{M} * k, uint64_t{M} * E);
    const std::vector<uint32_t> s(M, static_cast<uint32_t>(E));
    const std::vector<uint32_t> t =
        CapacityVector(E, static_cast<uint32_t>(M), total, &rng);
    ASSERT_EQ(std::accumulate(t.begin(), t.end(), uint64_t{0}), total);
    Options o;
    o.k = k;
    o.seed = rng();
    o.row_perm = c.row_perm;
    o.select = c.lowest ? Select::kLowest : Select::kRandom;
    o.threads = 1 + n % 2;
    SCOPED_TRACE("M=" + std::to_string(M) + " E=" + std::to_string(E) +
                 " k=" + std::to_string(k) + " sum_t=" + std::to_string(total));
    const Routes r = router.RouteDegrees(s, t, o);
    std::vector<uint32_t> load(E, 0);
    for (size_t i = 0; i < M; ++i) {
      for (size_t m = 0; m < k; ++m) {
        const int32_t v = r.ids[i * k + m];
        ASSERT_NE(v, -1) << "row " << i << " not full";
        if (m > 0) {
          ASSERT_LT(r.ids[i * k + m - 1], v) << "row " << i;
        }
        ++load[v];
      }
    }
    for (size_t j = 0; j < E; ++j) {
      if (exact) {
        ASSERT_EQ(load[j], t[j]) << "target " << j;
      } else {
        ASSERT_LE(load[j], t[j]) << "target " << j;
      }
    }
    if (n % 10 == 0) {  // and the reference agrees
      const Problem p =
          phase_router_ref::FromDegrees(s, t, k, o.seed, c.row_perm, c.lowest);
      ASSERT_EQ(r.ids, phase_router_ref::EvaluateClosedForm(p).routes);
    }
  }
}

// SPEC.md "Exact tiling" with tiling on, on hundreds of random capacity
// vectors (each t_t <= M, Σt >= M) and every s_i = E: every source has
// exactly q = floor(Σt / M) candidates; q >= k fills every row; q = k gives
// every target exactly t'_t (the reference's layout), and t'_t <= t_t always;
// both methods, several threads.
TEST_P(ExactTiling, TilingGivesEverySourceQCandidates) {
  const Combo c = {true, (GetParam() & 1) != 0, (GetParam() & 2) != 0};
  std::mt19937_64 rng(777 + GetParam());
  Router router;
  int rows_equal_q = 0;
  for (int n = 0; n < 80; ++n) {
    const size_t M = PickDim(&rng), E = PickDim(&rng);
    const uint64_t total = Uniform(&rng, uint64_t{M}, uint64_t{M} * E);
    const uint64_t q = total / M;
    const uint32_t k = static_cast<uint32_t>(
        n % 3 == 0 ? q : Uniform(&rng, 1, std::min<uint64_t>(E, q + 2)));
    const std::vector<uint32_t> s(M, static_cast<uint32_t>(E));
    const std::vector<uint32_t> t = CapacityVector(E, static_cast<uint32_t>(M), total, &rng);
    Options o;
    o.k = k;
    o.seed = rng();
    o.row_perm = c.row_perm;
    o.select = c.lowest ? Select::kLowest : Select::kRandom;
    o.tiling = Tiling::kOn;
    o.threads = 1 + n % 3;
    o.method = n % 2 ? Method::kArcs : Method::kBits;
    SCOPED_TRACE("M=" + std::to_string(M) + " E=" + std::to_string(E) + " k=" +
                 std::to_string(k) + " sum_t=" + std::to_string(total));
    Stats st;
    const Routes r = router.RouteDegrees(s, t, o, &st);
    ASSERT_TRUE(st.tiled);
    ASSERT_EQ(st.laps, q);
    ASSERT_EQ(st.candidates_min, q);
    ASSERT_EQ(st.candidates_max, q);
    const phase_router_ref::Layout layout = phase_router_ref::RefLayout(
        s, t, k, o.seed, true, phase_router_ref::RefTiling::kOn);
    std::vector<uint32_t> load(E, 0);
    for (int32_t v : r.ids) {
      if (v >= 0) ++load[static_cast<size_t>(v)];
    }
    for (size_t j = 0; j < E; ++j) {
      ASSERT_LE(layout.t_prime[j], t[j]) << "target " << j;
      ASSERT_LE(load[j], layout.t_prime[j]) << "target " << j;
      if (q == k) {
        ASSERT_EQ(load[j], layout.t_prime[j]) << "target " << j;
      }
    }
    if (q >= k) {
      ASSERT_EQ(std::count(r.ids.begin(), r.ids.end(), -1), 0) << "every row full";
    }
    rows_equal_q += q == k;
  }
  EXPECT_GT(rows_equal_q, 20);
}

INSTANTIATE_TEST_SUITE_P(AlignedOptions, ExactTiling, ::testing::Range(0, 4),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string((info.param & 1) ? "rowperm"
                                                               : "norowperm") +
                                  ((info.param & 2) ? "_lowest" : "_random");
                         });

// SPEC.md's expected-degree law: over seeds, without tiling
// E[c_i] = s_i * Σt / (E * M), so the mean over rows is
// Σs * Σt / (E * M^2); with tiling Σt' = q * M takes Σt's place. Checked on
// the library's Stats::candidates_mean averaged over 400 fixed seeds, both
// ways (this shape tiles under auto: q Σs >= M E).
TEST(Statistics, ExpectedDegreeLaw) {
  std::mt19937_64 rng(8);
  const size_t M = 96, E = 80;
  std::vector<uint32_t> s(M), t(E);
  for (auto& x : s) x = static_cast<uint32_t>(Uniform(&rng, 0, E));
  for (auto& x : t) x = static_cast<uint32_t>(Uniform(&rng, 0, M));
  const double sum_s = std::accumulate(s.begin(), s.end(), 0.0);
  const double L = std::accumulate(t.begin(), t.end(), 0.0);
  const double laps = std::floor(L / M);
  for (Tiling tiling : {Tiling::kOff, Tiling::kAuto}) {
    const double arcs = tiling == Tiling::kOff ? L : laps * M;
    const double want = sum_s * arcs / (static_cast<double>(E) * M * M);
    Router router;
    double sum = 0;
    const int kSeeds = 400;
    for (int seed = 0; seed < kSeeds; ++seed) {
      Options o;
      o.k = 1;
      o.seed = static_cast<uint64_t>(seed);
      o.row_perm = seed & 1;
      o.tiling = tiling;
      Stats st;
      router.RouteDegrees(s, t, o, &st);
      ASSERT_EQ(st.tiled, tiling == Tiling::kAuto);
      sum += st.candidates_mean;
    }
    EXPECT_NEAR(sum / kSeeds, want, 0.01 * want) << TilingName(tiling);
  }
}

template <typename F>
void ExpectError(ErrorCode code, F&& f, const char* what) {
  try {
    f();
    ADD_FAILURE() << what << ": no exception";
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.code()), static_cast<int>(code))
        << what << ": " << e.what();
    EXPECT_STRNE(e.what(), "") << what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": wrong exception type: " << e.what();
  }
}

struct Small : phase_router_test::SmallProblem {
  Small() : SmallProblem(3) {}
};

// ---------------------------------------------------------------------------
// Kernel targets and other API surface.

TEST(Targets, ListsAreConsistent) {
  const std::vector<std::string> compiled = CompiledTargets();
  const std::vector<std::string> supported = SupportedTargets();
  ASSERT_FALSE(compiled.empty());
  EXPECT_EQ(compiled.back(), "generic") << "generic runs everywhere, last";
  ASSERT_FALSE(supported.empty());
  for (const std::string& name : supported) {
    EXPECT_NE(std::find(compiled.begin(), compiled.end(), name), compiled.end())
        << name << " is supported but not compiled";
  }
  EXPECT_NE(std::find(supported.begin(), supported.end(), "generic"),
            supported.end());
  // The default is the best supported one (unless the environment forces).
  if (std::getenv("PHASE_ROUTER_TARGET") == nullptr) {
    EXPECT_EQ(ActiveTarget(), supported.front());
  }
}

TEST(Targets, ForceTargetAndRestore) {
  const std::string before = ActiveTarget();
  for (const std::string& name : SupportedTargets()) {
    ForceTarget(name);
    EXPECT_EQ(ActiveTarget(), name);
    // Names match case-insensitively.
    std::string lower = name;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(ch));
    ForceTarget(lower);
    EXPECT_EQ(ActiveTarget(), name) << "forced as " << lower;
  }
  ForceTarget("generic");
  ExpectError(
      ErrorCode::kBadOption, [] { ForceTarget("NOT_A_TARGET"); },
      "unknown target");
  EXPECT_EQ(ActiveTarget(), "generic") << "a failed ForceTarget changed it";
  // A compiled target this CPU cannot run is refused, not silently replaced.
  const std::vector<std::string> supported = SupportedTargets();
  for (const std::string& name : CompiledTargets()) {
    if (std::find(supported.begin(), supported.end(), name) !=
        supported.end()) {
      continue;
    }
    ExpectError(
        ErrorCode::kBadOption, [&] { ForceTarget(name); },
        "unsupported target");
    EXPECT_EQ(ActiveTarget(), "generic");
  }
  ForceTarget("");
  EXPECT_EQ(ActiveTarget(), before);
}

TEST(Targets, EnvironmentVariable) {
  const char* saved = std::getenv("PHASE_ROUTER_TARGET");
  const std::string saved_value = saved ? saved : "";
  ForceTarget("");
  ASSERT_EQ(setenv("PHASE_ROUTER_TARGET", "generic", 1), 0);
  EXPECT_EQ(ActiveTarget(), "generic");
  Small x;
  Stats st;
  RouteDegrees(x.s, x.t, x.o, &st);
  EXPECT_EQ(st.backend, "generic");
  // ForceTarget wins over the environment.
  const std::string best = SupportedTargets().front();
  ForceTarget(best);
  EXPECT_EQ(ActiveTarget(), best);
  ForceTarget("");
  ASSERT_EQ(setenv("PHASE_ROUTER_TARGET", "NOT_A_TARGET", 1), 0);
  ExpectError(
      ErrorCode::kBadOption, [] { ActiveTarget(); },
      "unknown target in the environment");
  ExpectError(
      ErrorCode::kBadOption, [&] { RouteDegrees(x.s, x.t, x.o); },
      "route with an unknown target in the environment");
  if (saved) {
    setenv("PHASE_ROUTER_TARGET", saved_value.c_str(), 1);
  } else {
    unsetenv("PHASE_ROUTER_TARGET");
  }
}

// Separate Router objects are independent: concurrent calls from several
// threads give the same routes as sequential ones.
TEST(Api, SeparateRoutersOnSeparateThreads) {
  std::vector<Problem> problems;
  std::vector<std::vector<int32_t>> want;
  for (int n = 0; n < 4; ++n) {
    problems.push_back(
        DenseCase(static_cast<uint64_t>(n), {n % 2 == 0, n >= 2, n == 3}));
    want.push_back(
        phase_router_ref::EvaluateClosedForm(problems.back()).routes);
  }
  std::vector<std::vector<int32_t>> got(problems.size());
  std::vector<std::thread> workers;
  for (size_t n = 0; n < problems.size(); ++n) {
    workers.emplace_back([&, n] {
      Router router;
      for (int rep = 0; rep < 5; ++rep) {
        got[n] = router
                     .Route(SView(problems[n]), TView(problems[n]),
                            OptionsOf(problems[n], 1))
                     .ids;
      }
    });
  }
  for (auto& w : workers) w.join();
  for (size_t n = 0; n < problems.size(); ++n) {
    EXPECT_EQ(got[n], want[n]) << "problem " << n;
  }
}

TEST(Api, RoutesRowAccessor) {
  const Problem p = DenseCase(5, {true, false, false});
  const Routes r = Route(SView(p), TView(p), OptionsOf(p, 1));
  ASSERT_EQ(r.ids.size(), p.M * p.k);
  for (size_t i : {size_t{0}, size_t{1}, p.M - 1}) {
    const std::span<const int32_t> row = r.row(i);
    ASSERT_EQ(row.size(), p.k);
    for (size_t m = 0; m < p.k; ++m) EXPECT_EQ(row[m], r.ids[i * p.k + m]);
  }
}

TEST(Api, StatsAreResetNotAccumulated) {
  const Problem p = DenseCase(6, {false, true, false});
  Router router;
  Stats st;
  st.active_routes = 999999;
  st.stage_ms.emplace_back("stale", 1e9);
  router.Route(SView(p), TView(p), OptionsOf(p, 1), &st);
  const size_t stages = st.stage_ms.size();
  for (const auto& [name, ms] : st.stage_ms) {
    EXPECT_NE(name, "stale");
    EXPECT_LT(ms, 1e6) << name;
  }
  const Result ref = phase_router_ref::EvaluateClosedForm(p);
  const std::vector<int32_t> routes =
      router.Route(SView(p), TView(p), OptionsOf(p, 1), &st).ids;
  EXPECT_EQ(st.stage_ms.size(), stages);
  CheckStats(st, p, ref, routes);
}

// The route stats are counted on the routing's threads (a load count per
// target per thread, where the routes are at least 8 E entries a thread):
// the same on 1, 2 and 3 threads, equal to a plain count, and timed as the
// last stage, so the stages add up to the call.
TEST(Api, RouteStatsOnThreadsMatchAPlainCount) {
  std::mt19937_64 rng(77);
  const size_t M = 4111, E = 301;  // M E >= 2^20: the call uses its threads
  std::vector<uint32_t> s(M), t(E);
  for (auto& x : s) x = static_cast<uint32_t>(rng() % (E + 1));
  for (auto& x : t) x = static_cast<uint32_t>(rng() % (M + 1));
  Options o;
  o.k = 53;  // M k / (8 E) = 90 threads' worth: every thread counts
  o.seed = 5;
  Router router;
  std::vector<int32_t> first;
  for (int threads : {1, 2, 3}) {
    o.threads = threads;
    Stats st;
    const std::vector<int32_t> routes = router.RouteDegrees(s, t, o, &st).ids;
    CheckRouteStats(st, routes, M, E, o.k);
    ASSERT_FALSE(st.stage_ms.empty());
    EXPECT_EQ(st.stage_ms.back().first, "stats") << threads;
    if (first.empty()) first = routes;
    EXPECT_EQ(routes, first) << threads;
  }
}

// The workspace is kept across calls: the same shape again needs no more.
TEST(Api, WorkspaceIsReused) {
  const Problem big = DenseCase(7, {false, false, false});
  Router router;
  router.Route(SView(big), TView(big), OptionsOf(big, 2));
  const size_t bytes = router.workspace_bytes();
  EXPECT_GE(bytes, big.M * WordsFor(big.E) * sizeof(uint64_t))
      << "too small to hold even one M x E bit matrix";
  router.Route(SView(big), TView(big), OptionsOf(big, 2));
  EXPECT_EQ(router.workspace_bytes(), bytes);
}

TEST(Api, OptionDefaultsAreTheSpecs) {
  const Options o;
  EXPECT_EQ(o.k, 1u);
  EXPECT_EQ(o.seed, 0u);
  EXPECT_TRUE(o.align);
  EXPECT_FALSE(o.row_perm);
  EXPECT_EQ(o.select, Select::kRandom);
}

// ---------------------------------------------------------------------------
// Bad input.

TEST(BadInput, ShapeMismatch) {
  Small x;
  Router r;
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), x.M, x.E, 0},
                ByteMatrixView{x.T.data(), x.E - 1, x.M, 0}, x.o);
      },
      "bytes: T has E - 1 rows");
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), x.M, x.E, 0},
                ByteMatrixView{x.T.data(), x.E, x.M - 1, 0}, x.o);
      },
      "bytes: T has M - 1 columns");
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(BitMatrixView{x.Sw.data(), x.M, x.E, 0},
                BitMatrixView{x.Tw.data(), x.E, x.M + 1, WordsFor(x.M)}, x.o);
      },
      "bits: T has M + 1 columns");
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(BitMatrixView{x.Sw.data(), x.M - 1, x.E, 0},
                BitMatrixView{x.Tw.data(), x.E, x.M, 0}, x.o);
      },
      "bits: S has M - 1 rows");
}

// A nonzero stride below the row width. The header does not say which code
// this is (an inconsistent shape, or bad data); either is accepted, but it
// must be a phase_router::Error.
template <typename F>
void ExpectShapeOrDataError(F&& f, const char* what) {
  try {
    f();
    ADD_FAILURE() << what << ": no exception";
  } catch (const Error& e) {
    EXPECT_TRUE(e.code() == ErrorCode::kBadShape ||
                e.code() == ErrorCode::kBadData)
        << what << ": code " << static_cast<int>(e.code()) << " " << e.what();
  }
}

TEST(BadInput, StrideBelowRowWidth) {
  Small x;
  Router r;
  ExpectShapeOrDataError(
      [&] {
        r.Route(ByteMatrixView{x.S.data(), x.M, x.E, x.E - 1},
                ByteMatrixView{x.T.data(), x.E, x.M, 0}, x.o);
      },
      "bytes: S stride below its columns");
  ExpectShapeOrDataError(
      [&] {
        r.Route(ByteMatrixView{x.S.data(), x.M, x.E, 0},
                ByteMatrixView{x.T.data(), x.E, x.M, 1}, x.o);
      },
      "bytes: T stride 1");
  // S is M x 130 with stride 2 < WordsFor(130) = 3; buffers large enough for
  // the claimed strides so that nothing is read out of bounds either way.
  const std::vector<uint64_t> s130(x.M * 3, 0), t130(130 * WordsFor(x.M), 0);
  ExpectShapeOrDataError(
      [&] {
        r.Route(BitMatrixView{s130.data(), x.M, 130, 2},
                BitMatrixView{t130.data(), 130, x.M, 0}, x.o);
      },
      "bits: S stride below WordsFor(cols)");
}

TEST(BadInput, ZeroDimensions) {
  Small x;
  Router r;
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), 0, x.E, 0},
                ByteMatrixView{x.T.data(), x.E, 0, 0}, x.o);
      },
      "M = 0 (bytes)");
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), x.M, 0, 0},
                ByteMatrixView{x.T.data(), 0, x.M, 0}, x.o);
      },
      "E = 0 (bytes)");
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(BitMatrixView{x.Sw.data(), 0, x.E, 0},
                BitMatrixView{x.Tw.data(), x.E, 0, 0}, x.o);
      },
      "M = 0 (bits)");
  ExpectError(
      ErrorCode::kBadShape,
      [&] { r.RouteDegrees(std::span<const uint32_t>(), x.t, x.o); },
      "M = 0 (degrees)");
  ExpectError(
      ErrorCode::kBadShape,
      [&] { r.RouteDegrees(x.s, std::span<const uint32_t>(), x.o); },
      "E = 0 (degrees)");
}

TEST(BadInput, DegreeAboveRing) {
  Small x;
  Router r;
  std::vector<uint32_t> s = x.s, t = x.t;
  s[7] = 77;  // E = 50
  ExpectError(
      ErrorCode::kBadDegree, [&] { r.RouteDegrees(s, x.t, x.o); },
      "s_7 = 77 > E = 50");
  try {
    r.RouteDegrees(s, x.t, x.o);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("77"), std::string::npos)
        << "message should name the bad value: " << e.what();
  }
  t[49] = 71;  // M = 70
  ExpectError(
      ErrorCode::kBadDegree, [&] { r.RouteDegrees(x.s, t, x.o); },
      "t_49 = 71 > M = 70");
  s = x.s;
  s[0] = static_cast<uint32_t>(x.E);  // the ring size itself is fine
  EXPECT_NO_THROW(r.RouteDegrees(s, x.t, x.o));
}

TEST(BadInput, BadOptions) {
  Small x;
  Router r;
  Options o = x.o;
  o.k = 0;
  ExpectError(
      ErrorCode::kBadOption,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), x.M, x.E, 0},
                ByteMatrixView{x.T.data(), x.E, x.M, 0}, o);
      },
      "k = 0 (bytes)");
  ExpectError(
      ErrorCode::kBadOption,
      [&] {
        r.Route(BitMatrixView{x.Sw.data(), x.M, x.E, 0},
                BitMatrixView{x.Tw.data(), x.E, x.M, 0}, o);
      },
      "k = 0 (bits)");
  ExpectError(
      ErrorCode::kBadOption, [&] { r.RouteDegrees(x.s, x.t, o); },
      "k = 0 (degrees)");
  ExpectError(
      ErrorCode::kBadOption, [&] { RouteDegrees(x.s, x.t, o); },
      "k = 0 (one-shot)");
  o = x.o;
  o.threads = -1;
  ExpectError(
      ErrorCode::kBadOption, [&] { r.RouteDegrees(x.s, x.t, o); },
      "threads = -1");
  ExpectError(
      ErrorCode::kBadOption, [&] { ParseSelect("best"); }, "select 'best'");
  EXPECT_EQ(ParseSelect("random"), Select::kRandom);
  EXPECT_EQ(ParseSelect("lowest"), Select::kLowest);
  EXPECT_EQ(ParseSelect(SelectName(Select::kLowest)), Select::kLowest);
  EXPECT_EQ(ParseSelect(SelectName(Select::kRandom)), Select::kRandom);
}

TEST(BadInput, NullData) {
  Small x;
  Router r;
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(ByteMatrixView{nullptr, x.M, x.E, 0},
                ByteMatrixView{x.T.data(), x.E, x.M, 0}, x.o);
      },
      "null S bytes");
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), x.M, x.E, 0},
                ByteMatrixView{nullptr, x.E, x.M, 0}, x.o);
      },
      "null T bytes");
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(BitMatrixView{nullptr, x.M, x.E, 0},
                BitMatrixView{x.Tw.data(), x.E, x.M, 0}, x.o);
      },
      "null S words");
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(BitMatrixView{x.Sw.data(), x.M, x.E, 0},
                BitMatrixView{nullptr, x.E, x.M, 0}, x.o);
      },
      "null T words");
  ExpectError(
      ErrorCode::kBadData,
      [&] { r.RouteDegrees(x.s, x.t, x.o, static_cast<int32_t*>(nullptr)); },
      "null output buffer");
}

TEST(BadInput, NonzeroPaddingBits) {
  Small x;  // E = 50, M = 70: both leave padding in the last word
  Router r;
  std::vector<uint64_t> Sw = x.Sw, Tw = x.Tw;
  Sw[5 * WordsFor(x.E)] |= 1ull << 50;  // bit x = E of row 5
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(BitMatrixView{Sw.data(), x.M, x.E, 0},
                BitMatrixView{Tw.data(), x.E, x.M, 0}, x.o);
      },
      "S row 5 bit 50");
  Sw = x.Sw;
  Tw[(x.E - 1) * WordsFor(x.M) + 1] |= 1ull << 63;  // last bit of last row
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(BitMatrixView{Sw.data(), x.M, x.E, 0},
                BitMatrixView{Tw.data(), x.E, x.M, 0}, x.o);
      },
      "T row E-1 bit 127");
}

// Words of the stride beyond WordsFor(cols) are outside the row: garbage
// there must either be rejected (kBadData) or ignored, never change routes.
TEST(BadInput, GarbageInStrideWordsIsNotSilentlyUsed) {
  Small x;
  const size_t stride = WordsFor(x.E) + 2;
  std::vector<uint64_t> Sw = phase_router_test::PackBits(x.S, x.M, x.E, stride);
  for (size_t i = 0; i < x.M; ++i) Sw[i * stride + stride - 1] = ~0ull;
  Options o = x.o;
  o.align = false;
  const Routes want = Route(ByteMatrixView{x.S.data(), x.M, x.E, 0},
                            ByteMatrixView{x.T.data(), x.E, x.M, 0}, o);
  try {
    const Routes got = Route(BitMatrixView{Sw.data(), x.M, x.E, stride},
                             BitMatrixView{x.Tw.data(), x.E, x.M, 0}, o);
    EXPECT_EQ(got.ids, want.ids);
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.code()),
              static_cast<int>(ErrorCode::kBadData));
  }
}

TEST(BadInput, RouterStillWorksAfterAnError) {
  Small x;
  Router r;
  const Routes before = r.RouteDegrees(x.s, x.t, x.o);
  Options bad = x.o;
  bad.k = 0;
  EXPECT_THROW(r.RouteDegrees(x.s, x.t, bad), Error);
  std::vector<uint32_t> s = x.s;
  s[0] = 1000;
  EXPECT_THROW(r.RouteDegrees(s, x.t, x.o), Error);
  EXPECT_EQ(r.RouteDegrees(x.s, x.t, x.o).ids, before.ids);
  const phase_router_ref::Problem p =
      phase_router_ref::FromDegrees(x.s, x.t, 3, 0, false, false);
  EXPECT_EQ(before.ids, phase_router_ref::EvaluateClosedForm(p).routes);
}

TEST(BadInput, ErrorIsAnInvalidArgument) {
  Small x;
  Options o = x.o;
  o.k = 0;
  EXPECT_THROW(RouteDegrees(x.s, x.t, o), std::invalid_argument);
}

}  // namespace
}  // namespace phase_router
