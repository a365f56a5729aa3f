// The permutation kernel (kernels/feistel_permute.h) on every build against
// its scalar twin and kernels/random.h's Fperm, and the target layout
// (kernels/target_layout.h) against a plain transcription of SPEC.md step 2.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "dispatch/dispatch.h"
#include "kernels/kernel_table.h"
#include "gtest/gtest.h"
#include "kernels/feistel_permute.h"
#include "kernels/random.h"
#include "kernels/target_layout.h"

namespace phase_router {
namespace {

using PermuteFn = decltype(&scalar::FeistelPermute);
using BuildTableFn = decltype(&scalar::BuildFeistelTable);

// One build's kernels, run with its own table of the rounds or without one.
struct Build {
  std::string name;
  BuildTableFn build_table;
  PermuteFn permute_fn;
  bool with_table;

  void permute(uint64_t key, uint64_t length, FeistelDirection d, const uint32_t* in,
               uint32_t first, size_t count, uint32_t* out) const {
    std::vector<uint16_t> rounds(FeistelTableEntries(length) + 1, 0xBEEF);
    if (with_table && length > 1) {
      // In two bands, as threads build it.
      const size_t half = rounds.size() / 3;
      build_table(key, length, 0, half, rounds.data());
      build_table(key, length, half, rounds.size() - 1, rounds.data());
      EXPECT_EQ(rounds.back(), 0xBEEF) << "table overrun";
    }
    permute_fn(key, length, with_table ? rounds.data() : nullptr, d, in, first, count, out);
  }
};

// scalar, generic, and every Highway target this CPU runs; each with and
// without a table.
std::vector<Build> AllBuilds() {
  std::vector<Build> all;
  for (bool table : {false, true}) {
    all.push_back({"scalar", scalar::BuildFeistelTable, scalar::FeistelPermute, table});
    all.push_back({"generic", generic::BuildFeistelTable, generic::FeistelPermute, table});
    for (const std::string& name : SupportedTargetNames()) {
      if (name == "generic") continue;
      const KernelTable& K = KernelsFor(name);
      all.push_back({name, K.build_feistel_table, K.feistel_permute, table});
    }
  }
  for (Build& b : all) b.name += b.with_table ? " (table)" : "";
  return all;
}

// Every build tabulates the same rounds as the scalar twin.
TEST(FeistelPermute, EveryBuildTabulatesTheSameRounds) {
  for (const Build& b : AllBuilds()) {
    for (uint64_t length : {uint64_t{2}, uint64_t{5}, uint64_t{1000}, uint64_t{70001},
                            (uint64_t{1} << 32) - 1}) {
      std::vector<uint16_t> want(FeistelTableEntries(length)), got(want.size());
      scalar::BuildFeistelTable(99, length, 0, want.size(), want.data());
      b.build_table(99, length, 3, got.size(), got.data());
      got[0] = want[0], got[1] = want[1], got[2] = want[2];
      ASSERT_EQ(got, want) << b.name << " L " << length;
    }
  }
}

constexpr FeistelDirection kDirections[] = {FeistelDirection::kForward,
                                            FeistelDirection::kInverse};

uint32_t Expected(uint64_t key, uint64_t length, FeistelDirection d, uint32_t x) {
  return d == FeistelDirection::kForward ? Fperm(key, length, x) : FpermInverse(key, length, x);
}

// Whole permutations of small lengths (every count mod the vector width,
// in both directions, from an iota and from an index array): each build
// gives exactly Fperm / FpermInverse, and leaves the words after `count`
// alone.
TEST(FeistelPermute, EveryBuildMatchesFpermOnWholeRanges) {
  constexpr uint32_t kGuard = 0xDEADBEEFu;
  std::mt19937_64 rng(21);
  for (const Build& b : AllBuilds()) {
    SCOPED_TRACE(b.name);
    for (uint64_t length = 1; length <= 300; ++length) {
      const uint64_t key = rng();
      for (FeistelDirection d : kDirections) {
        std::vector<uint32_t> got(length + 1, kGuard);
        b.permute(key, length, d, nullptr, 0, length, got.data());
        ASSERT_EQ(got[length], kGuard) << "wrote past count at L = " << length;
        for (uint32_t x = 0; x < length; ++x) {
          ASSERT_EQ(got[x], Expected(key, length, d, x)) << "L " << length << " x " << x;
        }
        // Indices read from an array, permuted in place.
        std::vector<uint32_t> in(length);
        for (uint32_t x = 0; x < length; ++x) in[x] = static_cast<uint32_t>((x * 7 + 3) % length);
        std::vector<uint32_t> want(length);
        for (uint32_t x = 0; x < length; ++x) want[x] = Expected(key, length, d, in[x]);
        b.permute(key, length, d, in.data(), 0, length, in.data());
        ASSERT_EQ(in, want) << "in place, L " << length;
      }
    }
  }
}

// Bands at odd offsets of large domains, up to 2^32 - 1: what the router's
// threads and row ranges evaluate.
TEST(FeistelPermute, EveryBuildMatchesFpermOnBandsOfLargeDomains) {
  std::mt19937_64 rng(22);
  const uint64_t lengths[] = {65537, 1000003, 10000000, (uint64_t{1} << 31) - 1,
                              (uint64_t{1} << 32) - 1, 3000000019ull};
  for (const Build& b : AllBuilds()) {
    SCOPED_TRACE(b.name);
    for (uint64_t length : lengths) {
      for (FeistelDirection d : kDirections) {
        const uint64_t key = rng();
        const size_t count = 1 + rng() % (b.with_table && length > 100000000 ? 33 : 333);
        const auto first = static_cast<uint32_t>(rng() % (length - count));
        std::vector<uint32_t> got(count);
        b.permute(key, length, d, nullptr, first, count, got.data());
        for (size_t j = 0; j < count; ++j) {
          ASSERT_EQ(got[j], Expected(key, length, d, first + static_cast<uint32_t>(j)))
              << "L " << length << " x " << first + j;
        }
      }
    }
  }
}

// Lengths up to 65536 (half width h <= 8, where AVX3_DL looks up the
// rounds 64 values at a time) at their extremes of cycle walking: a domain
// 2^(2h) of just under 4 L (4097, 16385, 32769: most values walk, many of
// them several passes) or exactly L (4096, 65536: none walk). Whole
// permutations from an iota and bands of an index array in place, at odd
// offsets and counts that are not whole vectors.
TEST(FeistelPermute, EveryBuildMatchesFpermUpToSixteenBitDomains) {
  std::mt19937_64 rng(23);
  const uint64_t lengths[] = {301, 1025, 4096, 4097, 9000, 16385, 32769, 65535, 65536};
  const std::vector<Build> builds = AllBuilds();
  for (uint64_t length : lengths) {
    for (FeistelDirection d : kDirections) {
      const uint64_t key = rng();
      std::vector<uint32_t> want(length);
      for (uint32_t x = 0; x < length; ++x) want[x] = Expected(key, length, d, x);
      const size_t count = length - 1 - rng() % 63;
      const auto first = static_cast<uint32_t>(length - count);
      std::vector<uint32_t> in(count);
      for (size_t j = 0; j < count; ++j) in[j] = static_cast<uint32_t>(rng() % length);
      for (const Build& b : builds) {
        SCOPED_TRACE(b.name + " L " + std::to_string(length));
        std::vector<uint32_t> got(length);
        b.permute(key, length, d, nullptr, 0, length, got.data());
        ASSERT_EQ(got, want);
        got.assign(count + 1, 0xDEADBEEFu);
        b.permute(key, length, d, nullptr, first, count, got.data());
        for (size_t j = 0; j < count; ++j) ASSERT_EQ(got[j], want[first + j]) << "x " << first + j;
        ASSERT_EQ(got[count], 0xDEADBEEFu) << "wrote past count";
        std::vector<uint32_t> v = in;
        b.permute(key, length, d, v.data(), 0, count, v.data());
        for (size_t j = 0; j < count; ++j) ASSERT_EQ(v[j], want[in[j]]) << "x " << in[j];
      }
    }
  }
}

// The kernel composes: forward after inverse is the identity on a band.
TEST(FeistelPermute, InverseUndoesForwardOnEveryBuild) {
  for (const Build& b : AllBuilds()) {
    for (uint64_t length : {uint64_t{2}, uint64_t{97}, uint64_t{4096}, uint64_t{123457}}) {
      std::vector<uint32_t> v(std::min<uint64_t>(length, 5000));
      b.permute(77, length, FeistelDirection::kForward, nullptr, 0, v.size(), v.data());
      b.permute(77, length, FeistelDirection::kInverse, v.data(), 0, v.size(), v.data());
      for (size_t x = 0; x < v.size(); ++x) ASSERT_EQ(v[x], x) << b.name << " L " << length;
    }
  }
}

// SPEC.md step 2 for the targets, written out plainly: A by place, then a, b
// scaled with 128-bit products when tiled.
struct PlainLayout {
  std::vector<uint32_t> length, offset;
  bool tiled = false;
};

PlainLayout PlainTargetLayout(const std::vector<uint32_t>& t, const std::vector<uint32_t>& sigma,
                              uint64_t M, bool tile) {
  const size_t E = t.size();
  uint64_t L = 0;
  for (uint32_t x : t) L += x;
  PlainLayout p;
  p.tiled = tile && L >= M;
  p.length.resize(E);
  p.offset.resize(E);
  const uint64_t q = L / M;
  for (size_t j = 0; j < E; ++j) {
    uint64_t A = 0;
    for (size_t r = 0; r < E; ++r) A += sigma[r] < sigma[j] ? t[r] : 0;
    const uint64_t B = A + t[j];
    if (p.tiled) {
      using U128 = unsigned __int128;
      const auto a = static_cast<uint64_t>(U128{A} * q * M / L);
      const auto b = static_cast<uint64_t>(U128{B} * q * M / L);
      p.length[j] = static_cast<uint32_t>(b - a);
      p.offset[j] = static_cast<uint32_t>(a % M);
    } else {
      p.length[j] = t[j];
      p.offset[j] = static_cast<uint32_t>(A % M);
    }
  }
  return p;
}

TEST(TargetLayout, MatchesSpecOnRandomCapacities) {
  std::mt19937_64 rng(23);
  int tiled = 0;
  for (int trial = 0; trial < 600; ++trial) {
    const size_t E = 1 + rng() % 70;
    const uint64_t M = 1 + rng() % 500;
    std::vector<uint32_t> t(E);
    for (uint32_t& x : t) x = static_cast<uint32_t>(rng() % (M + 1));
    if (trial % 7 == 0) std::fill(t.begin(), t.end(), static_cast<uint32_t>(M));
    const uint64_t key = DomainKey(rng(), Domain::kLayout);
    std::vector<uint32_t> sigma(E), order(E);
    for (uint32_t j = 0; j < E; ++j) sigma[j] = Fperm(key, E, j);
    for (uint32_t j = 0; j < E; ++j) order[sigma[j]] = j;
    const bool tile = trial % 2 == 0;
    std::vector<uint32_t> length(E), offset(E);
    std::vector<uint64_t> starts(E + 1);
    const TargetLayout layout =
        LayTargetArcs(t.data(), order.data(), E, M, tile, length.data(), offset.data(),
                      starts.data());
    const PlainLayout want = PlainTargetLayout(t, sigma, M, tile);
    SCOPED_TRACE("trial " + std::to_string(trial));
    ASSERT_EQ(layout.tiled, want.tiled);
    ASSERT_EQ(length, want.length);
    ASSERT_EQ(offset, want.offset);
    uint64_t L = 0, sum = 0;
    for (size_t j = 0; j < E; ++j) {
      L += t[j];
      sum += length[j];
      ASSERT_LE(length[j], t[j]);
      ASSERT_EQ(starts[j + 1] - starts[j], length[order[j]]) << "places lie end to end";
    }
    ASSERT_EQ(starts[0], 0u);
    ASSERT_EQ(starts[E], sum);
    ASSERT_EQ(layout.total, sum);
    if (layout.tiled) {
      ++tiled;
      ASSERT_EQ(layout.laps, L / M);
      ASSERT_EQ(sum, L / M * M) << "the scaled arcs tile q laps exactly";
    } else {
      ASSERT_EQ(layout.laps, 0u);
      ASSERT_EQ(sum, L);
    }
  }
  EXPECT_GT(tiled, 100);
}

TEST(TargetLayout, AutoRuleIsExactAtTheBoundary) {
  // q * sum_s >= k * M * E with products past 2^64.
  const uint64_t M = (uint64_t{1} << 31) - 1, E = (uint64_t{1} << 31) - 1;
  const uint64_t L = 8 * M;  // q = 8
  EXPECT_TRUE(AutoTilingHolds(L, M, M * E, 8, E));
  EXPECT_FALSE(AutoTilingHolds(L, M, M * E - 1, 8, E));
  EXPECT_FALSE(AutoTilingHolds(L, M, M * E, 9, E));
  EXPECT_TRUE(AutoTilingHolds(L + M - 1, M, M * E, 8, E)) << "q is a floor";
}

}  // namespace
}  // namespace phase_router
