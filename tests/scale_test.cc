// The scale features (issue "arc intersection, row ranges, MPI"): the
// arc-intersection method gives the bit-matrix pipeline's routes, bit for
// bit, on hundreds of random shapes and on the golden vectors; a row range
// [a, b) gives exactly those rows of the whole routing, on every method and
// input kind; the arc kernels equal their scalar twins; the plan's memory
// scales as documented; bad methods and ranges are refused.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/arc_candidates.h"
#include "kernels/bit_matrix.h"
#include "kernels/random.h"
#include "kernels/rotate_rows.h"
#include "kernels/target_layout.h"
#include "phase_router/analysis.h"
#include "phase_router/phase_router.h"
#include "tests/reference.h"
#include "tests/test_util.h"

namespace phase_router {
namespace {

using phase_router_ref::Problem;
using phase_router_test::Uniform;

// Degrees of `n` rows on a ring of `ring`, from a mix of regimes: empty and
// full rows, a constant, uniform, small, and near-full degrees.
std::vector<uint32_t> RandomDegrees(size_t n, size_t ring, std::mt19937_64* rng) {
  std::vector<uint32_t> d(n);
  const uint64_t regime = Uniform(rng, 0, 5);
  const uint32_t constant = static_cast<uint32_t>(Uniform(rng, 0, ring));
  for (auto& x : d) {
    switch (regime) {
      case 0: x = constant; break;
      case 1: x = static_cast<uint32_t>(Uniform(rng, 0, ring)); break;
      case 2: x = static_cast<uint32_t>(Uniform(rng, 0, std::min<size_t>(ring, 3))); break;
      case 3: x = static_cast<uint32_t>(ring - Uniform(rng, 0, std::min<size_t>(ring, 2))); break;
      case 4: x = Uniform(rng, 0, 3) == 0 ? 0 : static_cast<uint32_t>(ring); break;
      default: x = static_cast<uint32_t>(Uniform(rng, 0, ring) / 2); break;
    }
  }
  return d;
}

size_t PickDim(std::mt19937_64* rng) {
  static constexpr size_t kDims[] = {1, 2, 3, 63, 64, 65, 127, 129, 200, 257, 300, 513};
  return Uniform(rng, 0, 1) ? kDims[Uniform(rng, 0, std::size(kDims) - 1)]
                            : Uniform(rng, 1, 400);
}

struct DegreeCase {
  std::vector<uint32_t> s, t;
  Options o;
  std::string Describe() const {
    return std::to_string(s.size()) + "x" + std::to_string(t.size()) + " k=" +
           std::to_string(o.k) + " seed=" + std::to_string(o.seed) +
           (o.row_perm ? " row_perm" : "") + " " + SelectName(o.select);
  }
};

DegreeCase RandomDegreeCase(std::mt19937_64* rng) {
  DegreeCase c;
  const size_t M = PickDim(rng), E = PickDim(rng);
  c.s = RandomDegrees(M, E, rng);
  c.t = RandomDegrees(E, M, rng);
  c.o.k = static_cast<uint32_t>(Uniform(rng, 0, 3) == 0 ? Uniform(rng, 1, E + 2)
                                                          : Uniform(rng, 1, 12));
  c.o.seed = (*rng)();
  c.o.row_perm = Uniform(rng, 0, 1);
  c.o.select = Uniform(rng, 0, 3) == 0 ? Select::kLowest : Select::kRandom;
  c.o.threads = static_cast<int>(Uniform(rng, 1, 3));
  return c;
}

// The rows [a, b) of a whole M x k routing.
std::vector<int32_t> Slice(const std::vector<int32_t>& all, size_t k, size_t a, size_t b) {
  return {all.begin() + static_cast<ptrdiff_t>(a * k), all.begin() + static_cast<ptrdiff_t>(b * k)};
}

// A random non-empty range of [0, M), now and then the whole or one row.
std::pair<size_t, size_t> RandomRange(size_t M, std::mt19937_64* rng) {
  switch (Uniform(rng, 0, 4)) {
    case 0: return {0, M};
    case 1: {
      const size_t a = Uniform(rng, 0, M - 1);
      return {a, a + 1};
    }
    default: {
      size_t a = Uniform(rng, 0, M - 1), b = Uniform(rng, 0, M - 1);
      if (a > b) std::swap(a, b);
      return {a, b + 1};
    }
  }
}

// ---------------------------------------------------------------- methods

// Both methods against the independent reference, then row ranges of both
// against the whole routing: 400 random aligned shapes.
TEST(Methods, ArcsEqualBitsAndReferenceOnRandomShapes) {
  std::mt19937_64 rng(20261124);
  Router bits_router, arcs_router;
  int arcs_chose_search = 0;
  for (int trial = 0; trial < 400; ++trial) {
    DegreeCase c = RandomDegreeCase(&rng);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + c.Describe());
    const size_t M = c.s.size();
    const Problem p = phase_router_ref::FromDegrees(c.s, c.t, c.o.k, c.o.seed, c.o.row_perm,
                                                    c.o.select == Select::kLowest);
    const std::vector<int32_t> want = phase_router_ref::EvaluateClosedForm(p).routes;

    Options bits = c.o, arcs = c.o;
    bits.method = Method::kBits;
    arcs.method = Method::kArcs;
    Stats st;
    ASSERT_EQ(bits_router.RouteDegrees(c.s, c.t, bits).ids, want) << "bits";
    ASSERT_EQ(arcs_router.RouteDegrees(c.s, c.t, arcs, &st).ids, want) << "arcs";
    EXPECT_EQ(st.method, "arcs");
    const uint64_t total = std::accumulate(c.t.begin(), c.t.end(), uint64_t{0});
    arcs_chose_search += std::any_of(c.s.begin(), c.s.end(), [&](uint32_t s) {
      return ArcCostModel::SearchTargets(s, total / M + 1);
    });

    const auto [a, b] = RandomRange(M, &rng);
    SCOPED_TRACE("rows [" + std::to_string(a) + ", " + std::to_string(b) + ")");
    for (Options o : {bits, arcs}) {
      o.row_begin = a;
      o.row_end = b;
      const Routes r = Router().RouteDegrees(c.s, c.t, o, &st);
      EXPECT_EQ(r.M, b - a);
      EXPECT_EQ(r.row_begin, a);
      ASSERT_EQ(r.ids, Slice(want, c.o.k, a, b)) << MethodName(o.method);
      EXPECT_EQ(st.row_begin, a);
      EXPECT_EQ(st.row_end, b);
    }
  }
  // Both of the arc path's ways were exercised, not just one.
  EXPECT_GT(arcs_chose_search, 40);
}

// Aligned matrices (whose bit patterns the alignment ignores) through both
// methods, as bytes and as bits, with ranges.
TEST(Methods, ArcsAcceptAlignedMatrices) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 60; ++trial) {
    const size_t M = PickDim(&rng), E = PickDim(&rng);
    const std::vector<uint8_t> S = phase_router_test::RandomMatrix(M, E, &rng);
    const std::vector<uint8_t> T = phase_router_test::RandomMatrix(E, M, &rng);
    Options o;
    o.k = static_cast<uint32_t>(Uniform(&rng, 1, 9));
    o.seed = rng();
    o.row_perm = trial % 2;
    SCOPED_TRACE(std::to_string(M) + "x" + std::to_string(E));
    Problem p;
    p.M = M;
    p.E = E;
    p.S = S;
    p.T = T;
    p.k = o.k;
    p.seed = o.seed;
    p.row_perm = o.row_perm;
    const std::vector<int32_t> want = phase_router_ref::EvaluateClosedForm(p).routes;
    const std::vector<uint64_t> Sw = phase_router_test::PackBits(S, M, E, WordsFor(E) + 1);
    const std::vector<uint64_t> Tw = phase_router_test::PackBits(T, E, M, WordsFor(M));
    const auto [a, b] = RandomRange(M, &rng);
    for (Method m : {Method::kAuto, Method::kBits, Method::kArcs}) {
      SCOPED_TRACE(MethodName(m));
      o.method = m;
      o.row_begin = 0;
      o.row_end = 0;
      EXPECT_EQ(Route(ByteMatrixView{S.data(), M, E, 0}, ByteMatrixView{T.data(), E, M, 0}, o).ids,
                want);
      o.row_begin = a;
      o.row_end = b;
      EXPECT_EQ(Route(BitMatrixView{Sw.data(), M, E, WordsFor(E) + 1},
                      BitMatrixView{Tw.data(), E, M, 0}, o)
                    .ids,
                Slice(want, o.k, a, b));
    }
  }
}

// Sources that accept every target (every row of S full, as MoE tokens)
// skip the bit path's S side (bit_path_stages.h): the routes of every
// target, aligned or not, from bytes, bits and degrees, on 1 to 3 threads
// and in row ranges, against the reference. The last shape is large enough
// (M E >= 2^20) that the threads really run; none is a multiple of 64.
TEST(Methods, FullSourcesMatchTheReference) {
  std::mt19937_64 rng(2611);
  Router router;
  const std::vector<std::pair<size_t, size_t>> shapes = {{1, 1}, {37, 5}, {131, 67},
                                                          {300, 1}, {1301, 907}};
  for (const auto& [M, E] : shapes) {
    for (const bool align : {true, false}) {
      Problem p;
      p.M = M;
      p.E = E;
      p.S.assign(M * E, 1);
      p.T = phase_router_test::RandomMatrix(E, M, &rng);
      p.k = static_cast<uint32_t>(Uniform(&rng, 1, std::min<uint64_t>(E, 40)));
      p.seed = rng();
      p.align = align;
      p.row_perm = M % 2 == 1;
      const std::string shape = std::to_string(M) + "x" + std::to_string(E) +
                                (align ? " aligned" : " unaligned") + " k " +
                                std::to_string(p.k);
      SCOPED_TRACE(shape);
      const std::vector<int32_t> want = phase_router_ref::EvaluateClosedForm(p).routes;
      const std::vector<uint64_t> Sw = phase_router_test::PackBits(p.S, M, E, WordsFor(E));
      const std::vector<uint64_t> Tw = phase_router_test::PackBits(p.T, E, M, WordsFor(M) + 1);
      const std::vector<uint32_t> s = phase_router_ref::RowDegrees(p.S, M, E);
      const std::vector<uint32_t> t = phase_router_ref::RowDegrees(p.T, E, M);
      const auto [a, b] = RandomRange(M, &rng);
      for (const std::string& target : phase_router_test::TargetsToTest()) {
        phase_router_test::ScopedTarget forced(target);
        for (int threads = 1; threads <= 3; ++threads) {
          SCOPED_TRACE(target + " threads " + std::to_string(threads));
          Options o;
          o.k = p.k;
          o.seed = p.seed;
          o.align = align;
          o.row_perm = p.row_perm;
          o.method = Method::kBits;
          o.threads = threads;
          Stats st;
          ASSERT_EQ(router.Route(ByteMatrixView{p.S.data(), M, E, 0},
                                 ByteMatrixView{p.T.data(), E, M, 0}, o, &st).ids,
                    want) << "bytes";
          EXPECT_EQ(st.method, "bits");
          EXPECT_EQ(st.backend, target);
          EXPECT_TRUE(std::none_of(st.stage_ms.begin(), st.stage_ms.end(),
                                   [](const auto& stage) { return stage.first == "gather"; }))
              << "the S side ran";
          o.row_begin = a;
          o.row_end = b;
          ASSERT_EQ(router.Route(BitMatrixView{Sw.data(), M, E, 0},
                                 BitMatrixView{Tw.data(), E, M, WordsFor(M) + 1}, o).ids,
                    Slice(want, p.k, a, b)) << "bits, rows [" << a << ", " << b << ")";
          if (align) {
            o.row_begin = 0;
            o.row_end = 0;
            ASSERT_EQ(router.RouteDegrees(s, t, o).ids, want) << "degrees";
          }
        }
      }
    }
  }
}

// Unaligned routings have only the bit path: row ranges of it, from bytes
// and from bits, against the reference's stages.
TEST(RowRanges, UnalignedRangesAreSlicesOfTheWhole) {
  std::mt19937_64 rng(99);
  Router router;
  for (int trial = 0; trial < 120; ++trial) {
    const size_t M = PickDim(&rng), E = PickDim(&rng);
    Problem p;
    p.M = M;
    p.E = E;
    p.S = phase_router_test::RandomMatrix(M, E, &rng);
    p.T = phase_router_test::RandomMatrix(E, M, &rng);
    p.k = static_cast<uint32_t>(Uniform(&rng, 1, 9));
    p.seed = rng();
    p.align = false;
    p.row_perm = trial % 3 == 0;
    p.select_lowest = trial % 5 == 0;
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + phase_router_test::Describe(p));
    const std::vector<int32_t> want = phase_router_ref::EvaluateStages(p).routes;
    Options o;
    o.k = p.k;
    o.seed = p.seed;
    o.align = false;
    o.row_perm = p.row_perm;
    o.select = p.select_lowest ? Select::kLowest : Select::kRandom;
    o.threads = static_cast<int>(Uniform(&rng, 1, 3));
    const auto [a, b] = RandomRange(M, &rng);
    o.row_begin = a;
    o.row_end = b;
    SCOPED_TRACE("rows [" + std::to_string(a) + ", " + std::to_string(b) + ")");
    const std::vector<uint64_t> Sw = phase_router_test::PackBits(p.S, M, E, WordsFor(E));
    const std::vector<uint64_t> Tw = phase_router_test::PackBits(p.T, E, M, WordsFor(M) + 2);
    ASSERT_EQ(router.Route(ByteMatrixView{p.S.data(), M, E, 0},
                           ByteMatrixView{p.T.data(), E, M, 0}, o)
                  .ids,
              Slice(want, p.k, a, b))
        << "bytes";
    ASSERT_EQ(router.Route(BitMatrixView{Sw.data(), M, E, 0},
                           BitMatrixView{Tw.data(), E, M, WordsFor(M) + 2}, o)
                  .ids,
              Slice(want, p.k, a, b))
        << "bits";
  }
}

// Consecutive ranges tile the whole routing, on every kernel target, in a
// shape large enough to run on several threads (2^20 bits and more).
TEST(RowRanges, ConsecutiveRangesTileTheWholeOnEveryTarget) {
  std::mt19937_64 rng(3);
  const size_t M = 1500, E = 777;
  const std::vector<uint32_t> s = RandomDegrees(M, E, &rng);
  std::vector<uint32_t> t(E);
  for (auto& x : t) x = static_cast<uint32_t>(Uniform(&rng, 0, M));
  for (const std::string& target : phase_router_test::TargetsToTest()) {
    phase_router_test::ScopedTarget forced(target);
    for (Method m : {Method::kBits, Method::kArcs}) {
      SCOPED_TRACE(target + " " + MethodName(m));
      Options o;
      o.k = 9;
      o.seed = 11;
      o.threads = 2;
      o.method = m;
      const std::vector<int32_t> whole = RouteDegrees(s, t, o).ids;
      std::vector<int32_t> joined;
      for (size_t a : {size_t{0}, size_t{1}, size_t{700}, size_t{1499}}) {
        const size_t b = a == 0 ? 1 : a == 1 ? 700 : a == 700 ? 1499 : 1500;
        o.row_begin = a;
        o.row_end = b;
        const std::vector<int32_t> part = RouteDegrees(s, t, o).ids;
        joined.insert(joined.end(), part.begin(), part.end());
      }
      EXPECT_EQ(joined, whole);
    }
  }
}

// The golden vectors through each method, whole and in three ranges.
TEST(Methods, GoldenVectorsThroughEveryMethodAndRange) {
  for (const std::string& name : phase_router_test::GoldenCaseNames()) {
    SCOPED_TRACE(name);
    phase_router_test::GoldenCase c;
    ASSERT_TRUE(phase_router_test::ParseGoldenCase(phase_router_test::GoldenDir() + "/" + name, &c));
    Options o = phase_router_test::OptionsOf(c, 1);
    const ByteMatrixView S{c.S.data(), c.M, c.E, 0}, T{c.T.data(), c.E, c.M, 0};
    for (Method m : {Method::kAuto, Method::kBits, Method::kArcs}) {
      if (m == Method::kArcs && !c.align) continue;
      SCOPED_TRACE(MethodName(m));
      o.method = m;
      const size_t cuts[] = {0, c.M / 3, c.M / 3 + 1, c.M};
      for (size_t j = 0; j + 1 < std::size(cuts); ++j) {
        o.row_begin = cuts[j];
        o.row_end = cuts[j + 1];
        if (o.row_begin == o.row_end) continue;
        EXPECT_EQ(Route(S, T, o).ids, Slice(c.routes, c.k, cuts[j], cuts[j + 1]));
      }
    }
  }
}

// SPEC.md's exact tiling through the arc path on 200,000 sources: every s_i = E and Σt = M k, so every source gets exactly
// k targets and every target exactly t_t sources.
TEST(Methods, ExactTilingAtScaleThroughArcs) {
  const size_t M = 200000, E = 96;
  const uint32_t k = 5;
  std::vector<uint32_t> s(M, E), t(E);
  // Σt = M k spread unevenly: t_t alternates around the mean.
  uint64_t left = uint64_t{M} * k;
  for (size_t j = 0; j < E; ++j) {
    const uint64_t mean = left / (E - j);
    t[j] = static_cast<uint32_t>(j + 1 == E ? left : (j % 2 ? mean + 77 : mean - 77));
    left -= t[j];
  }
  Options o;
  o.k = k;
  o.seed = 42;
  o.method = Method::kArcs;
  Stats st;
  const Routes r = RouteDegrees(s, t, o, &st);
  EXPECT_EQ(st.method, "arcs");
  std::vector<uint32_t> load(E, 0);
  for (size_t i = 0; i < M; ++i) {
    for (int32_t id : r.row(i)) {
      ASSERT_GE(id, 0) << "row " << i << " not full";
      ++load[static_cast<size_t>(id)];
    }
  }
  EXPECT_EQ(load, t);
}

// ---------------------------------------------------------------- kernels

TEST(ArcKernels, BothWaysEqualTheScalarTwin) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t M = PickDim(&rng), E = PickDim(&rng);
    const std::vector<uint32_t> t = RandomDegrees(E, M, &rng);
    // A random lay-out order, tiled or not (kernels/target_layout.h).
    std::vector<uint32_t> order(E), length(E), psi(E), position(E), target_at(E);
    const uint64_t order_key = rng(), position_key = rng();
    for (size_t p = 0; p < E; ++p) order[p] = Fperm(order_key, E, static_cast<uint32_t>(p));
    std::vector<uint64_t> start(E + 1);
    const TargetLayout layout = LayTargetArcs(t.data(), order.data(), E, M, trial % 2 == 0,
                                              length.data(), psi.data(), start.data());
    const uint64_t sum = layout.total;
    for (size_t j = 0; j < E; ++j) position[j] = Fperm(position_key, E, static_cast<uint32_t>(j));
    for (size_t j = 0; j < E; ++j) target_at[position[j]] = static_cast<uint32_t>(j);
    TargetArcs arcs = TargetArcs::Of(M, E, length.data(), psi.data(), position.data(),
                                     target_at.data());
    arcs.start = start.data();
    arcs.order = order.data();
    const ArcIndexSizes z = ArcIndexSizes::For(E, sum);
    ASSERT_LE(z.buckets + 1, 2 * E + 2) << "the workspace counts 2E + 2";
    std::vector<uint32_t> first(z.buckets + 1);
    BuildArcIndex(z, first.data(), &arcs);
    std::vector<uint32_t> want(E), got(E);
    for (int source = 0; source < 20; ++source) {
      const uint32_t s = static_cast<uint32_t>(Uniform(&rng, 0, E));
      const uint32_t phi = static_cast<uint32_t>(Uniform(&rng, 0, E - 1));
      const uint32_t y = static_cast<uint32_t>(Uniform(&rng, 0, M - 1));
      SCOPED_TRACE(std::to_string(M) + "x" + std::to_string(E) + " s=" + std::to_string(s) +
                   " phi=" + std::to_string(phi) + " y=" + std::to_string(y));
      want.resize(scalar::Candidates(arcs, s, phi, y, want.data()));
      got.resize(E);
      got.resize(CandidatesByTargetArcs(arcs, s, phi, y, got.data()));
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, want) << "by target arcs";
      got.resize(E);
      got.resize(CandidatesBySourceArc(arcs, s, phi, y, got.data()));
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, want) << "by source arc";
      want.resize(E);
    }
  }
}

TEST(RotateKernels, FillArcColumnsAtAndRingWindowsEqualTheirTwins) {
  std::mt19937_64 rng(8);
  for (int trial = 0; trial < 100; ++trial) {
    const size_t arcs = PickDim(&rng), ring = PickDim(&rng);
    const std::vector<uint32_t> lengths = RandomDegrees(arcs, ring, &rng);
    std::vector<uint32_t> offsets(arcs);
    for (auto& x : offsets) x = static_cast<uint32_t>(Uniform(&rng, 0, ring - 1));
    std::vector<uint32_t> begin(ring + 1), ids(2 * arcs);
    BuildArcToggles(lengths.data(), offsets.data(), arcs, ring, begin.data(), ids.data());
    std::vector<uint32_t> row_of(ring, kNoRow);
    uint32_t rows = 0;
    for (auto& r : row_of) {
      if (Uniform(&rng, 0, 2) == 0) r = rows++;
    }
    const size_t words = WordsFor(arcs), stride = words + 1;
    std::vector<uint64_t> want(rows * stride, 0), got(rows * stride, 0), scratch(words);
    const size_t y0 = Uniform(&rng, 0, ring), y1 = Uniform(&rng, y0, ring);
    scalar::FillArcColumnsAt(lengths.data(), offsets.data(), arcs, ring, {begin.data(), ids.data()},
                             y0, y1, row_of.data(), nullptr, want.data(), stride);
    generic::FillArcColumnsAt(lengths.data(), offsets.data(), arcs, ring,
                              {begin.data(), ids.data()}, y0, y1, row_of.data(), scratch.data(),
                              got.data(), stride);
    EXPECT_EQ(got, want) << arcs << " arcs on " << ring << ", positions [" << y0 << ", " << y1
                         << ")";

    // A random packed row of `ring` bits, windows from every kind of start.
    const std::vector<uint8_t> bytes = phase_router_test::RandomMatrix(1, ring, &rng);
    const std::vector<uint64_t> row = phase_router_test::PackBits(bytes, 1, ring, WordsFor(ring));
    for (size_t start : {size_t{0}, ring - 1, ring / 2, static_cast<size_t>(Uniform(&rng, 0, ring - 1))}) {
      const size_t n = Uniform(&rng, 1, 9);
      std::vector<uint64_t> a(n), b(n), c(n);
      scalar::ExtractRingWindow(row.data(), ring, start, n, a.data());
      generic::ExtractRingWindow(row.data(), ring, start, n, b.data());
      ExtractRingWindowBytes(bytes.data(), ring, start, n, c.data());
      EXPECT_EQ(b, a) << "ring " << ring << " start " << start;
      EXPECT_EQ(c, a) << "bytes, ring " << ring << " start " << start;
    }
  }
}

// ---------------------------------------------------------------- plans

// Workspace scales with the range (bits) or stays O(M + E) (arcs), and what
// the router holds is what the plan counted (the memory ceiling's formula).
TEST(Plans, MemoryScalesWithTheRange) {
  const size_t M = 4096, E = 2048;
  const std::vector<uint32_t> s(M, E / 2), t(E, M / 2);
  Options o;
  o.k = 4;
  o.threads = 1;
  o.method = Method::kBits;
  Router whole, part, arcs;
  whole.RouteDegrees(s, t, o);
  EXPECT_EQ(whole.workspace_bytes(), Router::WorkspaceBytesFor(M, E, 1));
  o.row_begin = 1000;
  o.row_end = 1000 + M / 16;
  part.RouteDegrees(s, t, o);
  EXPECT_LT(part.workspace_bytes() * 8, whole.workspace_bytes())
      << "a sixteenth of the rows: " << part.workspace_bytes() << " vs "
      << whole.workspace_bytes();
  o.method = Method::kArcs;
  o.row_begin = o.row_end = 0;
  arcs.RouteDegrees(s, t, o);
  EXPECT_LT(arcs.workspace_bytes() * 15, whole.workspace_bytes());

  // The arc path fits where the bits would not: the auto method takes it
  // rather than refusing.
  o.method = Method::kAuto;
  o.memory_limit = whole.workspace_bytes() / 4;
  Stats st;
  EXPECT_NO_THROW(Router().RouteDegrees(s, t, o, &st));
  EXPECT_EQ(st.method, "arcs");
  o.method = Method::kBits;
  EXPECT_THROW(Router().RouteDegrees(s, t, o), Error);
}

// A 100-row range of a 10^7-source MoE routing: the plan takes arcs and its
// workspace is O(rows + E) (no buffer of M entries: SPEC.md v2's fperm
// gives each routed row its position directly, and degree vectors are read
// in place), and the rows equal SPEC.md's closed form evaluated here from
// kernels/random.h alone.
TEST(Plans, ShortRangeOfAHugeRingCostsTheRangeNotTheRing) {
  const size_t M = 10000000, E = 1024, rows = 100;
  const uint32_t k = 8;
  const std::vector<uint32_t> s(M, E);
  std::vector<uint32_t> t(E);
  const uint64_t total = uint64_t{M} * k * 5 / 4;
  for (size_t j = 0; j < E; ++j) t[j] = static_cast<uint32_t>(total / E + (j < total % E));
  Options o;
  o.k = k;
  o.seed = 77;
  o.row_begin = 4321987;
  o.row_end = o.row_begin + rows;
  Router router;
  Stats st;
  const Routes got = router.RouteDegrees(s, t, o, &st);
  EXPECT_EQ(st.method, "arcs");
  EXPECT_TRUE(st.tiled);
  EXPECT_EQ(st.laps, 10u);
  EXPECT_LT(router.workspace_bytes(), size_t{1} << 20)
      << "an O(M) buffer would be " << M * 4 << " bytes";

  // The closed form: with every s_i = E the source arcs cover Z_E, so t is a
  // candidate of i iff (y_i - psi_t) mod M < t'_t, y_i = pT[i] (no row
  // permutation). The layout from its definition (SPEC.md step 2).
  const uint64_t layout_key = DomainKey(o.seed, Domain::kLayout);
  std::vector<uint32_t> sigma(E);
  for (uint32_t j = 0; j < E; ++j) sigma[j] = Fperm(layout_key, E, j);
  std::vector<uint32_t> order(E);
  for (uint32_t j = 0; j < E; ++j) order[sigma[j]] = j;
  const uint64_t q = total / M;
  std::vector<uint64_t> a(E), b(E);
  uint64_t A = 0;
  for (size_t place = 0; place < E; ++place) {
    const uint32_t j = order[place];
    a[j] = static_cast<uint64_t>((unsigned __int128){A} * q * M / total);
    A += t[j];
    b[j] = static_cast<uint64_t>((unsigned __int128){A} * q * M / total);
  }
  const uint64_t column_key = DomainKey(o.seed, Domain::kTargetColumns);
  for (size_t r = 0; r < rows; ++r) {
    const size_t i = o.row_begin + r;
    const uint32_t y = Fperm(column_key, M, static_cast<uint32_t>(i));
    std::vector<std::pair<uint32_t, int32_t>> keyed;
    for (uint32_t j = 0; j < E; ++j) {
      const uint64_t from_start = (y + M - a[j] % M) % M;
      if (from_start < b[j] - a[j]) {
        keyed.emplace_back(SelectionKey(SelectionRowConstant(o.seed, i), j),
                           static_cast<int32_t>(j));
      }
    }
    ASSERT_EQ(keyed.size(), q) << "row " << i << ": exactly q candidates when tiled";
    std::sort(keyed.begin(), keyed.end());
    std::vector<int32_t> want;
    for (size_t n = 0; n < k; ++n) want.push_back(keyed[n].second);
    std::sort(want.begin(), want.end());
    const std::vector<int32_t> row(got.row(r).begin(), got.row(r).end());
    ASSERT_EQ(row, want) << "row " << i;
  }
}

TEST(Plans, BadMethodsAndRangesAreRefused) {
  const std::vector<uint8_t> S(6 * 5, 1), T(5 * 6, 1);
  const std::vector<uint32_t> s(6, 5), t(5, 6);
  Options o;
  o.k = 2;
  o.align = false;
  o.method = Method::kArcs;
  try {
    Route(ByteMatrixView{S.data(), 6, 5, 0}, ByteMatrixView{T.data(), 5, 6, 0}, o);
    FAIL() << "arcs without alignment must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadOption);
    EXPECT_NE(std::string(e.what()).find("align"), std::string::npos) << e.what();
  }
  o.align = true;
  for (auto [a, b] : {std::pair<size_t, size_t>{3, 3}, {4, 2}, {0, 7}, {6, 0}, {9, 12}}) {
    o.row_begin = a;
    o.row_end = b;
    try {
      RouteDegrees(s, t, o);
      FAIL() << "range [" << a << ", " << b << ") must be refused";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadOption);
      EXPECT_NE(std::string(e.what()).find("row range"), std::string::npos) << e.what();
    }
  }
  // The whole-routing functions refuse a range instead of ignoring it.
  o.row_begin = 1;
  o.row_end = 3;
  const uint64_t seeds[] = {1, 2};
  for (auto call : std::initializer_list<std::function<void()>>{
           [&] { HashRoute(6, 5, o); },
           [&] { ChungLuRoute(s, t, o); },
           [&] { AverageOverSeeds(RoutingInput::Degrees(s, t), o, seeds); }}) {
    try {
      call();
      FAIL() << "a row range must be refused";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadOption);
      EXPECT_NE(std::string(e.what()).find("row_begin = 1"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(ParseMethod("fastest"), Error);
  EXPECT_EQ(ParseMethod("arcs"), Method::kArcs);
  EXPECT_STREQ(MethodName(Method::kBits), "bits");
}

}  // namespace
}  // namespace phase_router
