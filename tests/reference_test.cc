// The oracle checks itself: it reproduces every golden case with both
// evaluators, the closed form and the literal stage-by-stage pipeline agree,
// and SPEC.md's guarantees hold on hundreds of random problems (fan-out,
// order, loads against t'_t <= t_t, the closed form recomputed through
// fperm_inverse, the selection rule) and on the tiling rule's exact cases.
// Needs nothing of the library: reference.cc and test_data.cc only.
#include "tests/reference.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/test_data.h"

namespace phase_router_ref {
namespace {

using phase_router_test::Describe;
using phase_router_test::Uniform;

// Odd sizes, none a multiple of 64, plus the word edges' neighbours.
constexpr size_t kDims[] = {1, 2, 3, 5, 7, 37, 63, 65, 99, 127, 129, 131};

size_t RandomDim(std::mt19937_64* rng) {
  return kDims[Uniform(rng, 0, std::size(kDims) - 1)];
}

RefTiling RandomTiling(std::mt19937_64* rng) {
  const RefTiling all[] = {RefTiling::kAuto, RefTiling::kOn, RefTiling::kOff};
  return all[Uniform(rng, 0, 2)];
}

// A random matrix problem; options drawn from n's bits and the stream.
Problem RandomProblem(std::mt19937_64* rng, int n) {
  Problem p;
  p.M = RandomDim(rng);
  p.E = n % 3 == 0 ? p.M : RandomDim(rng);
  p.S = phase_router_test::RandomMatrix(p.M, p.E, rng);
  p.T = phase_router_test::RandomMatrix(p.E, p.M, rng);
  p.k = static_cast<uint32_t>(Uniform(rng, 1, p.E + 2));
  p.seed = (*rng)();
  p.align = n & 1;
  p.row_perm = n & 2;
  p.select_lowest = n & 4;
  p.tiling = RandomTiling(rng);
  return p;
}

// How many routes each target received.
std::vector<uint32_t> Loads(const Result& r, size_t E) {
  std::vector<uint32_t> load(E, 0);
  for (int32_t t : r.routes) {
    if (t >= 0) ++load[static_cast<size_t>(t)];
  }
  return load;
}

// The routes of row i without the -1 padding.
std::vector<int32_t> RowRoutes(const Result& r, size_t i, uint32_t k) {
  std::vector<int32_t> row;
  for (size_t n = 0; n < k; ++n) {
    if (r.routes[i * k + n] >= 0) row.push_back(r.routes[i * k + n]);
  }
  return row;
}

// SPEC.md's closed form evaluated again, this time with the row
// permutations' inverses from fperm_inverse instead of inverted vectors, and
// every permutation element computed on its own. The lay-out (psi, t') is
// the result's own; ExpectLayoutFollowsTheRule checks it separately.
std::vector<uint8_t> ClosedFormByInverses(const Problem& p, const Result& r) {
  const size_t M = p.M, E = p.E;
  const std::vector<uint32_t> s = RowDegrees(p.S, M, E);
  const uint64_t kS = RefDomainKey(p.seed, 1), kT = RefDomainKey(p.seed, 2);
  const uint64_t kRS = RefDomainKey(p.seed, 3), kRT = RefDomainKey(p.seed, 4);
  std::vector<uint64_t> column_of_target(E), row_of_source(M);  // pS[rT^-1[t]]
  for (size_t t = 0; t < E; ++t) {
    const uint64_t b = p.row_perm ? RefFpermInverse(kRT, E, t) : t;
    column_of_target[t] = RefFperm(kS, E, b);
  }
  for (size_t i = 0; i < M; ++i) {
    const uint64_t a = p.row_perm ? RefFpermInverse(kRS, M, i) : i;
    row_of_source[i] = RefFperm(kT, M, a);
  }
  std::vector<uint8_t> cand(M * E, 0);
  uint64_t phi = 0;  // (s_0 + ... + s_{i-1}) mod E
  for (size_t i = 0; i < M; ++i) {
    for (size_t t = 0; t < E; ++t) {
      const uint64_t x = (column_of_target[t] + E - phi) % E;
      const uint64_t y = (row_of_source[i] + M - r.psi[t]) % M;
      const bool sa = p.align ? x < s[i] : p.S[i * E + x] != 0;
      const bool ta = p.align ? y < r.t_prime[t] : p.T[t * M + y] != 0;
      cand[i * E + t] = sa && ta;
    }
    phi = (phi + s[i]) % E;
  }
  return cand;
}

// Step 2's lay-out, checked against its definition in the spec's words.
void ExpectLayoutFollowsTheRule(const Problem& p, const Result& r) {
  const size_t M = p.M, E = p.E;
  const std::vector<uint32_t> s = RowDegrees(p.S, M, E);
  const std::vector<uint32_t> t = RowDegrees(p.T, E, M);
  ASSERT_EQ(r.sigma.size(), E);
  ASSERT_EQ(r.sigma, RefFpermVector(RefDomainKey(p.seed, 6), E));
  const uint64_t L = std::accumulate(t.begin(), t.end(), uint64_t{0});
  const uint64_t sum_s = std::accumulate(s.begin(), s.end(), uint64_t{0});
  EXPECT_EQ(r.q, L / M);
  const bool wants = p.tiling == RefTiling::kOn ||
                     (p.tiling == RefTiling::kAuto &&
                      static_cast<unsigned __int128>(r.q) * sum_s >=
                          static_cast<unsigned __int128>(p.k) * M * E);
  EXPECT_EQ(r.tiled, p.align && L >= M && wants);
  uint64_t sum_t_prime = 0;
  for (size_t j = 0; j < E; ++j) {
    // A_j by the spec's set definition: the degrees of targets laid before.
    uint64_t A = 0;
    for (size_t other = 0; other < E; ++other) {
      if (r.sigma[other] < r.sigma[j]) A += t[other];
    }
    ASSERT_LE(r.t_prime[j], t[j]) << "target " << j;
    ASSERT_LT(r.psi[j], M) << "target " << j;
    if (!r.tiled) {
      EXPECT_EQ(r.t_prime[j], t[j]) << "target " << j;
      EXPECT_EQ(r.psi[j], A % M) << "target " << j;
    } else {
      // t'_j is within 1 of t_j * q * M / L: |t'_j * L - t_j * q * M| < L.
      const __int128 diff = static_cast<__int128>(r.t_prime[j]) * L -
                            static_cast<__int128>(t[j]) * r.q * M;
      EXPECT_LT(diff < 0 ? -diff : diff, static_cast<__int128>(L))
          << "target " << j;
    }
    sum_t_prime += r.t_prime[j];
  }
  if (r.tiled) {
    EXPECT_EQ(sum_t_prime, r.q * M);
  }
}

// SPEC.md's guarantees on one routing: fan-out <= k, ascending, no
// duplicates, min(k, c_i) routes, every route a candidate, load <= t'_t.
void ExpectGuarantees(const Problem& p, const Result& r) {
  const size_t M = p.M, E = p.E;
  ASSERT_EQ(r.routes.size(), M * p.k);
  for (size_t i = 0; i < M; ++i) {
    const std::vector<int32_t> row = RowRoutes(r, i, p.k);
    ASSERT_EQ(row.size(), std::min<size_t>(p.k, r.candidates[i]))
        << "row " << i;
    for (size_t n = 0; n < row.size(); ++n) {
      ASSERT_EQ(r.routes[i * p.k + n], row[n]) << "row " << i << ": -1 first";
      ASSERT_LT(static_cast<size_t>(row[n]), E) << "row " << i;
      ASSERT_TRUE(r.candidate[i * E + static_cast<size_t>(row[n])])
          << "row " << i << " routes to a non-candidate " << row[n];
      if (n > 0) {
        ASSERT_LT(row[n - 1], row[n]) << "row " << i;
      }
    }
    const auto row_begin = r.candidate.begin() + static_cast<ptrdiff_t>(i * E);
    ASSERT_EQ(r.candidates[i],
              static_cast<uint32_t>(std::count(
                  row_begin, row_begin + static_cast<ptrdiff_t>(E), 1)));
  }
  const std::vector<uint32_t> load = Loads(r, E);
  for (size_t t = 0; t < E; ++t) {
    ASSERT_LE(load[t], r.t_prime[t]) << "target " << t;
  }
}

// The chosen targets of every row are the candidates with the smallest keys
// (random: 32-bit selection keys; lowest: ids).
void ExpectSelectionRule(const Problem& p, const Result& r) {
  const size_t E = p.E;
  for (size_t i = 0; i < p.M; ++i) {
    const uint64_t row_key = RefSelectionRowKey(p.seed, i);
    auto key = [&](size_t t) -> uint64_t {
      return p.select_lowest ? t : RefSelectionKey(row_key, t);
    };
    const std::vector<int32_t> row = RowRoutes(r, i, p.k);
    std::vector<bool> chosen(E, false);
    uint64_t largest_chosen = 0;
    for (int32_t t : row) {
      chosen[static_cast<size_t>(t)] = true;
      largest_chosen = std::max(largest_chosen, key(static_cast<size_t>(t)));
    }
    for (size_t t = 0; t < E; ++t) {
      if (r.candidate[i * E + t] && !chosen[t]) {
        ASSERT_GT(key(t), largest_chosen) << "row " << i << " target " << t;
      }
    }
  }
}

// ---- Golden cases -----------------------------------------------------------

TEST(Reference, ReproducesEveryGoldenCase) {
  const std::vector<std::string> names = phase_router_test::GoldenCaseNames();
  ASSERT_GE(names.size(), 20u)
      << "golden dir " << phase_router_test::GoldenDir();
  int reproduced = 0;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    phase_router_test::GoldenCase c;
    ASSERT_TRUE(phase_router_test::ParseGoldenCase(
        phase_router_test::GoldenDir() + "/" + name, &c));
    const Problem p = phase_router_test::ProblemOf(c);
    const Result closed = EvaluateClosedForm(p);
    const Result stages = EvaluateStages(p);
    EXPECT_EQ(closed.routes, c.routes) << "closed form";
    EXPECT_EQ(stages.routes, c.routes) << "stages";
    EXPECT_EQ(closed.candidate, stages.candidate);
    ExpectLayoutFollowsTheRule(p, closed);
    ExpectGuarantees(p, closed);
    reproduced += closed.routes == c.routes && stages.routes == c.routes;
  }
  EXPECT_EQ(reproduced, static_cast<int>(names.size()));
}

// The golden set exercises tiling both ways, and every option.
TEST(Reference, GoldenCasesCoverTheOptions) {
  int tiled = 0, untiled_aligned = 0, tiling_on = 0, tiling_off = 0, lowest = 0,
      row_perm = 0, no_align = 0;
  for (const std::string& name : phase_router_test::GoldenCaseNames()) {
    phase_router_test::GoldenCase c;
    ASSERT_TRUE(phase_router_test::ParseGoldenCase(
        phase_router_test::GoldenDir() + "/" + name, &c));
    const Result r = EvaluateClosedForm(phase_router_test::ProblemOf(c));
    tiled += r.tiled;
    untiled_aligned += c.align && !r.tiled;
    tiling_on += c.tiling == "on";
    tiling_off += c.tiling == "off";
    lowest += c.select == "lowest";
    row_perm += c.row_perm;
    no_align += !c.align;
  }
  EXPECT_GE(tiled, 2);
  EXPECT_GE(untiled_aligned, 2);
  EXPECT_GE(tiling_on, 1);
  EXPECT_GE(tiling_off, 1);
  EXPECT_GE(lowest, 1);
  EXPECT_GE(row_perm, 1);
  EXPECT_GE(no_align, 1);
}

// ---- The two evaluators, and the guarantees, on random problems -------------

TEST(Reference, ClosedFormEqualsStages) {
  std::mt19937_64 rng(20240601);
  int cases = 0;
  for (int n = 0; n < 240; ++n) {
    const Problem p = RandomProblem(&rng, n);
    SCOPED_TRACE(Describe(p));
    const Result a = EvaluateClosedForm(p);
    const Result b = EvaluateStages(p);
    ASSERT_EQ(a.candidate, b.candidate);
    ASSERT_EQ(a.candidates, b.candidates);
    ASSERT_EQ(a.routes, b.routes);
    ASSERT_EQ(a.psi, b.psi);
    ASSERT_EQ(a.t_prime, b.t_prime);
    ++cases;
  }
  EXPECT_EQ(cases, 240);
}

TEST(Reference, GuaranteesOnRandomProblems) {
  std::mt19937_64 rng(31337);
  int tiled = 0;
  for (int n = 0; n < 400; ++n) {
    const Problem p = RandomProblem(&rng, n);
    SCOPED_TRACE(Describe(p));
    const Result r = EvaluateClosedForm(p);
    ExpectLayoutFollowsTheRule(p, r);
    ExpectGuarantees(p, r);
    ExpectSelectionRule(p, r);
    ASSERT_EQ(r.candidate, ClosedFormByInverses(p, r));
    if (HasFatalFailure()) return;
    tiled += r.tiled;
  }
  EXPECT_GE(tiled, 20) << "too few random problems tiled to test tiling";
}

// Dense aligned problems from degree vectors, where Sigma t >= M is common,
// so that tiling applies often.
TEST(Reference, GuaranteesOnRandomDegreeProblems) {
  std::mt19937_64 rng(4711);
  int tiled = 0;
  for (int n = 0; n < 300; ++n) {
    const size_t M = RandomDim(&rng), E = RandomDim(&rng);
    std::vector<uint32_t> s(M), t(E);
    for (uint32_t& d : s) d = static_cast<uint32_t>(Uniform(&rng, 0, E));
    for (uint32_t& d : t) d = static_cast<uint32_t>(Uniform(&rng, 0, M));
    const uint32_t k = static_cast<uint32_t>(Uniform(&rng, 1, E + 1));
    const Problem p =
        FromDegrees(s, t, k, rng(), n & 1, n & 2, RandomTiling(&rng));
    SCOPED_TRACE(Describe(p));
    const Result r = EvaluateClosedForm(p);
    ExpectLayoutFollowsTheRule(p, r);
    ExpectGuarantees(p, r);
    ExpectSelectionRule(p, r);
    ASSERT_EQ(r.candidate, ClosedFormByInverses(p, r));
    if (n % 10 == 0) {
      ASSERT_EQ(r.routes, EvaluateStages(p).routes);
    }
    if (HasFatalFailure()) return;
    tiled += r.tiled;
  }
  EXPECT_GE(tiled, 50);
}

// ---- Exact tiling (SPEC.md "Guarantees") ------------------------------------

// Capacities t_t in [0, M] with Sigma t >= M (so q >= 1).
std::vector<uint32_t> RandomCapacities(std::mt19937_64* rng, size_t M,
                                       size_t E) {
  std::vector<uint32_t> t(E);
  uint64_t L = 0;
  do {
    L = 0;
    for (uint32_t& d : t) {
      d = static_cast<uint32_t>(Uniform(rng, 0, M));
      L += d;
    }
  } while (L < M);
  return t;
}

// Every s_i = E with tiling: exactly q candidates a source; q >= k fills
// every row; q = k loads every target with exactly t'_t.
TEST(Reference, ExactTilingWithFullSourceRows) {
  std::mt19937_64 rng(2718);
  int rows_checked = 0, q_equals_k = 0;
  for (int n = 0; n < 300; ++n) {
    const size_t M = RandomDim(&rng), E = RandomDim(&rng);
    const std::vector<uint32_t> t = RandomCapacities(&rng, M, E);
    const uint64_t L = std::accumulate(t.begin(), t.end(), uint64_t{0});
    const uint64_t q = L / M;
    // k = q about a third of the time, to test the exact loads.
    const uint32_t k = static_cast<uint32_t>(
        n % 3 == 0 ? q : Uniform(&rng, 1, std::min<uint64_t>(E, 2 * q + 1)));
    const Problem p = FromDegrees(std::vector<uint32_t>(M, E), t, k, rng(),
                                  n & 1, n & 2, RefTiling::kOn);
    SCOPED_TRACE(Describe(p));
    const Result r = EvaluateClosedForm(p);
    ASSERT_TRUE(r.tiled);
    ASSERT_EQ(r.q, q);
    ExpectLayoutFollowsTheRule(p, r);
    ExpectGuarantees(p, r);
    for (size_t i = 0; i < M; ++i) {
      ASSERT_EQ(r.candidates[i], q) << "source " << i;
      if (q >= k) {
        ASSERT_EQ(RowRoutes(r, i, k).size(), k) << "source " << i;
      }
      ++rows_checked;
    }
    if (q == k) {
      ++q_equals_k;
      EXPECT_EQ(Loads(r, E), r.t_prime);
      for (size_t j = 0; j < E; ++j) {
        // t'_t within 1 of t_t * k * M / L (q = k).
        const double ideal = static_cast<double>(t[j]) * k * M / L;
        EXPECT_LT(std::abs(r.t_prime[j] - ideal), 1.0) << "target " << j;
      }
    }
    // auto tiles here exactly when q >= k (q * M * E >= k * M * E).
    Problem automatic = p;
    automatic.tiling = RefTiling::kAuto;
    EXPECT_EQ(EvaluateClosedForm(automatic).tiled, q >= k);
  }
  EXPECT_GE(q_equals_k, 100);
  EXPECT_GT(rows_checked, 5000);
}

// Capacities in [0, M] that sum to exactly M * k (k <= E).
std::vector<uint32_t> CapacitiesSummingTo(std::mt19937_64* rng, size_t M,
                                          size_t E, uint32_t k) {
  std::vector<uint32_t> t(E, 0);
  uint64_t left = uint64_t{M} * k;
  while (left > 0) {
    const size_t j = Uniform(rng, 0, E - 1);
    const uint64_t room = M - t[j];
    const uint64_t add = std::min(left, Uniform(rng, 0, room));
    t[j] += static_cast<uint32_t>(add);
    left -= add;
  }
  return t;
}

// Every s_i = E and Sigma t = M * k exactly: the scaling is the identity, so
// with tiling or without every source gets exactly k routes and every target
// exactly t_t.
TEST(Reference, FullRowsAndCapacitiesSummingToMk) {
  std::mt19937_64 rng(161803);
  for (int n = 0; n < 240; ++n) {
    const size_t M = RandomDim(&rng), E = RandomDim(&rng);
    const uint32_t k = static_cast<uint32_t>(Uniform(&rng, 1, E));
    const std::vector<uint32_t> t = CapacitiesSummingTo(&rng, M, E, k);
    const RefTiling tiling = RandomTiling(&rng);
    const Problem p = FromDegrees(std::vector<uint32_t>(M, E), t, k, rng(),
                                  n & 1, n & 2, tiling);
    SCOPED_TRACE(Describe(p));
    const Result r = EvaluateClosedForm(p);
    EXPECT_EQ(r.tiled, tiling != RefTiling::kOff);
    EXPECT_EQ(r.t_prime, t);
    ExpectGuarantees(p, r);
    for (size_t i = 0; i < M; ++i) {
      ASSERT_EQ(RowRoutes(r, i, k).size(), k) << "source " << i;
    }
    ASSERT_EQ(Loads(r, E), t);
  }
}

// The tiling rule's conditions, one at a time, around one problem that tiles
// at the auto rule's equality q * Sigma s = k * M * E (rng.txt's lay-out:
// M = 24 sources of degree 8, E = 8, Sigma t = 60, k = 2, q = 2).
TEST(Reference, TilingRuleConditions) {
  const std::vector<uint32_t> s(24, 8), t = {7, 8, 7, 8, 7, 8, 7, 8};
  auto tiled = [&](const std::vector<uint32_t>& src,
                   const std::vector<uint32_t>& tgt, uint32_t k, bool align,
                   RefTiling tiling) {
    return RefLayout(src, tgt, k, 11, align, tiling).tiled;
  };
  EXPECT_TRUE(tiled(s, t, 2, true, RefTiling::kAuto));  // 2 * 192 == 2*24*8
  std::vector<uint32_t> s_less = s;
  s_less[5] = 7;  // 2 * 191 < 384
  EXPECT_FALSE(tiled(s_less, t, 2, true, RefTiling::kAuto));
  EXPECT_TRUE(tiled(s_less, t, 2, true, RefTiling::kOn));
  EXPECT_FALSE(tiled(s, t, 3, true, RefTiling::kAuto));
  EXPECT_FALSE(tiled(s, t, 2, true, RefTiling::kOff));
  EXPECT_FALSE(tiled(s, t, 2, false, RefTiling::kOn));  // align off
  EXPECT_FALSE(tiled(s, t, 2, false, RefTiling::kAuto));
  // Sigma t < M: no laps, so on does not tile either.
  const std::vector<uint32_t> few = {2, 3, 2, 3, 2, 3, 2, 3};  // 20 < 24
  EXPECT_FALSE(tiled(s, few, 1, true, RefTiling::kOn));
  // Sigma t == M: one lap.
  const std::vector<uint32_t> one_lap = {3, 3, 3, 3, 3, 3, 3, 3};
  const Layout lap = RefLayout(s, one_lap, 1, 11, true, RefTiling::kOn);
  EXPECT_TRUE(lap.tiled);
  EXPECT_EQ(lap.q, 1u);
  EXPECT_EQ(lap.t_prime, one_lap);  // scale q * M / L = 1
}

// A hand-computed tiled lay-out: M = 4, E = 2, t = (3, 3), L = 6, q = 1,
// scale q * M / L = 2/3. With sigma = (1, 0) (target 1 first):
// A = (3, 0), B = (6, 3); a = (2, 0), b = (4, 2); t' = (2, 2), psi = (2, 0).
// With sigma = (0, 1): A = (0, 3), a = (0, 2), b = (2, 4), psi = (0, 2).
TEST(Reference, HandComputedTiledLayout) {
  const std::vector<uint32_t> s(4, 2), t = {3, 3};
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Layout l = RefLayout(s, t, 1, seed, true, RefTiling::kAuto);
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_TRUE(l.tiled);  // q * Sigma s = 8 >= k * M * E = 8
    EXPECT_EQ(l.q, 1u);
    EXPECT_EQ(l.t_prime, (std::vector<uint32_t>{2, 2}));
    if (l.sigma == std::vector<uint32_t>{1, 0}) {
      EXPECT_EQ(l.psi, (std::vector<uint32_t>{2, 0}));
    } else {
      ASSERT_EQ(l.sigma, (std::vector<uint32_t>{0, 1}));
      EXPECT_EQ(l.psi, (std::vector<uint32_t>{0, 2}));
    }
  }
}

// Products A_t * q * M beyond 2^64 (E * M > 2^32): the scaled arcs must still
// be exact. M = 2^23 + 1 sources (s is 32 MiB), E = 1025 targets of degree
// about M, so L ~ 2^33 and L * q * M ~ 2^66.
TEST(Reference, TilingArithmeticBeyond64Bits) {
  const size_t M = (size_t{1} << 23) + 1, E = 1025;
  std::mt19937_64 rng(99);
  std::vector<uint32_t> t(E);
  for (uint32_t& d : t) d = static_cast<uint32_t>(Uniform(&rng, M / 2, M));
  const std::vector<uint32_t> s(M, static_cast<uint32_t>(E));
  const Layout l = RefLayout(s, t, 3, 5, true, RefTiling::kOn);
  const uint64_t L = std::accumulate(t.begin(), t.end(), uint64_t{0});
  ASSERT_TRUE(l.tiled);
  ASSERT_GT(static_cast<long double>(L) * l.q * M, 18446744073709551615.0L);
  uint64_t sum = 0;
  for (size_t j = 0; j < E; ++j) {
    ASSERT_LE(l.t_prime[j], t[j]) << "target " << j;
    // |t'_j - t_j * q * M / L| < 1, in long double (64-bit mantissa).
    const long double ideal = static_cast<long double>(t[j]) * l.q * M / L;
    ASSERT_LT(std::abs(static_cast<long double>(l.t_prime[j]) - ideal), 1.0L);
    sum += l.t_prime[j];
  }
  EXPECT_EQ(sum, l.q * M);
}

// ---- Small checks -----------------------------------------------------------

// M = E = 2, align on, no row perm, S = [11; 10] (s = 2, 1), T = [10; 11]
// (t = 1, 2), k = 2, seed 7, whose lay-out order is the identity (rng.txt:
// fperm seed 7 d 6 L 2 is "0 1"). phi = (0, 2 mod 2 = 0); A = (0, 1), so
// psi = (0, 1); L = 3 >= M, q = 1, but q * Sigma s = 3 < k * M * E = 8: no
// tiling, t' = t. Source 0 (full row) is a candidate of target t iff
// Ta[t][(pT[0] - psi_t) mod 2] = 1; source 1 also needs Sa[1][pS[t]] = 1,
// i.e. pS[t] == 0.
TEST(Reference, HandCheckedTinyCase) {
  Problem p;
  p.M = p.E = 2;
  p.S = {1, 1, 1, 0};
  p.T = {1, 0, 1, 1};
  p.k = 2;
  p.seed = 7;
  const std::vector<uint32_t> pS = RefFpermVector(RefDomainKey(7, 1), 2);
  const std::vector<uint32_t> pT = RefFpermVector(RefDomainKey(7, 2), 2);
  const Result r = EvaluateClosedForm(p);
  ASSERT_EQ(r.sigma, (std::vector<uint32_t>{0, 1}));
  ASSERT_FALSE(r.tiled);
  ASSERT_EQ(r.psi, (std::vector<uint32_t>{0, 1}));
  const uint8_t Ta[2][2] = {{1, 0}, {1, 1}};
  const uint32_t psi[2] = {0, 1};
  for (uint32_t i = 0; i < 2; ++i) {
    for (uint32_t t = 0; t < 2; ++t) {
      const bool s_ok = i == 0 || pS[t] == 0;
      const bool t_ok = Ta[t][(pT[i] + 2 - psi[t]) % 2] == 1;
      EXPECT_EQ(r.candidate[i * 2 + t], s_ok && t_ok) << i << "," << t;
    }
  }
  // Target 1's full row makes it a candidate of source 0 whatever the perms.
  EXPECT_EQ(r.candidate[0 * 2 + 1], 1);
}

TEST(Reference, FromDegreesBuildsAlignedRows) {
  const Problem p = FromDegrees({3, 0, 5}, {1, 2, 3, 0, 3}, 2, 7, true, true,
                                RefTiling::kOff);
  ASSERT_EQ(p.M, 3u);
  ASSERT_EQ(p.E, 5u);
  EXPECT_EQ(RowDegrees(p.S, 3, 5), (std::vector<uint32_t>{3, 0, 5}));
  EXPECT_EQ(RowDegrees(p.T, 5, 3), (std::vector<uint32_t>{1, 2, 3, 0, 3}));
  EXPECT_EQ(p.S[0 * 5 + 2], 1);
  EXPECT_EQ(p.S[0 * 5 + 3], 0);
  EXPECT_TRUE(p.align);
  EXPECT_TRUE(p.row_perm);
  EXPECT_TRUE(p.select_lowest);
  EXPECT_EQ(p.tiling, RefTiling::kOff);
  EXPECT_EQ(FromDegrees({1}, {1}, 1, 0, false, false).tiling, RefTiling::kAuto);
}

// align on: only the degrees matter, whatever the bit pattern.
TEST(Reference, AlignIgnoresThePattern) {
  std::mt19937_64 rng(77);
  for (int n = 0; n < 30; ++n) {
    Problem p;
    p.M = 1 + Uniform(&rng, 0, 90);
    p.E = 1 + Uniform(&rng, 0, 90);
    p.S = phase_router_test::RandomMatrix(p.M, p.E, &rng);
    p.T = phase_router_test::RandomMatrix(p.E, p.M, &rng);
    p.k = 3;
    p.seed = n;
    p.row_perm = n & 1;
    p.tiling = RandomTiling(&rng);
    const Problem q =
        FromDegrees(RowDegrees(p.S, p.M, p.E), RowDegrees(p.T, p.E, p.M), p.k,
                    p.seed, p.row_perm, false, p.tiling);
    EXPECT_EQ(EvaluateClosedForm(p).routes, EvaluateClosedForm(q).routes);
  }
}

TEST(Reference, TilingNames) {
  RefTiling t = RefTiling::kOff;
  EXPECT_TRUE(ParseRefTiling("auto", &t));
  EXPECT_EQ(t, RefTiling::kAuto);
  EXPECT_TRUE(ParseRefTiling("on", &t));
  EXPECT_EQ(t, RefTiling::kOn);
  EXPECT_TRUE(ParseRefTiling("off", &t));
  EXPECT_EQ(t, RefTiling::kOff);
  EXPECT_FALSE(ParseRefTiling("yes", &t));
  EXPECT_EQ(t, RefTiling::kOff);
  EXPECT_STREQ(RefTilingName(RefTiling::kAuto), "auto");
}

}  // namespace
}  // namespace phase_router_ref
