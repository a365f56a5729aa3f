// Phase Router: seed-randomized, deterministic, capped bipartite routing from
// degree-specified binary matrices (see docs/spec.md and SPEC.md).
//
// One header, no SIMD types. Every entry point validates its input once and
// reports bad input by throwing phase_router::Error (a std::invalid_argument
// carrying an ErrorCode and a message that names the bad value); nothing is
// printed and nothing aborts.
//
// Thread safety (docs/reliability.md): a Router is not safe to use from
// several threads at once; separate Router objects are independent and may
// route concurrently, as may the one-shot functions. ForceTarget is
// process-wide: it changes the target of every later call on every thread.
// Each Route call may itself use OpenMP threads (Options::threads); the
// routes never depend on their number.
#ifndef PHASE_ROUTER_PHASE_ROUTER_H_
#define PHASE_ROUTER_PHASE_ROUTER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "phase_router/error.h"  // Error, ErrorCode

namespace phase_router {

// The version of SPEC.md this library implements, bit for bit.
inline constexpr int kSpecVersion = 2;

enum class Select { kRandom, kLowest };

// Parses "random" / "lowest"; throws Error(kBadOption) otherwise.
Select ParseSelect(std::string_view name);
const char* SelectName(Select select);

// How candidates are found (docs/scale.md). Both give the same routes.
//  kBits: the bit-matrix pipeline; any input. Memory ~ 2 M x E bits (3 unaligned).
//  kArcs: arc intersection, for aligned inputs only (degree vectors, or
//         matrices with align on): no bit matrix, O(M + E) memory besides
//         the routes; per source about min(s_i, 4 Σt / M) tests.
//  kAuto: kArcs for aligned inputs when the cost model (docs/scale.md)
//         says it is cheaper or the bit matrices would not fit the memory
//         limit, else kBits.
enum class Method { kAuto, kBits, kArcs };

// Parses "auto" / "bits" / "arcs"; throws Error(kBadOption) otherwise.
Method ParseMethod(std::string_view name);
const char* MethodName(Method method);

// SPEC.md step 2's tiling rule: with tiling the target arcs are scaled to
// tile the source ring a whole number q = floor(Σt / M) of laps, so every
// source with s_i = E gets exactly q candidates.
//  kAuto: tile when align is on, Σt >= M and q * Σs >= k * M * E (the laps
//         hold every source's k routes on average).
//  kOn:   tile whenever align is on and Σt >= M.
//  kOff:  never tile (arcs of length t_t).
enum class Tiling { kAuto, kOn, kOff };

// Parses "auto" / "on" / "off"; throws Error(kBadOption) otherwise.
Tiling ParseTiling(std::string_view name);
const char* TilingName(Tiling tiling);

struct Options {
  uint32_t k = 1;         // hard fan-out cap per source, >= 1
  uint64_t seed = 0;      // any value; 0 is an ordinary seed
  bool align = true;      // SPEC.md step 1
  bool row_perm = false;  // SPEC.md step 5
  Select select = Select::kRandom;
  // OpenMP threads for this call; 0 = OpenMP default (omp_get_max_threads(),
  // capped at the bound below). Routings under 2^20 bits (rows routed x E;
  // at least 256 columns counted for the arc method) run on the calling
  // thread whatever this says: waking a team costs more than they do.
  // Bounded by 4 x the CPUs OpenMP reports (omp_get_num_procs()), but at
  // least 64 and at most 1024: beyond it every call (Route*, HashRoute, the
  // baselines, AverageOverSeeds) throws Error(kBadOption) naming the value
  // and the bound. Before a team larger than any started so far runs, the
  // library checks that the system can start it (with OMP_STACKSIZE's
  // stacks): where it cannot (ulimit -v, -u) the call throws
  // Error(kOutOfMemory) instead of OpenMP ending the process.
  int threads = 0;
  // Memory ceiling of one call, in bytes; 0 = DefaultMemoryLimit(). A call
  // counts the workspace its plan needs (method, row range, threads; for
  // the bit method over all rows that is Router::WorkspaceBytesFor) plus,
  // for the calls that return Routes, the rows * k * 4 bytes of the result;
  // over the ceiling it throws Error(kOutOfMemory) naming both numbers,
  // before allocating anything.
  uint64_t memory_limit = 0;
  Method method = Method::kAuto;
  // Route only the sources [row_begin, row_end) (row_end 0 means M): the
  // output holds (row_end - row_begin) * k entries, row r being source
  // row_begin + r, equal to that row of the whole routing. Workspace and
  // output scale with the range, besides O(M + E) for degrees and
  // permutations (docs/scale.md). This is how routings are sharded across
  // processes (tools/mpi).
  size_t row_begin = 0;
  size_t row_end = 0;
  Tiling tiling = Tiling::kAuto;  // SPEC.md step 2
};

// The memory ceiling used when Options::memory_limit is 0: half the physical
// memory of this machine, at most 16 GiB (16 GiB where it cannot be read).
uint64_t DefaultMemoryLimit();

// A byte matrix: rows x cols bytes, row r at data + r * stride, nonzero = 1.
struct ByteMatrixView {
  const uint8_t* data = nullptr;
  size_t rows = 0;
  size_t cols = 0;
  size_t stride = 0;  // bytes between rows; 0 means cols
};

// A packed bit matrix (kernels/bit_matrix.h): row r at words + r * stride,
// bit x of a row is bit x % 64 of word x / 64; bits at x >= cols must be 0.
struct BitMatrixView {
  const uint64_t* words = nullptr;
  size_t rows = 0;
  size_t cols = 0;
  size_t stride = 0;  // words between rows; 0 means ceil(cols / 64)
};

// Per-call statistics. Loads count routes into each target, from the rows
// routed ([row_begin, row_end), the whole [0, M) unless a range was asked).
struct Stats {
  size_t M = 0, E = 0, k = 0;
  size_t row_begin = 0, row_end = 0;
  uint64_t active_routes = 0;  // entries != -1
  double fill_ratio = 0;       // active_routes / (rows routed * k)
  uint32_t candidates_min = 0;  // c_i = |C_i| before the cap
  double candidates_mean = 0;
  uint32_t candidates_max = 0;
  uint32_t load_max = 0;
  double load_mean = 0;  // active_routes / E
  double load_skew = 0;  // load_max / load_mean; 1 when there are no routes
  // Milliseconds per pipeline stage, in pipeline order (names in docs/spec.md);
  // the last, "stats", is the counting of these fields, so the stages add up
  // to route_ms.
  std::vector<std::pair<std::string, double>> stage_ms;
  double route_ms = 0;  // the whole call
  std::string backend;  // the kernel backend that ran
  std::string method;   // "bits" or "arcs" (Options::method, resolved)
  bool tiled = false;   // whether SPEC.md's tiling applied (Options::tiling)
  uint64_t laps = 0;    // q = floor(Σt / M) when tiled, else 0
  int spec = kSpecVersion;
};

// An owned routing: M rows of k int32 target ids, ascending, -1 padded.
// For a row range, M is the number of rows held and row(i) is source
// row_begin + i.
struct Routes {
  size_t M = 0, k = 0;
  size_t row_begin = 0;
  std::vector<int32_t> ids;  // M * k, row-major
  std::span<const int32_t> row(size_t i) const {
    return {ids.data() + i * k, k};
  }
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // S is M x E, T is E x M. `out` holds M * k int32 (caller-owned), or
  // (row_end - row_begin) * k for a row range. With
  // options.align only the row popcounts of S and T matter.
  void Route(const ByteMatrixView& S, const ByteMatrixView& T,
             const Options& options, int32_t* out, Stats* stats = nullptr);
  void Route(const BitMatrixView& S, const BitMatrixView& T,
             const Options& options, int32_t* out, Stats* stats = nullptr);
  // Degree vectors: s has M entries each <= E, t has E entries each <= M.
  // Same routes as the matrix calls with align on; options.align is ignored.
  void RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                    const Options& options, int32_t* out,
                    Stats* stats = nullptr);

  // Owned-result variants.
  Routes Route(const ByteMatrixView& S, const ByteMatrixView& T,
               const Options& options, Stats* stats = nullptr);
  Routes Route(const BitMatrixView& S, const BitMatrixView& T,
               const Options& options, Stats* stats = nullptr);
  Routes RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                      const Options& options, Stats* stats = nullptr);

  // Bytes held by the workspace (kept across calls; reused when M, E match).
  size_t workspace_bytes() const;

  // Bytes of workspace an M x E routing of all rows from degree vectors by
  // the bit method on `threads` OpenMP threads needs (matrices add 4 M
  // bytes of counted degrees): the formula the workspace is sized with, so
  // a fresh Router's workspace_bytes() after such a call equals it. (The arc method needs O(M + E); docs/scale.md.) Saturates at
  // UINT64_MAX.
  // (A call uses options.threads threads, or omp_get_max_threads() for 0,
  // and 1 for routings under 2^20 bits.)
  static uint64_t WorkspaceBytesFor(size_t M, size_t E, size_t threads);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot conveniences (a temporary Router each call).
Routes Route(const ByteMatrixView& S, const ByteMatrixView& T,
             const Options& options, Stats* stats = nullptr);
Routes Route(const BitMatrixView& S, const BitMatrixView& T,
             const Options& options, Stats* stats = nullptr);
Routes RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                    const Options& options, Stats* stats = nullptr);

// ---- Baseline -----------------------------------------------------------
// The hash router, for comparing like with like: source i takes min(k, E)
// distinct targets, drawn uniformly by hashing (seed, i, slot) with repeats
// rejected, reported ascending and -1 padded like Route's output. It ignores
// the degree constraints (every source accepts every target, no target
// capacity), so it is the throughput yardstick and the balance baseline of a
// router without global state. Deterministic for any thread count.
// Options::threads is checked as for Route. Options::memory_limit counts
// each thread's scratch (E bits) and, for the owned variant, the M * k * 4
// bytes of routes.
void HashRoute(size_t M, size_t E, const Options& options, int32_t* out);
Routes HashRoute(size_t M, size_t E, const Options& options);

// ---- Kernel targets (dispatch/) --------------------------------------------
// Names are Highway target names ("AVX3_DL", "AVX3", "AVX2", "SSE4", "NEON",
// "SVE", ...) plus "generic", the portable backend; best first.
std::vector<std::string> CompiledTargets();
std::vector<std::string> SupportedTargets();  // the compiled ones this CPU runs
// The target the next Route call uses: the forced one (ForceTarget, else the
// environment variable PHASE_ROUTER_TARGET), else the best supported. Throws
// Error(kBadOption) if the environment names an unknown or unsupported target.
std::string ActiveTarget();
// Forces a target for the whole process ("" restores the default). Names
// match case-insensitively; an unknown or unsupported name throws
// Error(kBadOption) and changes nothing: there is no silent fallback.
void ForceTarget(std::string_view name);

// Recomputes the route-derived fields of Stats (active routes, fill, loads)
// from routes alone; used by the router and by tests.
void ComputeRouteStats(const int32_t* routes, size_t M, size_t E, size_t k,
                       Stats* stats);

}  // namespace phase_router

#endif  // PHASE_ROUTER_PHASE_ROUTER_H_
