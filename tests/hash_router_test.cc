// The hash-router baseline: k distinct targets per source, ascending, -1
// padded, deterministic for any thread count, and uniform enough to be a fair
// yardstick.
#include <gtest/gtest.h>

#include <vector>

#include "phase_router/phase_router.h"

namespace {

using phase_router::HashRoute;
using phase_router::Options;

Options WithK(uint32_t k, uint64_t seed, int threads = 0) {
  Options o;
  o.k = k;
  o.seed = seed;
  o.threads = threads;
  return o;
}

TEST(HashRouter, RowsHoldMinKEDistinctAscendingTargets) {
  for (size_t E : {1, 5, 63, 64, 65, 300}) {
    for (uint32_t k : {1u, 2u, 7u, 64u, 299u, 301u}) {
      const size_t M = 37;
      const phase_router::Routes r = HashRoute(M, E, WithK(k, 9));
      const size_t want = std::min<size_t>(k, E);
      for (size_t i = 0; i < M; ++i) {
        const auto row = r.row(i);
        for (size_t j = 0; j < k; ++j) {
          if (j < want) {
            ASSERT_GE(row[j], 0) << "E " << E << " k " << k;
            ASSERT_LT(row[j], static_cast<int32_t>(E));
            if (j > 0) {
              ASSERT_LT(row[j - 1], row[j]) << "not ascending or repeated";
            }
          } else {
            ASSERT_EQ(row[j], -1);
          }
        }
      }
    }
  }
}

TEST(HashRouter, SameForAnyThreadCountDifferentForAnotherSeed) {
  const auto one = HashRoute(5000, 1000, WithK(16, 3, 1));
  EXPECT_EQ(one.ids, HashRoute(5000, 1000, WithK(16, 3, 2)).ids);
  EXPECT_EQ(one.ids, HashRoute(5000, 1000, WithK(16, 3, 3)).ids);
  EXPECT_NE(one.ids, HashRoute(5000, 1000, WithK(16, 4, 2)).ids);
}

TEST(HashRouter, LoadsAreNearUniform) {
  const size_t M = 20000, E = 100;
  const auto r = HashRoute(M, E, WithK(5, 11));
  std::vector<int> load(E, 0);
  for (int32_t t : r.ids) ++load[static_cast<size_t>(t)];
  // Each load is Binomial-like with mean 1000 and sd about 31: 6 sd bounds.
  for (size_t t = 0; t < E; ++t) {
    EXPECT_GT(load[t], 1000 - 190) << "target " << t;
    EXPECT_LT(load[t], 1000 + 190) << "target " << t;
  }
}

TEST(HashRouter, RejectsBadRequests) {
  EXPECT_THROW(HashRoute(0, 5, WithK(1, 0)), phase_router::Error);
  EXPECT_THROW(HashRoute(5, 0, WithK(1, 0)), phase_router::Error);
  EXPECT_THROW(HashRoute(5, 5, WithK(0, 0)), phase_router::Error);
}

}  // namespace
