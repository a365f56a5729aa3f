// kernels/random.h (and the reference's own copy of the spec's functions)
// against every line of golden/rng.txt.
#include <cstdint>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/random.h"
#include "tests/reference.h"
#include "tests/test_util.h"

namespace phase_router {
namespace {

using phase_router_ref::RefBounded;
using phase_router_ref::RefDomainKey;
using phase_router_ref::RefDraw;
using phase_router_ref::RefMix;
using phase_router_ref::RefPerm;

uint64_t Num(const std::string& s) { return std::stoull(s, nullptr, 0); }

std::vector<uint32_t> LibPerm(uint64_t key, size_t length) {
  std::vector<uint32_t> p(length + 1, 0xDEADBEEF);  // one guard entry
  Perm(key, length, p.data());
  EXPECT_EQ(p[length], 0xDEADBEEFu) << "Perm wrote past its length";
  p.pop_back();
  return p;
}

// Parses rng.txt; the draw and perm lines take their key from the comment
// line above them, e.g. "# perm(domain_key(2), 10) for seed 0".
TEST(RngGolden, EveryLineOfRngTxt) {
  const std::string path = phase_router_test::GoldenDir() + "/rng.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot open " << path;
  const std::regex draw_comment(
      R"(#\s*draw\(K, n\) with K = domain_key\((\d+)\) of seed (\d+))");
  const std::regex perm_comment(
      R"(#\s*perm\(domain_key\((\d+)\), (\d+)\) for seed (\d+))");
  uint64_t draw_key = 0;
  bool have_draw_key = false;
  uint64_t perm_key = 0;
  size_t perm_length = 0;
  bool have_perm_key = false;
  std::map<std::string, int> checked;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    SCOPED_TRACE("rng.txt:" + std::to_string(line_no) + ": " + line);
    if (line.empty()) continue;
    std::smatch m;
    if (line[0] == '#') {
      if (std::regex_search(line, m, draw_comment)) {
        draw_key = DomainKey(Num(m[2]), static_cast<Domain>(Num(m[1])));
        have_draw_key = true;
      } else if (std::regex_search(line, m, perm_comment)) {
        perm_key = DomainKey(Num(m[3]), static_cast<Domain>(Num(m[1])));
        perm_length = Num(m[2]);
        have_perm_key = true;
      }
      continue;
    }
    std::istringstream f(line);
    std::string kind;
    f >> kind;
    std::vector<std::string> w;
    for (std::string s; f >> s;) w.push_back(s);
    if (kind == "mix") {
      ASSERT_EQ(w.size(), 2u);
      EXPECT_EQ(Mix(Num(w[0])), Num(w[1]));
      EXPECT_EQ(RefMix(Num(w[0])), Num(w[1]));
    } else if (kind == "domain_key") {
      ASSERT_EQ(w.size(), 5u);
      ASSERT_EQ(w[0], "seed");
      ASSERT_EQ(w[2], "d");
      const uint64_t seed = Num(w[1]), d = Num(w[3]);
      EXPECT_EQ(DomainKey(seed, static_cast<Domain>(d)), Num(w[4]));
      EXPECT_EQ(RefDomainKey(seed, d), Num(w[4]));
    } else if (kind == "draw") {
      ASSERT_TRUE(have_draw_key) << "draw line without a key comment";
      ASSERT_EQ(w.size(), 3u);
      ASSERT_EQ(w[0], "n");
      EXPECT_EQ(Draw(draw_key, Num(w[1])), Num(w[2]));
      EXPECT_EQ(RefDraw(draw_key, Num(w[1])), Num(w[2]));
    } else if (kind == "bounded") {
      ASSERT_EQ(w.size(), 3u);
      EXPECT_EQ(Bounded(Num(w[0]), Num(w[1])), Num(w[2]));
      EXPECT_EQ(RefBounded(Num(w[0]), Num(w[1])), Num(w[2]));
    } else if (kind == "perm") {
      ASSERT_TRUE(have_perm_key) << "perm line without a key comment";
      std::vector<uint32_t> want;
      for (const auto& s : w) want.push_back(static_cast<uint32_t>(Num(s)));
      ASSERT_EQ(want.size(), perm_length);
      EXPECT_EQ(LibPerm(perm_key, perm_length), want);
      EXPECT_EQ(RefPerm(perm_key, perm_length), want);
      have_perm_key = false;  // each perm line has its own comment
    } else {
      ADD_FAILURE() << "unknown line kind '" << kind << "'";
    }
    ++checked[kind];
  }
  // The file must have exercised every function.
  for (const char* kind : {"mix", "domain_key", "draw", "bounded", "perm"}) {
    EXPECT_GE(checked[kind], 1) << "no '" << kind << "' line in rng.txt";
  }
  EXPECT_GE(checked["perm"], 2);
}

// The library's functions and the reference's independent copy agree far
// beyond the handful of golden values.
TEST(Rng, LibraryMatchesReferenceOnManyInputs) {
  uint64_t x = 0x0123456789ABCDEFull;
  for (int n = 0; n < 20000; ++n) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;  // an LCG
    const uint64_t y = x ^ (x << 17) ^ (static_cast<uint64_t>(n) << 40);
    ASSERT_EQ(Mix(x), RefMix(x));
    ASSERT_EQ(Draw(x, n), RefDraw(x, n));
    ASSERT_EQ(DomainKey(x, static_cast<Domain>(1 + n % 5)),
              RefDomainKey(x, 1 + n % 5));
    ASSERT_EQ(Bounded(x, y), RefBounded(x, y));
    ASSERT_EQ(Bounded(x, n + 1), RefBounded(x, n + 1));
  }
  for (size_t length : {0, 1, 2, 3, 63, 64, 65, 200, 1000}) {
    for (uint64_t seed : {0ull, 1ull, ~0ull}) {
      const uint64_t key = DomainKey(seed, Domain::kTargetRows);
      EXPECT_EQ(LibPerm(key, length), RefPerm(key, length))
          << "length " << length << " seed " << seed;
    }
  }
}

TEST(Rng, BoundedEdges) {
  EXPECT_EQ(Bounded(0, 12345), 0u);
  EXPECT_EQ(Bounded(~0ull, 1), 0u);
  EXPECT_EQ(Bounded(~0ull, ~0ull), ~0ull - 1);
  EXPECT_EQ(Bounded(1ull << 63, 2), 1u);
  EXPECT_EQ(RefBounded(~0ull, ~0ull), ~0ull - 1);
  EXPECT_EQ(RefBounded(0xFFFFFFFFull, 0xFFFFFFFFull << 32), 0xFFFFFFFEull);
}

TEST(Rng, PermIsAPermutation) {
  for (size_t length : {1, 5, 64, 129, 777}) {
    std::vector<uint32_t> p =
        LibPerm(DomainKey(9, Domain::kSourceColumns), length);
    std::vector<bool> seen(length, false);
    for (uint32_t v : p) {
      ASSERT_LT(v, length);
      ASSERT_FALSE(seen[v]) << "duplicate " << v;
      seen[v] = true;
    }
  }
}

TEST(Rng, SelectionRowKeyIsDrawOfDomainFive) {
  for (uint64_t seed : {0ull, 42ull, ~0ull}) {
    for (uint64_t i : {0ull, 1ull, 1000ull}) {
      EXPECT_EQ(SelectionRowKey(seed, i), RefDraw(RefDomainKey(seed, 5), i));
    }
  }
}

TEST(Rng, ConstantsAreTheSpecs) {
  EXPECT_EQ(kGamma, 0x9E3779B97F4A7C15ull);
  EXPECT_EQ(kDomainMul, 0xD1B54A32D192ED03ull);
  static_assert(Mix(0) == 0, "mix(0) is 0");
  static_assert(Mix(1) == 0x5692161d100b05e5ull, "constexpr Mix");
}

}  // namespace
}  // namespace phase_router
