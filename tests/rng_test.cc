// SPEC.md's random functions twice over: the library's (kernels/random.h)
// and the reference's independent copy (tests/reference.h), each against
// every line of golden/rng.txt, against each other on many inputs, and
// fperm as a bijection with fperm_inverse its inverse.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/random.h"
#include "tests/reference.h"
#include "tests/test_data.h"

namespace phase_router {
namespace {

using phase_router_ref::RefDomainKey;
using phase_router_ref::RefDraw;
using phase_router_ref::RefFmix32;
using phase_router_ref::RefFperm;
using phase_router_ref::RefFpermInverse;
using phase_router_ref::RefFpermVector;
using phase_router_ref::RefMix;
using phase_router_ref::RefSelectionKey;
using phase_router_ref::RefSelectionRowKey;

uint64_t Num(const std::string& s) { return std::stoull(s, nullptr, 0); }

uint64_t LibDomainKey(uint64_t seed, uint64_t d) {
  return DomainKey(seed, static_cast<Domain>(d));
}

// The library's whole permutation, element by element.
std::vector<uint32_t> LibFpermVector(uint64_t key, uint64_t length) {
  std::vector<uint32_t> p(length);
  for (uint64_t x = 0; x < length; ++x) {
    p[x] = Fperm(key, length, static_cast<uint32_t>(x));
  }
  return p;
}

// ---- golden/rng.txt ---------------------------------------------------------

// One line's words, with the ':' that ends a label ("L 16:", "t':") dropped.
std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) {
    if (s.size() > 1 && s.back() == ':') s.pop_back();
    w.push_back(s);
  }
  return w;
}

std::vector<uint32_t> Numbers(const std::vector<std::string>& w, size_t from) {
  std::vector<uint32_t> v;
  for (size_t n = from; n < w.size(); ++n) {
    v.push_back(static_cast<uint32_t>(Num(w[n])));
  }
  return v;
}

// The lay-out example: its problem from the comment, its values from the
// "layout ..." lines.
struct LayoutExample {
  bool have_problem = false;
  size_t M = 0;
  uint32_t source_degree = 0;
  size_t E = 0;
  uint32_t k = 0;
  uint64_t seed = 0;
  phase_router_ref::RefTiling tiling = phase_router_ref::RefTiling::kAuto;
  std::map<std::string, std::vector<uint32_t>> lists;  // t, sigma, t', psi
  std::optional<bool> tiled;
  std::optional<uint64_t> q;
};

// rng.txt, line by line. Some lines take part of their input from the
// comment above them (the draw key, the selection seed, the lay-out
// problem); CheckComment records it.
class RngTxtChecker {
 public:
  void CheckComment(const std::string& line) {
    static const std::regex draw_comment(
        R"(#\s*draw\(K, n\) with K = domain_key\((\d+)\) of seed (\d+))");
    static const std::regex select_comment(
        R"(#\s*selection keys: key\(i, t\) for seed (\d+), i = (\d+))");
    static const std::regex layout_comment(
        R"(#\s*layout: M = (\d+) sources of degree (\d+), E = (\d+) targets.*)"
        R"(k = (\d+), seed (\d+), tiling (\w+))");
    std::smatch m;
    if (std::regex_search(line, m, draw_comment)) {
      draw_key_ = RefDomainKey(Num(m[2]), Num(m[1]));
    } else if (std::regex_search(line, m, select_comment)) {
      select_seed_ = Num(m[1]);
      select_source_ = Num(m[2]);
    } else if (std::regex_search(line, m, layout_comment)) {
      layout_.have_problem = true;
      layout_.M = Num(m[1]);
      layout_.source_degree = static_cast<uint32_t>(Num(m[2]));
      layout_.E = Num(m[3]);
      layout_.k = static_cast<uint32_t>(Num(m[4]));
      layout_.seed = Num(m[5]);
      ASSERT_TRUE(phase_router_ref::ParseRefTiling(m[6], &layout_.tiling));
    }
  }

  // Checks one data line; returns its kind ("" when malformed).
  std::string CheckLine(const std::vector<std::string>& w) {
    const std::string& kind = w[0];
    if (kind == "mix") return CheckMix(w) ? kind : "";
    if (kind == "domain_key") return CheckDomainKey(w) ? kind : "";
    if (kind == "draw") return CheckDraw(w) ? kind : "";
    if (kind == "fmix32") return CheckFmix32(w) ? kind : "";
    if (kind == "fperm") return CheckFpermList(w) ? kind : "";
    if (kind == "fperm_at") return CheckFpermAt(w) ? kind : "";
    if (kind == "select") return CheckRowKey(w) ? kind : "";
    if (kind == "select_key") return CheckSelectionKey(w) ? kind : "";
    if (kind == "layout") return RecordLayout(w) ? kind : "";
    ADD_FAILURE() << "unknown line kind '" << kind << "'";
    return "";
  }

  // The lay-out lines, once all of them are read.
  void CheckLayout() const;

 private:
  // "mix Z VALUE"
  static bool CheckMix(const std::vector<std::string>& w) {
    if (w.size() != 3) return false;
    EXPECT_EQ(Mix(Num(w[1])), Num(w[2]));
    EXPECT_EQ(RefMix(Num(w[1])), Num(w[2]));
    return true;
  }

  // "domain_key seed S d D VALUE"
  static bool CheckDomainKey(const std::vector<std::string>& w) {
    if (w.size() != 6 || w[1] != "seed" || w[3] != "d") return false;
    const uint64_t seed = Num(w[2]), d = Num(w[4]);
    EXPECT_EQ(LibDomainKey(seed, d), Num(w[5]));
    EXPECT_EQ(RefDomainKey(seed, d), Num(w[5]));
    return true;
  }

  // "draw n N VALUE", K from the comment.
  bool CheckDraw(const std::vector<std::string>& w) const {
    if (w.size() != 4 || w[1] != "n" || !draw_key_) return false;
    EXPECT_EQ(Draw(*draw_key_, Num(w[2])), Num(w[3]));
    EXPECT_EQ(RefDraw(*draw_key_, Num(w[2])), Num(w[3]));
    return true;
  }

  // "fmix32 H VALUE"
  static bool CheckFmix32(const std::vector<std::string>& w) {
    if (w.size() != 3) return false;
    const uint32_t h = static_cast<uint32_t>(Num(w[1]));
    EXPECT_EQ(Fmix32(h), Num(w[2]));
    EXPECT_EQ(RefFmix32(h), Num(w[2]));
    return true;
  }

  // "fperm seed S d D L n: p[0] ... p[n-1]"
  static bool CheckFpermList(const std::vector<std::string>& w) {
    if (w.size() < 8 || w[1] != "seed" || w[3] != "d" || w[5] != "L") {
      return false;
    }
    const uint64_t seed = Num(w[2]), d = Num(w[4]), length = Num(w[6]);
    const std::vector<uint32_t> want = Numbers(w, 7);
    if (want.size() != length) return false;
    EXPECT_EQ(LibFpermVector(LibDomainKey(seed, d), length), want);
    EXPECT_EQ(RefFpermVector(RefDomainKey(seed, d), length), want);
    for (uint64_t x = 0; x < length; ++x) {
      EXPECT_EQ(FpermInverse(LibDomainKey(seed, d), length, want[x]), x);
      EXPECT_EQ(RefFpermInverse(RefDomainKey(seed, d), length, want[x]), x);
    }
    return true;
  }

  // "fperm_at seed S d D L n x X -> Y"
  static bool CheckFpermAt(const std::vector<std::string>& w) {
    if (w.size() != 11 || w[1] != "seed" || w[3] != "d" || w[5] != "L" ||
        w[7] != "x" || w[9] != "->") {
      return false;
    }
    const uint64_t seed = Num(w[2]), d = Num(w[4]), length = Num(w[6]);
    const uint64_t x = Num(w[8]), y = Num(w[10]);
    const uint64_t key = RefDomainKey(seed, d);
    EXPECT_EQ(Fperm(key, length, static_cast<uint32_t>(x)), y);
    EXPECT_EQ(FpermInverse(key, length, static_cast<uint32_t>(y)), x);
    EXPECT_EQ(RefFperm(key, length, x), y);
    EXPECT_EQ(RefFpermInverse(key, length, y), x);
    return true;
  }

  // "select R_i VALUE", seed and i from the comment.
  bool CheckRowKey(const std::vector<std::string>& w) const {
    if (w.size() != 3 || w[1] != "R_i" || !select_seed_) return false;
    const uint64_t want = Num(w[2]);
    EXPECT_EQ(SelectionRowKey(*select_seed_, *select_source_), want);
    EXPECT_EQ(SelectionRowConstant(*select_seed_, *select_source_),
              static_cast<uint32_t>(want));
    EXPECT_EQ(RefSelectionRowKey(*select_seed_, *select_source_), want);
    return true;
  }

  // "select_key i I t T VALUE", the seed from the comment.
  bool CheckSelectionKey(const std::vector<std::string>& w) const {
    if (w.size() != 6 || w[1] != "i" || w[3] != "t" || !select_seed_) {
      return false;
    }
    const uint64_t i = Num(w[2]), t = Num(w[4]), want = Num(w[5]);
    EXPECT_EQ(SelectionKey(SelectionRowConstant(*select_seed_, i),
                           static_cast<uint32_t>(t)),
              want);
    EXPECT_EQ(RefSelectionKey(RefSelectionRowKey(*select_seed_, i), t), want);
    return true;
  }

  // "layout t: ...", "layout tiled B q Q", "layout sigma: ...", ...
  bool RecordLayout(const std::vector<std::string>& w) {
    if (w.size() < 2 || !layout_.have_problem) return false;
    if (w[1] == "tiled") {
      if (w.size() != 5 || w[3] != "q") return false;
      layout_.tiled = Num(w[2]) != 0;
      layout_.q = Num(w[4]);
      return true;
    }
    const std::vector<uint32_t> values = Numbers(w, 2);
    if (values.size() != layout_.E) return false;
    return layout_.lists.emplace(w[1], values).second;
  }

  std::optional<uint64_t> draw_key_;
  std::optional<uint64_t> select_seed_, select_source_;
  LayoutExample layout_;
};

void RngTxtChecker::CheckLayout() const {
  const LayoutExample& x = layout_;
  ASSERT_TRUE(x.have_problem) << "no '# layout:' comment";
  for (const char* list : {"t", "sigma", "t'", "psi"}) {
    ASSERT_EQ(x.lists.count(list), 1u) << "no 'layout " << list << ":' line";
  }
  ASSERT_TRUE(x.tiled.has_value()) << "no 'layout tiled' line";
  const std::vector<uint32_t> s(x.M, x.source_degree);
  const std::vector<uint32_t>& t = x.lists.at("t");
  // The lay-out alone, and as the routings of both evaluators report it.
  const phase_router_ref::Layout layout =
      phase_router_ref::RefLayout(s, t, x.k, x.seed, true, x.tiling);
  EXPECT_EQ(layout.sigma, x.lists.at("sigma"));
  EXPECT_EQ(layout.t_prime, x.lists.at("t'"));
  EXPECT_EQ(layout.psi, x.lists.at("psi"));
  EXPECT_EQ(layout.tiled, *x.tiled);
  EXPECT_EQ(layout.q, *x.q);
  const phase_router_ref::Problem p =
      phase_router_ref::FromDegrees(s, t, x.k, x.seed, false, false, x.tiling);
  for (const phase_router_ref::Result& r :
       {phase_router_ref::EvaluateClosedForm(p),
        phase_router_ref::EvaluateStages(p)}) {
    EXPECT_EQ(r.sigma, x.lists.at("sigma"));
    EXPECT_EQ(r.t_prime, x.lists.at("t'"));
    EXPECT_EQ(r.psi, x.lists.at("psi"));
    EXPECT_EQ(r.tiled, *x.tiled);
    EXPECT_EQ(r.q, *x.q);
  }
  // sigma is fperm(domain_key(6), E, t) in the library too.
  EXPECT_EQ(LibFpermVector(DomainKey(x.seed, Domain::kLayout), x.E),
            x.lists.at("sigma"));
}

TEST(RngGolden, EveryLineOfRngTxt) {
  const std::string path = phase_router_test::GoldenDir() + "/rng.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot open " << path;
  RngTxtChecker checker;
  std::map<std::string, int> checked;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    SCOPED_TRACE("rng.txt:" + std::to_string(line_no) + ": " + line);
    if (line.empty()) continue;
    if (line[0] == '#') {
      checker.CheckComment(line);
      continue;
    }
    const std::string kind = checker.CheckLine(Words(line));
    EXPECT_NE(kind, "") << "malformed line, or its comment is missing";
    ++checked[kind];
  }
  checker.CheckLayout();
  // The file must have exercised every function.
  for (const char* kind : {"mix", "domain_key", "draw", "fmix32", "fperm",
                           "fperm_at", "select", "select_key", "layout"}) {
    EXPECT_GE(checked[kind], 1) << "no '" << kind << "' line in rng.txt";
  }
  EXPECT_EQ(checked["layout"], 5);
  EXPECT_EQ(checked[""], 0);
}

// ---- fperm: a bijection, fperm_inverse its inverse --------------------------

// The library's fperm(key, L, .) maps [0, L) onto itself one to one, and
// FpermInverse undoes it.
void ExpectBijection(uint64_t key, uint64_t length) {
  const std::vector<uint32_t> p = LibFpermVector(key, length);
  std::vector<bool> seen(length, false);
  for (uint64_t x = 0; x < length; ++x) {
    ASSERT_LT(p[x], length) << "x " << x;
    ASSERT_FALSE(seen[p[x]]) << "value " << p[x] << " twice";
    seen[p[x]] = true;
    ASSERT_EQ(FpermInverse(key, length, p[x]), x);
  }
}

// Every length from 1 to 5000, for a couple of keys (one test each, so a
// slow build stays within the per-test timeout).
class FpermEveryLength : public ::testing::TestWithParam<uint64_t> {};

TEST_P(FpermEveryLength, BijectionForEveryLengthUpTo5000) {
  const uint64_t key = DomainKey(GetParam(), Domain::kLayout);
  for (uint64_t length = 1; length <= 5000; ++length) {
    SCOPED_TRACE("L " + std::to_string(length));
    ExpectBijection(key, length);
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, FpermEveryLength,
                         ::testing::Values(0ull, 0x5EEDull));

// The reference's permutation equals the library's for every length (so it
// is a bijection too); its inverse undoes it at every point up to L = 1000
// and at every seventh point beyond (the reference is slow on purpose).
TEST(Fperm, ReferenceEqualsLibraryForEveryLengthUpTo5000) {
  const uint64_t key = RefDomainKey(77, 1);
  for (uint64_t length = 1; length <= 5000; ++length) {
    const std::vector<uint32_t> p = RefFpermVector(key, length);
    ASSERT_EQ(p, LibFpermVector(key, length)) << "L " << length;
    const uint64_t step = length <= 1000 ? 1 : 7;
    for (uint64_t x = 0; x < length; x += step) {
      ASSERT_EQ(RefFpermInverse(key, length, p[x]), x) << "L " << length;
    }
  }
}

// Lengths at the network's width changes (2h bits: L - 1 = 2^b - 1, 2^b).
TEST(Fperm, BijectionAtWidthBoundaries) {
  const uint64_t key = DomainKey(3, Domain::kSourceColumns);
  for (uint64_t length : {65535ull, 65536ull, 65537ull, (1ull << 20) - 1,
                          1ull << 20, (1ull << 20) + 1, (1ull << 21) + 3}) {
    SCOPED_TRACE("L " + std::to_string(length));
    ExpectBijection(key, length);
    if (HasFatalFailure()) return;
  }
}

// Large domains up to 2^32 - 1: sampled points land in [0, L), round-trip
// through both inverses, and library and reference agree.
TEST(Fperm, SampledPointsOfLargeLengths) {
  std::mt19937_64 rng(4242);
  // Width changes at 2^31 and 2^32 (b = 31, 32), a prime, the maximum.
  std::vector<uint64_t> lengths = {5001, 65537, 1000000007};
  for (uint64_t big : {(1ull << 31) - 1, 1ull << 31, (1ull << 31) + 1,
                       (1ull << 32) - 2, (1ull << 32) - 1}) {
    lengths.push_back(big);
  }
  for (int n = 0; n < 40; ++n) {
    lengths.push_back(phase_router_test::Uniform(&rng, 5001, (1ull << 32) - 1));
  }
  for (uint64_t length : lengths) {
    const uint64_t key = rng();
    std::vector<uint64_t> xs = {0, 1, length - 2, length - 1};
    for (int n = 0; n < 200; ++n) {
      xs.push_back(phase_router_test::Uniform(&rng, 0, length - 1));
    }
    for (uint64_t x : xs) {
      const uint32_t y = Fperm(key, length, static_cast<uint32_t>(x));
      ASSERT_LT(y, length) << "L " << length << " x " << x;
      ASSERT_EQ(RefFperm(key, length, x), y) << "L " << length << " x " << x;
      ASSERT_EQ(FpermInverse(key, length, y), x) << "L " << length;
      ASSERT_EQ(RefFpermInverse(key, length, y), x) << "L " << length;
    }
  }
}

// A Feistel network of one length must not be the identity or a rotation:
// guards against a round function that ignores its input.
TEST(Fperm, PermutationsDependOnKeyAndLength) {
  const std::vector<uint32_t> a = RefFpermVector(RefDomainKey(1, 1), 100);
  const std::vector<uint32_t> b = RefFpermVector(RefDomainKey(2, 1), 100);
  EXPECT_NE(a, b);
  size_t fixed = 0;
  for (uint32_t x = 0; x < 100; ++x) fixed += a[x] == x;
  EXPECT_LT(fixed, 10u);
  EXPECT_EQ(RefFperm(RefDomainKey(9, 6), 1, 0), 0u);
}

// ---- library and reference agree far beyond the golden values ---------------

TEST(Rng, LibraryMatchesReferenceOnManyInputs) {
  std::mt19937_64 rng(0x0123456789ABCDEFull);
  for (int n = 0; n < 20000; ++n) {
    const uint64_t x = rng(), y = rng();
    const uint64_t d = 1 + n % 6;
    ASSERT_EQ(Mix(x), RefMix(x));
    ASSERT_EQ(Draw(x, y), RefDraw(x, y));
    ASSERT_EQ(Draw(x, n), RefDraw(x, n));
    ASSERT_EQ(LibDomainKey(x, d), RefDomainKey(x, d));
    ASSERT_EQ(Fmix32(static_cast<uint32_t>(x)),
              RefFmix32(static_cast<uint32_t>(x)));
    ASSERT_EQ(SelectionRowKey(x, y), RefSelectionRowKey(x, y));
    const uint32_t t = static_cast<uint32_t>(y >> 33);  // < 2^31
    ASSERT_EQ(SelectionKey(SelectionRowConstant(x, n), t),
              RefSelectionKey(RefSelectionRowKey(x, n), t));
    const uint64_t length =
        std::max<uint64_t>(1, y >> (32 + n % 32));  // 1 .. 2^32 - 1
    const uint64_t point = x % length;
    ASSERT_EQ(Fperm(x, length, static_cast<uint32_t>(point)),
              RefFperm(x, length, point))
        << "L " << length;
  }
}

// Within a row the 32-bit keys are distinct (SPEC.md "Selection").
TEST(Rng, SelectionKeysAreDistinctWithinARow) {
  for (uint64_t source : {0ull, 3ull, 99999ull}) {
    const uint64_t row_key = RefSelectionRowKey(2024, source);
    std::vector<uint32_t> keys;
    for (uint64_t t = 0; t < 200000; ++t) {
      keys.push_back(RefSelectionKey(row_key, t));
    }
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
  }
}

TEST(Rng, SelectionRowConstantIsTheLow32Bits) {
  for (uint64_t seed : {0ull, 42ull, ~0ull}) {
    for (uint64_t i : {0ull, 1ull, 1000ull}) {
      EXPECT_EQ(SelectionRowKey(seed, i), RefDraw(RefDomainKey(seed, 5), i));
      EXPECT_EQ(SelectionRowConstant(seed, i),
                static_cast<uint32_t>(RefSelectionRowKey(seed, i)));
    }
  }
}

// The baselines' bounded draw (not part of the routing spec).
TEST(Rng, BoundedEdges) {
  EXPECT_EQ(Bounded(0, 12345), 0u);
  EXPECT_EQ(Bounded(~0ull, 1), 0u);
  EXPECT_EQ(Bounded(~0ull, ~0ull), ~0ull - 1);
  EXPECT_EQ(Bounded(1ull << 63, 2), 1u);
}

TEST(Rng, ConstantsAreTheSpecs) {
  EXPECT_EQ(kGamma, 0x9E3779B97F4A7C15ull);
  EXPECT_EQ(kDomainMul, 0xD1B54A32D192ED03ull);
  EXPECT_EQ(kGamma32, 0x9E3779B9u);
  EXPECT_EQ(static_cast<uint64_t>(Domain::kSourceColumns), 1u);
  EXPECT_EQ(static_cast<uint64_t>(Domain::kTargetColumns), 2u);
  EXPECT_EQ(static_cast<uint64_t>(Domain::kSourceRows), 3u);
  EXPECT_EQ(static_cast<uint64_t>(Domain::kTargetRows), 4u);
  EXPECT_EQ(static_cast<uint64_t>(Domain::kSelection), 5u);
  EXPECT_EQ(static_cast<uint64_t>(Domain::kLayout), 6u);
  static_assert(Mix(0) == 0, "mix(0) is 0");
  static_assert(Mix(1) == 0x5692161d100b05e5ull, "constexpr Mix");
}

}  // namespace
}  // namespace phase_router
