// Every golden/*.case through every input path that applies (byte matrices,
// packed bit matrices with wide strides, degree vectors when aligned), thread
// counts 1, 2 and 3, owned-result and caller-buffer APIs; plus one Router
// reused across all cases, and the reference evaluator on every case.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/bit_matrix.h"
#include "phase_router/phase_router.h"
#include "tests/reference.h"
#include "tests/test_util.h"

namespace phase_router {
namespace {

using phase_router_test::GoldenCase;

constexpr int32_t kGarbage = 0x5A5A5A5A;
constexpr size_t kGuard = 16;

// "" when equal, else the first differing row of both.
std::string Diff(const std::vector<int32_t>& want,
                 const std::vector<int32_t>& got, size_t M, size_t k) {
  if (got.size() != want.size()) {
    return "size " + std::to_string(got.size()) +
           " != " + std::to_string(want.size());
  }
  for (size_t i = 0; i < M; ++i) {
    for (size_t n = 0; n < k; ++n) {
      if (want[i * k + n] == got[i * k + n]) continue;
      std::ostringstream s;
      s << "row " << i << " differs:\n  want";
      for (size_t m = 0; m < k; ++m) s << ' ' << want[i * k + m];
      s << "\n  got ";
      for (size_t m = 0; m < k; ++m) s << ' ' << got[i * k + m];
      return s.str();
    }
  }
  return "";
}

// A caller buffer prefilled with garbage and followed by guard entries.
struct CallerBuffer {
  explicit CallerBuffer(size_t n) : size(n), data(n + kGuard, kGarbage) {}
  int32_t* out() { return data.data(); }
  std::vector<int32_t> routes() const {
    return {data.begin(), data.begin() + static_cast<ptrdiff_t>(size)};
  }
  bool guard_intact() const {
    return std::all_of(data.begin() + static_cast<ptrdiff_t>(size), data.end(),
                       [](int32_t v) { return v == kGarbage; });
  }
  size_t size;
  std::vector<int32_t> data;
};

// The inputs of one case in every representation.
struct Inputs {
  explicit Inputs(const GoldenCase& c) : rng(c.seed ^ 0xC0FFEE) {
    s_bytes_stride = c.E + 5;
    t_bytes_stride = c.M + 3;
    s_bytes =
        phase_router_test::NoisyBytes(c.S, c.M, c.E, s_bytes_stride, &rng);
    t_bytes =
        phase_router_test::NoisyBytes(c.T, c.E, c.M, t_bytes_stride, &rng);
    s_words_tight = phase_router_test::PackBits(c.S, c.M, c.E, WordsFor(c.E));
    t_words_tight = phase_router_test::PackBits(c.T, c.E, c.M, WordsFor(c.M));
    s_words_stride = WordsFor(c.E) + 3;
    t_words_stride = WordsFor(c.M) + 3;
    s_words = phase_router_test::PackBits(c.S, c.M, c.E, s_words_stride);
    t_words = phase_router_test::PackBits(c.T, c.E, c.M, t_words_stride);
    s_deg = phase_router_ref::RowDegrees(c.S, c.M, c.E);
    t_deg = phase_router_ref::RowDegrees(c.T, c.E, c.M);
  }
  ByteMatrixView STight(const GoldenCase& c) const {
    return {c.S.data(), c.M, c.E, 0};
  }
  ByteMatrixView TTight(const GoldenCase& c) const {
    return {c.T.data(), c.E, c.M, 0};
  }
  ByteMatrixView SNoisy(const GoldenCase& c) const {
    return {s_bytes.data(), c.M, c.E, s_bytes_stride};
  }
  ByteMatrixView TNoisy(const GoldenCase& c) const {
    return {t_bytes.data(), c.E, c.M, t_bytes_stride};
  }
  BitMatrixView SBitsTight(const GoldenCase& c) const {
    return {s_words_tight.data(), c.M, c.E, 0};
  }
  BitMatrixView TBitsTight(const GoldenCase& c) const {
    return {t_words_tight.data(), c.E, c.M, 0};
  }
  BitMatrixView SBits(const GoldenCase& c) const {
    return {s_words.data(), c.M, c.E, s_words_stride};
  }
  BitMatrixView TBits(const GoldenCase& c) const {
    return {t_words.data(), c.E, c.M, t_words_stride};
  }

  std::mt19937_64 rng;
  size_t s_bytes_stride, t_bytes_stride, s_words_stride, t_words_stride;
  std::vector<uint8_t> s_bytes, t_bytes;
  std::vector<uint64_t> s_words_tight, t_words_tight, s_words, t_words;
  std::vector<uint32_t> s_deg, t_deg;
};

// Runs the case through every path on `router`; returns the number of paths.
int RunAllPaths(Router& router, const GoldenCase& c, int threads) {
  const Options o = phase_router_test::OptionsOf(c, threads);
  const Inputs in(c);
  const size_t n = c.M * c.k;
  int paths = 0;
  auto check_owned = [&](const Routes& r, const char* path) {
    SCOPED_TRACE(path);
    EXPECT_EQ(r.M, c.M);
    EXPECT_EQ(r.k, c.k);
    EXPECT_EQ(Diff(c.routes, r.ids, c.M, c.k), "");
    ++paths;
  };
  auto check_buffer = [&](const CallerBuffer& b, const char* path) {
    SCOPED_TRACE(path);
    EXPECT_EQ(Diff(c.routes, b.routes(), c.M, c.k), "");
    EXPECT_TRUE(b.guard_intact()) << "wrote past M * k entries";
    ++paths;
  };

  check_owned(router.Route(in.STight(c), in.TTight(c), o), "bytes, owned");
  {
    CallerBuffer b(n);
    router.Route(in.SNoisy(c), in.TNoisy(c), o, b.out());
    check_buffer(b, "noisy strided bytes, caller buffer");
  }
  check_owned(router.Route(in.SNoisy(c), in.TNoisy(c), o),
              "noisy strided bytes, owned");
  check_owned(router.Route(in.SBitsTight(c), in.TBitsTight(c), o),
              "bits stride 0, owned");
  {
    CallerBuffer b(n);
    router.Route(in.SBits(c), in.TBits(c), o, b.out());
    check_buffer(b, "bits stride +3, caller buffer");
  }
  check_owned(router.Route(in.SBits(c), in.TBits(c), o),
              "bits stride +3, owned");
  if (c.align) {
    check_owned(router.RouteDegrees(in.s_deg, in.t_deg, o), "degrees, owned");
    CallerBuffer b(n);
    router.RouteDegrees(in.s_deg, in.t_deg, o, b.out());
    check_buffer(b, "degrees, caller buffer");
    // align ignores the bit pattern: the same degrees laid out differently.
    phase_router_ref::Problem shuffled = phase_router_ref::FromDegrees(
        in.s_deg, in.t_deg, c.k, c.seed, false, false);
    check_owned(router.Route(ByteMatrixView{shuffled.S.data(), c.M, c.E, 0},
                             ByteMatrixView{shuffled.T.data(), c.E, c.M, 0}, o),
                "aligned rows instead of the case's rows, owned");
  }
  return paths;
}

class GoldenCaseTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(phase_router_test::ParseGoldenCase(
        phase_router_test::GoldenDir() + "/" + GetParam(), &c_));
  }
  GoldenCase c_;
};

TEST_P(GoldenCaseTest, ReferenceReproducesTheCase) {
  const phase_router_ref::Problem p = phase_router_test::ProblemOf(c_);
  EXPECT_EQ(Diff(c_.routes, phase_router_ref::EvaluateClosedForm(p).routes,
                 c_.M, c_.k),
            "")
      << "closed form";
  EXPECT_EQ(
      Diff(c_.routes, phase_router_ref::EvaluateStages(p).routes, c_.M, c_.k),
      "")
      << "stages";
}

// The default target (no forcing), one-shot conveniences.
TEST_P(GoldenCaseTest, OneShotFunctions) {
  const Options o = phase_router_test::OptionsOf(c_, 0);
  const Inputs in(c_);
  EXPECT_EQ(
      Diff(c_.routes, Route(in.SNoisy(c_), in.TNoisy(c_), o).ids, c_.M, c_.k),
      "");
  EXPECT_EQ(
      Diff(c_.routes, Route(in.SBits(c_), in.TBits(c_), o).ids, c_.M, c_.k),
      "");
  if (c_.align) {
    EXPECT_EQ(
        Diff(c_.routes, RouteDegrees(in.s_deg, in.t_deg, o).ids, c_.M, c_.k),
        "");
  }
}

std::string Sanitize(std::string name) {
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

std::string CaseName(const std::string& file) {
  return Sanitize(file.substr(0, file.rfind('.')));
}

INSTANTIATE_TEST_SUITE_P(
    Golden, GoldenCaseTest,
    ::testing::ValuesIn(phase_router_test::GoldenCaseNames()),
    [](const ::testing::TestParamInfo<std::string>& info) {
      return CaseName(info.param);
    });

// Every case on every kernel target this CPU runs.
class GoldenTargetTest
    : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(phase_router_test::ParseGoldenCase(
        phase_router_test::GoldenDir() + "/" + std::get<0>(GetParam()), &c_));
  }
  GoldenCase c_;
};

TEST_P(GoldenTargetTest, EveryPathEveryThreadCount) {
  const std::string& target = std::get<1>(GetParam());
  phase_router_test::ScopedTarget forced(target);
  ASSERT_EQ(ActiveTarget(), target);
  Router router;
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    const int paths = RunAllPaths(router, c_, threads);
    EXPECT_EQ(paths, c_.align ? 9 : 6);
  }
  const Inputs in(c_);
  Stats st;
  router.Route(in.SBits(c_), in.TBits(c_), phase_router_test::OptionsOf(c_, 2),
               &st);
  EXPECT_EQ(st.backend, target) << "Stats::backend names the target that ran";
}

INSTANTIATE_TEST_SUITE_P(
    Golden, GoldenTargetTest,
    ::testing::Combine(
        ::testing::ValuesIn(phase_router_test::GoldenCaseNames()),
        ::testing::ValuesIn(phase_router_test::TargetsToTest())),
    [](const ::testing::TestParamInfo<std::tuple<std::string, std::string>>&
           info) {
      return CaseName(std::get<0>(info.param)) + "_" +
             Sanitize(std::get<1>(info.param));
    });

// The golden set must be there and not be trimmed by accident.
TEST(Golden, CasesArePresent) {
  const std::vector<std::string> names = phase_router_test::GoldenCaseNames();
  EXPECT_GE(names.size(), 23u)
      << "golden dir " << phase_router_test::GoldenDir();
}

// The reader passes every header option on to Options, tiling included.
TEST(Golden, OptionsCarryTheHeader) {
  int tiling_seen[3] = {0, 0, 0};
  for (const std::string& name : phase_router_test::GoldenCaseNames()) {
    SCOPED_TRACE(name);
    GoldenCase c;
    ASSERT_TRUE(phase_router_test::ParseGoldenCase(
        phase_router_test::GoldenDir() + "/" + name, &c));
    const Options o = phase_router_test::OptionsOf(c, 2);
    EXPECT_EQ(o.k, c.k);
    EXPECT_EQ(o.seed, c.seed);
    EXPECT_EQ(o.align, c.align);
    EXPECT_EQ(o.row_perm, c.row_perm);
    EXPECT_STREQ(TilingName(o.tiling), c.tiling.c_str());
    EXPECT_EQ(o.threads, 2);
    ++tiling_seen[static_cast<int>(o.tiling)];
  }
  for (int seen : tiling_seen) EXPECT_GE(seen, 1) << "a tiling mode unused";
}

// One Router across all cases, shapes growing and shrinking (workspace reuse
// across shapes), alternating thread counts.
TEST(Golden, OneRouterAcrossAllCases) {
  std::vector<GoldenCase> cases;
  for (const std::string& name : phase_router_test::GoldenCaseNames()) {
    GoldenCase c;
    ASSERT_TRUE(phase_router_test::ParseGoldenCase(
        phase_router_test::GoldenDir() + "/" + name, &c));
    cases.push_back(std::move(c));
  }
  ASSERT_FALSE(cases.empty());
  std::vector<size_t> order;
  for (size_t n = 0; n < cases.size(); ++n) order.push_back(n);
  for (size_t n = cases.size(); n-- > 0;) order.push_back(n);
  // Largest then smallest then largest again.
  std::vector<size_t> by_size = order;
  std::sort(by_size.begin(), by_size.begin() + cases.size(),
            [&](size_t a, size_t b) {
              return cases[a].M * cases[a].E > cases[b].M * cases[b].E;
            });
  order.insert(order.end(), by_size.begin(), by_size.begin() + cases.size());
  const std::vector<std::string> targets = phase_router_test::TargetsToTest();
  Router router;
  int step = 0;
  for (size_t n : order) {
    // Targets change between calls too: the workspace must not care.
    const std::string& target = targets[step % targets.size()];
    phase_router_test::ScopedTarget forced(target);
    SCOPED_TRACE(cases[n].name + " step " + std::to_string(step) + " target " +
                 target);
    RunAllPaths(router, cases[n], 1 + step % 3);
    ++step;
  }
  // A moved-to Router keeps working.
  Router moved = std::move(router);
  RunAllPaths(moved, cases[0], 2);
}

}  // namespace
}  // namespace phase_router
