// The oracle checks itself: the closed form and the literal stage-by-stage
// pipeline must agree on the candidate matrix and the routes.
#include "tests/reference.h"

#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace phase_router_ref {
namespace {

TEST(Reference, ClosedFormEqualsStages) {
  std::mt19937_64 rng(20240601);
  const size_t dims[] = {1, 2, 3, 5, 63, 64, 65, 100, 127, 129, 200};
  int cases = 0;
  for (int n = 0; n < 240; ++n) {
    Problem p;
    p.M = dims[phase_router_test::Uniform(&rng, 0, std::size(dims) - 1)];
    p.E = n % 3 == 0
              ? p.M
              : dims[phase_router_test::Uniform(&rng, 0, std::size(dims) - 1)];
    p.S = phase_router_test::RandomMatrix(p.M, p.E, &rng);
    p.T = phase_router_test::RandomMatrix(p.E, p.M, &rng);
    p.k = static_cast<uint32_t>(phase_router_test::Uniform(&rng, 1, p.E + 2));
    p.seed = rng();
    p.align = n & 1;
    p.row_perm = n & 2;
    p.select_lowest = n & 4;
    SCOPED_TRACE(phase_router_test::Describe(p));
    const Result a = EvaluateClosedForm(p);
    const Result b = EvaluateStages(p);
    ASSERT_EQ(a.candidate, b.candidate);
    ASSERT_EQ(a.candidates, b.candidates);
    ASSERT_EQ(a.routes, b.routes);
    ++cases;
  }
  EXPECT_EQ(cases, 240);
}

// A case small enough to check by hand. M = E = 2, align on, no row perm,
// S = [11; 10] (s = 2, 1), T = [10; 11] (t = 1, 2): phi = (0, 0),
// psi = (0, 1 mod 2 = 1). Ta[0] = [1 0] rotated by 0 = [1 0];
// Ta[1] = [1 1]. Source 0 (full row) is a candidate of target t iff
// Ta[t][(pT[0] - psi_t) mod 2] = 1; source 1 also needs
// Sa[1][(pS[t]) mod 2] = Sa[1][pS[t]] = [pS[t] == 0].
TEST(Reference, HandCheckedTinyCase) {
  Problem p;
  p.M = p.E = 2;
  p.S = {1, 1, 1, 0};
  p.T = {1, 0, 1, 1};
  p.k = 2;
  p.seed = 42;
  const std::vector<uint32_t> pS = RefPerm(RefDomainKey(42, 1), 2);
  const std::vector<uint32_t> pT = RefPerm(RefDomainKey(42, 2), 2);
  const Result r = EvaluateClosedForm(p);
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
  const Problem p = FromDegrees({3, 0, 5}, {1, 2, 3, 0, 3}, 2, 7, true, true);
  ASSERT_EQ(p.M, 3u);
  ASSERT_EQ(p.E, 5u);
  EXPECT_EQ(RowDegrees(p.S, 3, 5), (std::vector<uint32_t>{3, 0, 5}));
  EXPECT_EQ(RowDegrees(p.T, 5, 3), (std::vector<uint32_t>{1, 2, 3, 0, 3}));
  EXPECT_EQ(p.S[0 * 5 + 2], 1);
  EXPECT_EQ(p.S[0 * 5 + 3], 0);
  EXPECT_TRUE(p.align);
  EXPECT_TRUE(p.row_perm);
  EXPECT_TRUE(p.select_lowest);
}

// align on: only the degrees matter, whatever the bit pattern.
TEST(Reference, AlignIgnoresThePattern) {
  std::mt19937_64 rng(77);
  for (int n = 0; n < 20; ++n) {
    Problem p;
    p.M = 1 + phase_router_test::Uniform(&rng, 0, 90);
    p.E = 1 + phase_router_test::Uniform(&rng, 0, 90);
    p.S = phase_router_test::RandomMatrix(p.M, p.E, &rng);
    p.T = phase_router_test::RandomMatrix(p.E, p.M, &rng);
    p.k = 3;
    p.seed = n;
    p.row_perm = n & 1;
    const Problem q =
        FromDegrees(RowDegrees(p.S, p.M, p.E), RowDegrees(p.T, p.E, p.M), p.k,
                    p.seed, p.row_perm, false);
    EXPECT_EQ(EvaluateClosedForm(p).routes, EvaluateClosedForm(q).routes);
  }
}

}  // namespace
}  // namespace phase_router_ref
