// libFuzzer harness for the router itself. The bytes decode to a small
// routing (M, E in 1..80, k, seed, align / row_perm / select / tiling, the input path,
// S and T), routed through the public API on the default target and then on
// every supported target. Aborts unless every run equals the independent
// reference (tests/reference.h, SPEC.md's closed form) and the spec's
// guarantees hold. One input in eight is made invalid on purpose (k = 0,
// k >= 2^31, a degree above its ring, a shape mismatch, a padding bit, a
// memory limit of 1 byte, threads = -1): that must be a typed Error with the
// right code, never a crash.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/bit_matrix.h"
#include "phase_router/phase_router.h"
#include "tests/reference.h"
#include "tests/test_util.h"

namespace {

using phase_router::BitMatrixView;
using phase_router::ByteMatrixView;
using phase_router::Error;
using phase_router::ErrorCode;
using phase_router::Options;
using phase_router::Router;
using phase_router::WordsFor;

std::string g_case;  // printed with every failure

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_router: %s\n  case: %s\n", what.c_str(),
               g_case.c_str());
  std::abort();
}

uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A rows x cols 0/1 matrix: raw bits from the input, a random density, or
// rows of random arcs (the aligned shape, at random offsets).
std::vector<uint8_t> DecodeMatrix(FuzzedDataProvider& fdp, size_t rows,
                                  size_t cols) {
  std::vector<uint8_t> m(rows * cols, 0);
  const int mode = fdp.ConsumeIntegralInRange<int>(0, 3);
  uint64_t state = fdp.ConsumeIntegral<uint64_t>();
  if (mode == 0) {
    const std::vector<uint8_t> raw =
        fdp.ConsumeBytes<uint8_t>((m.size() + 7) / 8);
    for (size_t n = 0; n < m.size() && n / 8 < raw.size(); ++n) {
      m[n] = (raw[n / 8] >> (n % 8)) & 1;
    }
  } else if (mode == 1) {
    const uint64_t density = fdp.ConsumeIntegral<uint8_t>();  // of 255
    for (uint8_t& bit : m) bit = (SplitMix(&state) & 255) < density;
  } else {
    for (size_t r = 0; r < rows; ++r) {
      const uint64_t x = SplitMix(&state);
      const size_t length = (x & 0xFFFF) % (cols + 1);
      const size_t start = mode == 2 ? 0 : (x >> 16) % cols;
      for (size_t n = 0; n < length; ++n) m[r * cols + (start + n) % cols] = 1;
    }
  }
  return m;
}

// SPEC.md's guarantees on the routes alone (and the reference's candidates).
void CheckGuarantees(const phase_router_ref::Problem& p,
                     const phase_router_ref::Result& ref,
                     const std::vector<int32_t>& routes) {
  const size_t M = p.M, E = p.E, k = p.k;
  if (routes.size() != M * k) Fail("routes have the wrong size");
  const std::vector<uint32_t> t_deg = phase_router_ref::RowDegrees(p.T, E, M);
  std::vector<uint32_t> load(E, 0);
  for (size_t i = 0; i < M; ++i) {
    const int32_t* row = routes.data() + i * k;
    size_t n = 0;
    while (n < k && row[n] != -1) {
      if (row[n] < 0 || static_cast<size_t>(row[n]) >= E)
        Fail("id out of range");
      if (n > 0 && row[n - 1] >= row[n]) Fail("row not ascending / duplicate");
      if (!ref.candidate[i * E + row[n]]) Fail("route is not a candidate");
      ++load[row[n]];
      ++n;
    }
    for (size_t m = n; m < k; ++m) {
      if (row[m] != -1) Fail("-1 not only as padding");
    }
    if (n != std::min<size_t>(k, ref.candidates[i]))
      Fail("row not as full as it can be");
  }
  for (size_t t = 0; t < E; ++t) {
    if (load[t] > t_deg[t]) Fail("target over capacity");
  }
}

// The one kind of request this input makes, routed into `out`.
struct Request {
  int path = 0;  // 0 bytes, 1 bits, 2 degrees
  size_t M = 0, E = 0;
  std::vector<uint8_t> S, T;
  std::vector<uint64_t> Sw, Tw;
  size_t s_stride = 0, t_stride = 0;  // words
  size_t t_rows = 0;                  // E, or a wrong shape
  std::vector<uint32_t> s, t;

  std::vector<int32_t> Route(Router& router, const Options& o,
                             phase_router::Stats* stats) const {
    if (path == 0) {
      return router
          .Route(ByteMatrixView{S.data(), M, E, 0},
                 ByteMatrixView{T.data(), t_rows, M, 0}, o, stats)
          .ids;
    }
    if (path == 1) {
      return router
          .Route(BitMatrixView{Sw.data(), M, E, s_stride},
                 BitMatrixView{Tw.data(), t_rows, M, t_stride}, o, stats)
          .ids;
    }
    return router.RouteDegrees(s, t, o, stats).ids;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> targets =
      phase_router::SupportedTargets();
  FuzzedDataProvider fdp(data, size);
  phase_router_ref::Problem p;
  p.M = fdp.ConsumeIntegralInRange<size_t>(1, 80);
  p.E = fdp.ConsumeIntegralInRange<size_t>(1, 80);
  p.k = fdp.ConsumeIntegralInRange<uint32_t>(1, static_cast<uint32_t>(p.E) + 8);
  p.seed = fdp.ConsumeIntegral<uint64_t>();
  const uint8_t flags = fdp.ConsumeIntegral<uint8_t>();
  p.align = (flags & 1) != 0;
  p.row_perm = (flags & 2) != 0;
  p.select_lowest = (flags & 4) != 0;
  // Bits 6-7: tiling auto (0 and 3), on (1) or off (2).
  const int tiling = (flags >> 6) % 3;
  p.tiling = static_cast<phase_router_ref::RefTiling>(tiling);
  const bool invalid = (flags & 0x38) == 0;  // one in eight
  const int bad_kind = fdp.ConsumeIntegralInRange<int>(0, 6);
  Request q;
  q.path = fdp.ConsumeIntegralInRange<int>(0, 2);
  if (q.path == 2) p.align = true;  // degrees are always aligned
  q.M = p.M;
  q.E = p.E;
  q.t_rows = p.E;
  p.S = DecodeMatrix(fdp, p.M, p.E);
  p.T = DecodeMatrix(fdp, p.E, p.M);
  q.S = p.S;
  q.T = p.T;
  q.s_stride = WordsFor(p.E) + fdp.ConsumeIntegralInRange<size_t>(0, 2);
  q.t_stride = WordsFor(p.M) + fdp.ConsumeIntegralInRange<size_t>(0, 2);
  q.Sw = phase_router_test::PackBits(p.S, p.M, p.E, q.s_stride);
  q.Tw = phase_router_test::PackBits(p.T, p.E, p.M, q.t_stride);
  q.s = phase_router_ref::RowDegrees(p.S, p.M, p.E);
  q.t = phase_router_ref::RowDegrees(p.T, p.E, p.M);
  Options o;
  o.k = p.k;
  o.seed = p.seed;
  o.align = p.align;
  o.row_perm = p.row_perm;
  o.select = p.select_lowest ? phase_router::Select::kLowest
                             : phase_router::Select::kRandom;
  o.tiling = tiling == 1 ? phase_router::Tiling::kOn
             : tiling == 2 ? phase_router::Tiling::kOff
                           : phase_router::Tiling::kAuto;
  o.threads = fdp.ConsumeIntegralInRange<int>(0, 3);
  g_case = phase_router_test::Describe(p) + " path " + std::to_string(q.path) +
           " strides " + std::to_string(q.s_stride) + "/" +
           std::to_string(q.t_stride);

  Router router;
  if (invalid) {
    ErrorCode want = ErrorCode::kBadOption;
    switch (bad_kind) {
      case 0:
        o.k = 0;
        break;
      case 1:
        o.k = uint32_t{1} << 31;
        break;
      case 2:  // a degree above its ring (degrees), else T's shape
        if (q.path == 2) {
          q.s[fdp.ConsumeIntegralInRange<size_t>(0, p.M - 1)] =
              static_cast<uint32_t>(p.E) + 1 + fdp.ConsumeIntegral<uint16_t>();
          want = ErrorCode::kBadDegree;
        } else {
          q.t_rows = p.E + 1;
          want = ErrorCode::kBadShape;
        }
        break;
      case 3:  // a padding bit, where a row has one
        if (q.path != 1 || p.M % 64 == 0) return 0;
        q.Tw[fdp.ConsumeIntegralInRange<size_t>(0, p.E - 1) * q.t_stride +
             WordsFor(p.M) - 1] |= uint64_t{1} << 63;
        want = ErrorCode::kBadData;
        break;
      case 4:
        o.memory_limit = 1;
        want = ErrorCode::kOutOfMemory;
        break;
      case 5:
        o.threads = -1;
        break;
      default:
        o.threads = 1 << 20;
        break;
    }
    try {
      q.Route(router, o, nullptr);
    } catch (const Error& e) {
      if (e.code() != want) {
        Fail("bad input " + std::to_string(bad_kind) + " gave code " +
             std::to_string(static_cast<int>(e.code())) + ": " + e.what());
      }
      if (router.workspace_bytes() != 0) Fail("a refused call allocated");
      return 0;
    }
    Fail("bad input " + std::to_string(bad_kind) + " was accepted");
  }

  const phase_router_ref::Result ref = phase_router_ref::EvaluateClosedForm(p);
  phase_router::Stats stats;
  const std::vector<int32_t> routes = q.Route(router, o, &stats);
  if (routes != ref.routes) Fail("routes differ from the reference");
  CheckGuarantees(p, ref, routes);
  const auto [lo, hi] =
      std::minmax_element(ref.candidates.begin(), ref.candidates.end());
  if (stats.candidates_min != *lo || stats.candidates_max != *hi) {
    Fail("stats disagree with the reference's candidate counts");
  }
  // Every supported target, and every other input path that means the same.
  for (const std::string& target : targets) {
    phase_router::ForceTarget(target);
    for (int path = 0; path < 3; ++path) {
      if (path == 2 && !p.align) continue;
      Request other = q;
      other.path = path;
      if (other.Route(router, o, nullptr) != routes) {
        phase_router::ForceTarget("");
        Fail("target " + target + ", path " + std::to_string(path) +
             " differs from the default target");
      }
    }
  }
  phase_router::ForceTarget("");
  // Both methods (arcs only when aligned), whole and for one row range.
  const size_t a = fdp.ConsumeIntegralInRange<size_t>(0, p.M - 1);
  const size_t b = fdp.ConsumeIntegralInRange<size_t>(a + 1, p.M);
  for (phase_router::Method m : {phase_router::Method::kBits, phase_router::Method::kArcs}) {
    if (m == phase_router::Method::kArcs && !p.align) continue;
    Options om = o;
    om.method = m;
    if (q.Route(router, om, nullptr) != routes) {
      Fail(std::string("method ") + phase_router::MethodName(m) + " differs");
    }
    om.row_begin = a;
    om.row_end = b;
    const std::vector<int32_t> want(routes.begin() + static_cast<ptrdiff_t>(a * p.k),
                                    routes.begin() + static_cast<ptrdiff_t>(b * p.k));
    if (q.Route(router, om, nullptr) != want) {
      Fail(std::string("method ") + phase_router::MethodName(m) + ", rows [" +
           std::to_string(a) + ", " + std::to_string(b) + ") differ from the whole");
    }
  }
  return 0;
}
