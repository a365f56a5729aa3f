// Reliability of the public API (issue 7, docs/reliability.md): every class
// of bad input is a typed Error whose message names the bad value; the memory
// ceiling refuses a request before allocating anything; routes are identical
// for 1, 2, 3, 4 and 8 threads, on every target and from concurrent Routers;
// an N = 16384 routing matches the closed form on sampled rows.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
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

using phase_router_test::Uniform;

// ---------------------------------------------------------------------------
// Bad input: the code, and a message that names the bad value.

// Runs f, which must throw Error(code) whose message contains every one of
// `words` and is one line.
void ExpectError(ErrorCode code, const std::function<void()>& f,
                 std::vector<std::string> words, const std::string& what) {
  SCOPED_TRACE(what);
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(static_cast<int>(e.code()), static_cast<int>(code)) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    for (const std::string& word : words) {
      EXPECT_NE(message.find(word), std::string::npos)
          << "message does not mention '" << word << "': " << message;
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

struct Small : phase_router_test::SmallProblem {
  Small() : SmallProblem(7) {}
};

TEST(BadInput, ShapeMismatchNamesBothShapes) {
  Small x;
  Router r;
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(x.SB(), ByteMatrixView{x.T.data(), 49, 70, 0}, x.o);
      },
      {"70x50", "50x70", "49x70"}, "bytes: T is 49x70");
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(x.SW(), BitMatrixView{x.Tw.data(), 50, 69, WordsFor(70)}, x.o);
      },
      {"50x69"}, "bits: T is 50x69");
  // T given as M x E (not transposed): the classic mistake.
  const std::vector<uint8_t> t_wrong(x.M * x.E, 1);
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(x.SB(), ByteMatrixView{t_wrong.data(), 70, 50, 0}, x.o);
      },
      {"70x50"}, "bytes: T not transposed");
}

TEST(BadInput, DegreesAboveTheRing) {
  Small x;
  Router r;
  std::vector<uint32_t> s = x.s, t = x.t;
  s[7] = 77;  // E = 50
  ExpectError(
      ErrorCode::kBadDegree, [&] { r.RouteDegrees(s, x.t, x.o); },
      {"s[7]", "77", "50"}, "s[7] = 77 > E");
  t[49] = 71;  // M = 70
  ExpectError(
      ErrorCode::kBadDegree, [&] { r.RouteDegrees(x.s, t, x.o); },
      {"t[49]", "71", "70"}, "t[49] = 71 > M");
  // The largest uint32 (what "-1" becomes when cast carelessly).
  s = x.s;
  s[0] = std::numeric_limits<uint32_t>::max();
  ExpectError(
      ErrorCode::kBadDegree, [&] { r.RouteDegrees(s, x.t, x.o, x.out.data()); },
      {"4294967295"}, "s[0] = UINT32_MAX");
}

TEST(BadInput, KOutOfRange) {
  Small x;
  Router r;
  Options o = x.o;
  o.k = 0;
  ExpectError(
      ErrorCode::kBadOption, [&] { r.Route(x.SB(), x.TB(), o); }, {"k", "0"},
      "k = 0");
  o.k = uint32_t{1} << 31;
  ExpectError(
      ErrorCode::kBadOption, [&] { r.RouteDegrees(x.s, x.t, o); },
      {"2147483648", "int32"}, "k = 2^31");
  o.k = std::numeric_limits<uint32_t>::max();
  ExpectError(
      ErrorCode::kBadOption, [&] { r.Route(x.SW(), x.TW(), o); },
      {"4294967295"}, "k = UINT32_MAX");
}

TEST(BadInput, EmptyAndOversizedShapes) {
  Small x;
  Router r;
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), 0, x.E, 0},
                ByteMatrixView{x.T.data(), x.E, 0, 0}, x.o);
      },
      {"M = 0"}, "M = 0");
  ExpectError(
      ErrorCode::kBadShape,
      [&] { r.RouteDegrees(x.s, std::span<const uint32_t>(), x.o); }, {"E = 0"},
      "E = 0");
  // 2^31 rows: refused from the shape alone, the (tiny) data is never read.
  const size_t huge = size_t{1} << 31;
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(BitMatrixView{x.Sw.data(), huge, 1, 1},
                BitMatrixView{x.Tw.data(), 1, huge, 0}, x.o);
      },
      {"2147483648"}, "M = 2^31");
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), 1, size_t{1} << 40, 0},
                ByteMatrixView{x.T.data(), size_t{1} << 40, 1, 0}, x.o);
      },
      {"1099511627776"}, "E = 2^40");
  EXPECT_EQ(r.workspace_bytes(), 0u);
}

TEST(BadInput, ViewsThatCannotBeRead) {
  Small x;
  Router r;
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(ByteMatrixView{nullptr, x.M, x.E, 0}, x.TB(), x.o);
      },
      {"S", "no data"}, "null S");
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(x.SW(), BitMatrixView{nullptr, x.E, x.M, 0}, x.o);
      },
      {"T", "no data"}, "null T");
  ExpectError(
      ErrorCode::kBadData,
      [&] { r.Route(x.SB(), x.TB(), x.o, static_cast<int32_t*>(nullptr)); },
      {"output"}, "null output");
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), x.M, x.E, 49}, x.TB(), x.o);
      },
      {"stride 49", "50"}, "byte stride below the width");
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(x.SW(), BitMatrixView{x.Tw.data(), x.E, x.M, 1}, x.o);
      },
      {"stride 1", "70 bits"}, "bit stride below the width");
  // A stride so large the rows would wrap the address space.
  ExpectError(
      ErrorCode::kBadShape,
      [&] {
        r.Route(ByteMatrixView{x.S.data(), x.M, x.E,
                               std::numeric_limits<size_t>::max() / 8},
                x.TB(), x.o);
      },
      {"address space"}, "byte stride wraps");
  // A set padding bit (column 70 of a 70-column T row).
  std::vector<uint64_t> tw = x.Tw;
  tw[WordsFor(x.M) * 13 + 1] |= uint64_t{1} << 6;
  ExpectError(
      ErrorCode::kBadData,
      [&] {
        r.Route(x.SW(), BitMatrixView{tw.data(), x.E, x.M, 0}, x.o);
      },
      {"row 13", "padding"}, "padding bit");
}

TEST(BadInput, BadOptions) {
  Small x;
  Router r;
  Options o = x.o;
  o.threads = -1;
  ExpectError(
      ErrorCode::kBadOption, [&] { r.RouteDegrees(x.s, x.t, o); },
      {"threads", "-1"}, "threads = -1");
  o.threads = 100000;
  ExpectError(
      ErrorCode::kBadOption, [&] { r.RouteDegrees(x.s, x.t, o); },
      {"threads", "100000"}, "threads = 100000");
  ExpectError(
      ErrorCode::kBadOption, [] { ParseSelect("best"); }, {"best"},
      "select 'best'");
  ExpectError(
      ErrorCode::kBadOption, [] { ForceTarget("NOT_A_TARGET"); },
      {"NOT_A_TARGET"}, "unknown target");
}

// A refused call leaves the Router usable and its output untouched.
TEST(BadInput, RefusalChangesNothing) {
  Small x;
  Router r;
  const std::vector<int32_t> want = r.RouteDegrees(x.s, x.t, x.o).ids;
  const size_t bytes = r.workspace_bytes();
  std::vector<int32_t> out(x.M * x.o.k, 12345);
  std::vector<uint32_t> bad = x.s;
  bad[3] = 1000;
  EXPECT_THROW(r.RouteDegrees(bad, x.t, x.o, out.data()), Error);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(),
                          [](int32_t v) { return v == 12345; }));
  EXPECT_EQ(r.workspace_bytes(), bytes);
  EXPECT_EQ(r.RouteDegrees(x.s, x.t, x.o).ids, want);
}

// The router runs routings under 2^20 bits on the calling thread alone
// (plan.cc's kParallelBits); shapes of at least kParallelShapeBits really
// use the threads they ask for, and shapes under kSerialShapeBits never do.
constexpr size_t kParallelShapeBits = size_t{1} << 21;
constexpr size_t kSerialShapeBits = size_t{1} << 16;

// ---------------------------------------------------------------------------
// The memory ceiling.

// Resident set size of this process, from /proc (0 where unavailable).
uint64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stoull(line.substr(6)) * 1024;  // "VmRSS:   1234 kB"
    }
  }
  return 0;
}

TEST(MemoryLimit, DefaultIsAtMost16GiB) {
  const uint64_t limit = DefaultMemoryLimit();
  EXPECT_GT(limit, uint64_t{1} << 28);
  EXPECT_LE(limit, uint64_t{16} << 30);
  EXPECT_EQ(Options().memory_limit, 0u) << "0 means the default";
}

// The check and the allocation use one formula: a fresh Router holds exactly
// what WorkspaceBytesFor predicts, for any shape and thread count.
TEST(MemoryLimit, WorkspaceBytesForIsWhatTheWorkspaceHolds) {
  struct Shape {
    size_t M, E;
    int threads;
  };
  for (const Shape sh : {Shape{1, 1, 1}, Shape{70, 50, 4}, Shape{130, 65, 1},
                         Shape{1500, 1400, 1}, Shape{1500, 1400, 3},
                         Shape{1030, 2100, 2}, Shape{2100, 1030, 8}}) {
    SCOPED_TRACE(std::to_string(sh.M) + "x" + std::to_string(sh.E) + " on " +
                 std::to_string(sh.threads));
    const std::vector<uint32_t> s(sh.M, 1), t(sh.E, 1);
    Options o;
    o.k = 2;
    o.threads = sh.threads;
    o.method = Method::kBits;  // WorkspaceBytesFor counts the bit path
    Router r;
    r.RouteDegrees(s, t, o);
    ASSERT_TRUE(sh.M * sh.E < kSerialShapeBits ||
                sh.M * sh.E >= kParallelShapeBits);
    const size_t used = sh.M * sh.E < kSerialShapeBits ? 1 : sh.threads;
    EXPECT_EQ(r.workspace_bytes(), Router::WorkspaceBytesFor(sh.M, sh.E, used));
  }
  // It grows with every dimension and saturates instead of wrapping.
  EXPECT_LT(Router::WorkspaceBytesFor(1000, 1000, 1),
            Router::WorkspaceBytesFor(1000, 1000, 2));
  EXPECT_LT(Router::WorkspaceBytesFor(1000, 1000, 1),
            Router::WorkspaceBytesFor(1000, 2000, 1));
  EXPECT_EQ(Router::WorkspaceBytesFor(size_t{1} << 62, 5, 1),
            std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(Router::WorkspaceBytesFor(std::numeric_limits<size_t>::max(),
                                      std::numeric_limits<size_t>::max(),
                                      std::numeric_limits<size_t>::max()),
            std::numeric_limits<uint64_t>::max());
}

// The limit is inclusive: exactly the need passes, one byte less is refused;
// the owned-result calls count their M * k * 4 bytes of routes too.
TEST(MemoryLimit, ExactBoundary) {
  Small x;
  const uint64_t workspace = Router::WorkspaceBytesFor(x.M, x.E, 1);
  const uint64_t routes = x.M * x.o.k * sizeof(int32_t);
  Options o = x.o;
  o.threads = 1;
  o.method = Method::kBits;  // WorkspaceBytesFor counts the bit path
  std::vector<int32_t> out(x.M * o.k);

  o.memory_limit = workspace;
  EXPECT_NO_THROW(Router().RouteDegrees(x.s, x.t, o, out.data()));
  ExpectError(
      ErrorCode::kOutOfMemory, [&] { Router().RouteDegrees(x.s, x.t, o); },
      {std::to_string(workspace + routes), std::to_string(workspace)},
      "owned result over by the routes");
  o.memory_limit = workspace + routes;
  EXPECT_NO_THROW(Router().Route(x.SB(), x.TB(), o));
  EXPECT_NO_THROW(Router().Route(x.SW(), x.TW(), o));
  o.memory_limit = workspace - 1;
  ExpectError(
      ErrorCode::kOutOfMemory,
      [&] { Router().Route(x.SW(), x.TW(), o, out.data()); },
      {std::to_string(workspace), std::to_string(workspace - 1),
       "memory limit"},
      "caller buffer, one byte short");
}

// Over the ceiling: refused at once, nothing allocated, RSS unchanged.
TEST(MemoryLimit, OverTheCeilingIsRefusedNotAttempted) {
  struct Case {
    size_t n;
    uint32_t k;
    uint64_t limit;  // 0: the default
  };
  // 2^20 x 2^20 needs about 400 GiB (over any default); 2^16 x 2^16 needs
  // 1.6 GiB (over 1 GiB); 64 x 64 with k = 2^30 needs 256 GiB of routes.
  for (const Case c : {Case{size_t{1} << 20, 4, 0},
                       Case{size_t{1} << 16, 16, uint64_t{1} << 30},
                       Case{64, uint32_t{1} << 30, 0}}) {
    SCOPED_TRACE("N = " + std::to_string(c.n) + ", k = " + std::to_string(c.k));
    const std::vector<uint32_t> s(c.n, 1), t(c.n, 1);
    Options o;
    o.k = c.k;
    o.memory_limit = c.limit;
    // The bit path: the arc path would route these in O(M + E) memory
    // (tests/scale_test.cc covers that choice).
    o.method = Method::kBits;
    Router r;
    const uint64_t rss_before = ResidentBytes();
    const auto start = std::chrono::steady_clock::now();
    const uint64_t limit = c.limit ? c.limit : DefaultMemoryLimit();
    ExpectError(
        ErrorCode::kOutOfMemory, [&] { r.RouteDegrees(s, t, o); },
        {"memory limit", std::to_string(limit), std::to_string(c.n)},
        "over the ceiling");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    EXPECT_LT(seconds, 1.0) << "a refusal must not do the work";
    EXPECT_EQ(r.workspace_bytes(), 0u) << "nothing may be allocated";
    const uint64_t rss_after = ResidentBytes();
    EXPECT_LT(rss_after, rss_before + (uint64_t{64} << 20))
        << "RSS grew from " << rss_before << " to " << rss_after;
    // Raising the limit is what lets the small one through.
    if (c.n == (size_t{1} << 16)) {
      o.memory_limit = uint64_t{4} << 30;
      o.k = 1;
      EXPECT_NO_THROW(r.RouteDegrees(std::span(s).first(4096),
                                     std::span(t).first(4096), o));
    }
  }
}

// The hash-router baseline's owned result obeys the ceiling too.
TEST(MemoryLimit, HashRouteBaseline) {
  Options o;
  o.k = uint32_t{1} << 30;  // 64 x 2^30 int32: 256 GiB
  ExpectError(
      ErrorCode::kOutOfMemory, [&] { HashRoute(64, 64, o); },
      {"memory limit", std::to_string(DefaultMemoryLimit())}, "hash route");
  o.k = 4;
  // The routes and one thread's scratch (a bitset of E = 64 bits): the
  // call is too small to run on more.
  o.memory_limit = 64 * 4 * sizeof(int32_t) + sizeof(uint64_t);
  EXPECT_NO_THROW(HashRoute(64, 64, o));
  o.memory_limit -= 1;
  EXPECT_THROW(HashRoute(64, 64, o), Error);
}

// ---------------------------------------------------------------------------
// Determinism: threads, targets, concurrent Routers.

struct Request {
  size_t M, E;
  std::vector<uint8_t> S, T;
  std::vector<uint64_t> Sw, Tw;
  std::vector<uint32_t> s, t;
};

Request MakeRequest(size_t M, size_t E, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Request q;
  q.M = M;
  q.E = E;
  q.S = phase_router_test::RandomMatrix(M, E, &rng);
  q.T = phase_router_test::RandomMatrix(E, M, &rng);
  q.Sw = phase_router_test::PackBits(q.S, M, E, WordsFor(E) + 1);
  q.Tw = phase_router_test::PackBits(q.T, E, M, WordsFor(M));
  q.s = phase_router_ref::RowDegrees(q.S, M, E);
  q.t = phase_router_ref::RowDegrees(q.T, E, M);
  return q;
}

// One request through input path 0 (bytes), 1 (bits, padded stride) or 2
// (degrees; aligned only).
std::vector<int32_t> RoutePath(Router& r, const Request& q, const Options& o,
                               size_t path) {
  if (path == 0) {
    return r
        .Route(ByteMatrixView{q.S.data(), q.M, q.E, 0},
               ByteMatrixView{q.T.data(), q.E, q.M, 0}, o)
        .ids;
  }
  if (path == 1) {
    return r
        .Route(BitMatrixView{q.Sw.data(), q.M, q.E, WordsFor(q.E) + 1},
               BitMatrixView{q.Tw.data(), q.E, q.M, 0}, o)
        .ids;
  }
  return r.RouteDegrees(q.s, q.t, o).ids;
}

// Every input path on one request: bytes, bits, and degrees when aligned.
std::vector<std::vector<int32_t>> RouteAllPaths(Router& r, const Request& q,
                                                const Options& o) {
  std::vector<std::vector<int32_t>> got;
  for (size_t path = 0; path < (o.align ? 3u : 2u); ++path) {
    got.push_back(RoutePath(r, q, o, path));
  }
  return got;
}

// The same routing with 1, 2, 3, 4 and 8 threads and on every supported
// target, for every option combination and input path, is identical to the
// reference. The shapes are above kParallelShapeBits, so the calls really run
// on that many threads.
TEST(Determinism, ThreadsAndTargetsGiveIdenticalRoutes) {
  const std::vector<std::string> targets = phase_router_test::TargetsToTest();
  ASSERT_FALSE(targets.empty());
  int n = 0;
  for (const auto& [M, E] : {std::pair<size_t, size_t>{1500, 1400},
                             std::pair<size_t, size_t>{2100, 1030}}) {
    ASSERT_GE(M * E, kParallelShapeBits);
    const Request q = MakeRequest(M, E, 100 + M);
    // Half the option combinations per shape (each option on and off in
    // both halves), all eight over the two shapes.
    for (int combo :
         n == 0 ? std::vector<int>{0, 3, 5, 6} : std::vector<int>{1, 2, 4, 7}) {
      ++n;
      Options o;
      o.k = n % 3 == 0 ? 1 : static_cast<uint32_t>(7 * n + 3);
      o.seed = n % 4 == 0 ? 0 : 0x9E3779B97F4A7C15ull * (n + 1);
      o.align = (combo & 1) != 0;
      o.row_perm = (combo & 2) != 0;
      o.select = (combo & 4) != 0 ? Select::kLowest : Select::kRandom;
      phase_router_ref::Problem p;
      p.M = M;
      p.E = E;
      p.S = q.S;
      p.T = q.T;
      p.k = o.k;
      p.seed = o.seed;
      p.align = o.align;
      p.row_perm = o.row_perm;
      p.select_lowest = o.select == Select::kLowest;
      SCOPED_TRACE(phase_router_test::Describe(p));
      const std::vector<int32_t> want =
          phase_router_ref::EvaluateClosedForm(p).routes;
      // One input path per (target, threads), rotating, to bound the time:
      // over the combinations every path meets every target and count.
      Router r;
      const size_t paths = o.align ? 3 : 2;
      for (size_t ti = 0; ti < targets.size(); ++ti) {
        phase_router_test::ScopedTarget scoped(targets[ti]);
        int rotation = 0;
        for (int threads : {1, 2, 3, 4, 8}) {
          o.threads = threads;
          const size_t path = (ti + rotation++ + combo) % paths;
          ASSERT_EQ(RoutePath(r, q, o, path), want)
              << "target " << targets[ti] << ", " << threads
              << " threads, path " << path;
        }
      }
    }
  }
}

// Separate Routers on separate std::threads, each with its own OpenMP team,
// routing different requests at the same time (nested parallelism).
TEST(Determinism, ConcurrentRoutersWithOpenMPTeams) {
  constexpr int kWorkers = 4;
  std::vector<Request> requests;
  std::vector<Options> options;
  std::vector<std::vector<int32_t>> want;
  for (int w = 0; w < kWorkers; ++w) {
    requests.push_back(MakeRequest(1100 + 37 * w, 1950 - 29 * w, 500 + w));
    ASSERT_GE(requests.back().M * requests.back().E, kParallelShapeBits);
    Options o;
    o.k = 5 + w;
    o.seed = 77 + w;
    o.align = w % 2 == 0;
    o.row_perm = w >= 2;
    o.select = w == 3 ? Select::kLowest : Select::kRandom;
    o.threads = 1;
    options.push_back(o);
    Router r;
    want.push_back(RouteAllPaths(r, requests.back(), o).front());
  }
  std::vector<std::vector<std::vector<int32_t>>> got(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      Router router;
      Options o = options[w];
      for (int rep = 0; rep < 3; ++rep) {
        o.threads = 2 + rep % 2;
        for (auto& routes : RouteAllPaths(router, requests[w], o)) {
          got[w].push_back(std::move(routes));
        }
        // The one-shot functions share nothing either.
        if (o.align) {
          got[w].push_back(RouteDegrees(requests[w].s, requests[w].t, o).ids);
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  for (int w = 0; w < kWorkers; ++w) {
    ASSERT_FALSE(got[w].empty());
    for (const auto& routes : got[w])
      EXPECT_EQ(routes, want[w]) << "worker " << w;
  }
}

// ---------------------------------------------------------------------------
// Large shapes: N = 16384, checked against the closed form on sampled rows.

// SPEC.md's closed form for single rows i, O(M + E) set-up and O(E) a row:
// the reference evaluator's formula without its O(M * E) candidate matrix.
// The lay-out (psi, t') is the reference's (phase_router_ref::RefLayout).
class ClosedFormRows {
 public:
  // sa(i, x) / ta(t, y): the aligned (or raw) bit of S[i][x] / T[t][y]. With
  // align on, ta is not called: T's aligned rows are [y < t'_t], and t'_t
  // (tiling) comes from the lay-out.
  ClosedFormRows(size_t M, size_t E, const std::vector<uint32_t>& s,
                 const std::vector<uint32_t>& t, const Options& o,
                 std::function<bool(size_t, size_t)> sa,
                 std::function<bool(size_t, size_t)> ta)
      : M_(M), E_(E), o_(o), sa_(std::move(sa)), ta_(std::move(ta)) {
    using phase_router_ref::RefDomainKey;
    using phase_router_ref::RefFpermVector;
    phi_ = Offsets(s, E);
    const phase_router_ref::Layout layout =
        phase_router_ref::RefLayout(s, t, o.k, o.seed, o.align, RefTilingOf(o));
    psi_ = layout.psi;
    t_prime_ = layout.t_prime;
    pS_ = RefFpermVector(RefDomainKey(o.seed, 1), E);
    pT_ = RefFpermVector(RefDomainKey(o.seed, 2), M);
    rS_inv_ = Inverse(o.row_perm ? RefFpermVector(RefDomainKey(o.seed, 3), M)
                                 : Iota(M));
    rT_inv_ = Inverse(o.row_perm ? RefFpermVector(RefDomainKey(o.seed, 4), E)
                                 : Iota(E));
  }

  // Row i: candidates, and the routes the selection rule takes from them.
  std::vector<int32_t> Row(size_t i, uint32_t* candidates) const {
    std::vector<std::pair<uint64_t, int32_t>> keyed;
    const uint64_t row_key = phase_router_ref::RefSelectionRowKey(o_.seed, i);
    const uint64_t y_base = pT_[rS_inv_[i]];
    for (size_t t = 0; t < E_; ++t) {
      const size_t x = (pS_[rT_inv_[t]] + E_ - phi_[i]) % E_;
      const size_t y = (y_base + M_ - psi_[t]) % M_;
      const bool ta = o_.align ? y < t_prime_[t] : ta_(t, y);
      if (!sa_(i, x) || !ta) continue;
      const uint64_t key = o_.select == Select::kLowest
                               ? t
                               : phase_router_ref::RefSelectionKey(row_key, t);
      keyed.emplace_back(key, static_cast<int32_t>(t));
    }
    *candidates = static_cast<uint32_t>(keyed.size());
    const size_t take = std::min<size_t>(o_.k, keyed.size());
    std::partial_sort(keyed.begin(), keyed.begin() + take, keyed.end());
    std::vector<int32_t> row(o_.k, -1);
    for (size_t n = 0; n < take; ++n) row[n] = keyed[n].second;
    std::sort(row.begin(), row.begin() + take);
    return row;
  }

 private:
  static std::vector<uint32_t> Offsets(const std::vector<uint32_t>& d,
                                       size_t ring) {
    std::vector<uint32_t> off(d.size());
    uint64_t sum = 0;
    for (size_t i = 0; i < d.size(); ++i) {
      off[i] = static_cast<uint32_t>(sum % ring);
      sum += d[i];
    }
    return off;
  }
  static phase_router_ref::RefTiling RefTilingOf(const Options& o) {
    switch (o.tiling) {
      case Tiling::kOn:
        return phase_router_ref::RefTiling::kOn;
      case Tiling::kOff:
        return phase_router_ref::RefTiling::kOff;
      case Tiling::kAuto:
        break;
    }
    return phase_router_ref::RefTiling::kAuto;
  }
  static std::vector<uint32_t> Iota(size_t n) {
    std::vector<uint32_t> v(n);
    std::iota(v.begin(), v.end(), 0u);
    return v;
  }
  static std::vector<uint32_t> Inverse(const std::vector<uint32_t>& p) {
    std::vector<uint32_t> inv(p.size());
    for (size_t i = 0; i < p.size(); ++i) inv[p[i]] = static_cast<uint32_t>(i);
    return inv;
  }

  size_t M_, E_;
  Options o_;
  std::function<bool(size_t, size_t)> sa_, ta_;
  std::vector<uint32_t> phi_, psi_, t_prime_, pS_, pT_, rS_inv_, rT_inv_;
};

// Sampled rows equal the closed form; over all rows: fan-out, ascending
// order, in-range ids and target capacities.
void CheckLargeRouting(const std::vector<int32_t>& routes, size_t M, size_t E,
                       const std::vector<uint32_t>& t_degrees,
                       const ClosedFormRows& closed, uint32_t k,
                       std::mt19937_64* rng) {
  ASSERT_EQ(routes.size(), M * k);
  std::vector<uint32_t> load(E, 0);
  for (size_t i = 0; i < M; ++i) {
    const int32_t* row = routes.data() + i * k;
    for (size_t m = 0; m < k && row[m] != -1; ++m) {
      ASSERT_LT(static_cast<size_t>(row[m]), E) << "row " << i;
      if (m > 0) {
        ASSERT_LT(row[m - 1], row[m]) << "row " << i;
      }
      ++load[row[m]];
    }
  }
  for (size_t t = 0; t < E; ++t) {
    ASSERT_LE(load[t], t_degrees[t]) << "target " << t << " over capacity";
  }
  std::vector<size_t> rows = {0, 1, M / 2, M - 2, M - 1};
  for (int n = 0; n < 59; ++n) rows.push_back(Uniform(rng, 0, M - 1));
  size_t full = 0;
  for (size_t i : rows) {
    uint32_t candidates = 0;
    const std::vector<int32_t> want = closed.Row(i, &candidates);
    const std::vector<int32_t> got(routes.begin() + i * k,
                                   routes.begin() + (i + 1) * k);
    ASSERT_EQ(got, want) << "row " << i << " (" << candidates << " candidates)";
    full += candidates >= k;
  }
  EXPECT_GT(full, 0u) << "no sampled row was full: a weak test";
}

TEST(LargeShapes, N16384AlignedMatchesTheClosedForm) {
  constexpr size_t N = 16384;
  std::mt19937_64 rng(16384);
  std::vector<uint32_t> s(N), t(N);
  for (auto& d : s) d = static_cast<uint32_t>(Uniform(&rng, N / 2, N));
  for (auto& d : t) d = static_cast<uint32_t>(Uniform(&rng, 0, N));
  s[0] = N;
  t[N - 1] = 0;
  Options o;
  o.k = 64;
  o.seed = 0xC0FFEE;
  o.row_perm = true;
  o.threads = 2;
  Router r;
  const std::vector<int32_t> routes = r.RouteDegrees(s, t, o).ids;
  const ClosedFormRows closed(
      N, N, s, t, o, [&](size_t i, size_t x) { return x < s[i]; },
      [&](size_t j, size_t y) { return y < t[j]; });
  CheckLargeRouting(routes, N, N, t, closed, o.k, &rng);
}

TEST(LargeShapes, N16384UnalignedBitsMatchTheClosedForm) {
  constexpr size_t N = 16384, W = N / 64;
  std::mt19937_64 rng(4096);
  // Dense random rows, every fourth one sparser.
  std::vector<uint64_t> S(N * W), T(N * W);
  for (size_t r = 0; r < N; ++r) {
    for (size_t w = 0; w < W; ++w) {
      S[r * W + w] = r % 4 == 0 ? rng() & rng() : rng() | rng();
      T[r * W + w] = r % 4 == 1 ? rng() & rng() & rng() : rng();
    }
  }
  auto popcounts = [&](const std::vector<uint64_t>& m) {
    std::vector<uint32_t> d(N);
    for (size_t r = 0; r < N; ++r) {
      for (size_t w = 0; w < W; ++w) d[r] += __builtin_popcountll(m[r * W + w]);
    }
    return d;
  };
  const std::vector<uint32_t> s = popcounts(S), t = popcounts(T);
  for (Select select : {Select::kLowest, Select::kRandom}) {
    Options o;
    o.k = 32;
    o.seed = 16384;
    o.align = false;
    o.select = select;
    o.threads = 2;
    Router r;
    const std::vector<int32_t> routes =
        r.Route(BitMatrixView{S.data(), N, N, 0},
                BitMatrixView{T.data(), N, N, 0}, o)
            .ids;
    const ClosedFormRows closed(
        N, N, s, t, o,
        [&](size_t i, size_t x) { return GetBit(S.data() + i * W, x); },
        [&](size_t j, size_t y) { return GetBit(T.data() + j * W, y); });
    CheckLargeRouting(routes, N, N, t, closed, o.k, &rng);
  }
}

}  // namespace
}  // namespace phase_router
