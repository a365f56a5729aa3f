// Routes by target (moe.h): the CSR inverse of a routing, by a counting sort
// over row bands.
//
// Why bands: the place of route (i, j) into target t is offsets[t] plus the
// routes into t from rows before i (plus earlier slots of row i). Splitting
// the rows into contiguous bands, counting each band's routes per target, and
// giving band b of target t the place after bands 0..b-1 reproduces exactly
// that order, however many bands there are and whichever thread runs them.
// So the output is the same for any thread count, without atomics.
//
// Why a stage: writing each route straight to its place keeps 2E write
// streams open (sources and slots of every target). When the loads are equal
// and a power of two, as in an MoE routing at capacity factor 1, all streams
// start on the same cache set and evict each other at every store (several
// times slower than random routes). So a band is first sorted in a small stage that stays in
// the L1 cache, and each target's run is then copied to its place whole.

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "phase_router/moe.h"
#include "phase_router/phase_router.h"
#include "router/validation.h"

namespace phase_router {
namespace {

// Below this many entries waking an OpenMP team costs more than the sweeps.
constexpr size_t kParallelEntries = size_t{1} << 16;
constexpr size_t kMaxId = static_cast<size_t>(std::numeric_limits<int32_t>::max());

struct Shape {
  size_t M = 0, k = 0, E = 0;
};

Shape CheckShape(std::span<const int32_t> routes, size_t k, size_t E) {
  if (k == 0) throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  if (E == 0 || E > kMaxId) {
    throw Error(ErrorCode::kBadShape,
                "E = " + std::to_string(E) + " is out of range; expected 1 to 2^31 - 1");
  }
  if (routes.size() % k != 0) {
    throw Error(ErrorCode::kBadShape, "routes has " + std::to_string(routes.size()) +
                                          " entries, not a multiple of k = " +
                                          std::to_string(k));
  }
  const size_t M = routes.size() / k;
  if (M > kMaxId) {
    throw Error(ErrorCode::kBadShape,
                "routes has M = " + std::to_string(M) + " rows; sources are int32 (at most 2^31 - 1)");
  }
  if (M != 0 && routes.data() == nullptr) throw Error(ErrorCode::kBadData, "routes is null");
  return {M, k, E};
}

// Routes a staged band holds: the stage (4 bytes of source and 4 of slot
// each, 64 KiB) fits the L1 or L2 cache. At least 4 routes a target on
// average, so the per-target copies are not mostly overhead; past
// kMaxStageEntries (very many targets, hence short runs and many write
// positions spread over the cache anyway) bands are written directly.
constexpr size_t kStageEntries = 8192;
constexpr size_t kMaxStageEntries = 65536;

struct Plan {
  size_t band_rows = 1;  // rows a band (the last one may hold fewer)
  size_t bands = 1;
  bool staged = false;
  int team = 1;  // OpenMP threads
  size_t Begin(size_t band, size_t M) const { return std::min(M, band * band_rows); }
};

Plan MakePlan(const Shape& shape, int threads) {
  const size_t entries = shape.M * shape.k;
  const bool parallel = entries >= kParallelEntries;
  const size_t want = static_cast<size_t>(parallel ? threads : 1);
  Plan plan;
  const size_t stage_entries = std::max(kStageEntries, 4 * shape.E);
  plan.staged = stage_entries <= kMaxStageEntries;
  if (plan.staged) {
    plan.band_rows = std::max<size_t>(1, stage_entries / shape.k);
  } else {
    // One band a thread, and the band x target counters (8 bytes each)
    // within the size of the routes.
    const size_t by_counters = std::max<size_t>(1, entries / shape.E);
    const size_t bands = std::max<size_t>(1, std::min({want, by_counters, shape.M}));
    plan.band_rows = std::max<size_t>(1, (shape.M + bands - 1) / bands);
  }
  plan.bands = std::max<size_t>(1, (shape.M + plan.band_rows - 1) / plan.band_rows);
  plan.team = static_cast<int>(std::min(want, plan.bands));
  return plan;
}

// Counts rows [begin, end)'s routes per target into counts (E entries, zero
// on entry). Returns the index of the first entry that is not -1 or a
// target id, or SIZE_MAX if there is none.
size_t CountBand(const int32_t* routes, const Shape& shape, size_t begin, size_t end,
                 int64_t* counts) {
  const size_t last = end * shape.k;
  const uint32_t E = static_cast<uint32_t>(shape.E);
  for (size_t n = begin * shape.k; n < last; ++n) {
    const int32_t t = routes[n];
    if (t == -1) continue;
    // One unsigned comparison catches both t < -1 and t >= E.
    if (static_cast<uint32_t>(t) >= E) return n;
    ++counts[t];
  }
  return SIZE_MAX;
}

// Writes rows [begin, end)'s routes in row order; next[t] is the place of
// the band's next route into t.
void PlaceBand(const int32_t* routes, const Shape& shape, size_t begin, size_t end,
               int64_t* next, int32_t* sources, int32_t* slots) {
  const size_t k = shape.k;
  for (size_t i = begin; i < end; ++i) {
    const int32_t* row = routes + i * k;
    for (size_t j = 0; j < k; ++j) {
      const int32_t t = row[j];
      if (t < 0) continue;
      const int64_t place = next[t]++;
      sources[place] = static_cast<int32_t>(i);
      slots[place] = static_cast<int32_t>(j);
    }
  }
}

// A thread's stage: one band's routes grouped by target.
struct Stage {
  std::vector<int32_t> sources, slots;
  std::vector<uint32_t> start, next;  // per target
  Stage(size_t entries, size_t E) : sources(entries), slots(entries), start(E), next(E) {}
};

// Sorts rows [begin, end) by target in `stage`, then copies target t's run
// to its place base[t]; count[t] is the band's routes into t.
void StageBand(const int32_t* routes, const Shape& shape, size_t begin, size_t end,
               const int64_t* base, const int64_t* count, Stage& stage, int32_t* sources,
               int32_t* slots) {
  const size_t k = shape.k, E = shape.E;
  uint32_t at = 0;
  for (size_t t = 0; t < E; ++t) {
    stage.start[t] = stage.next[t] = at;
    at += static_cast<uint32_t>(count[t]);
  }
  for (size_t i = begin; i < end; ++i) {
    const int32_t* row = routes + i * k;
    for (size_t j = 0; j < k; ++j) {
      const int32_t t = row[j];
      if (t < 0) continue;
      const uint32_t place = stage.next[t]++;
      stage.sources[place] = static_cast<int32_t>(i);
      stage.slots[place] = static_cast<int32_t>(j);
    }
  }
  for (size_t t = 0; t < E; ++t) {
    const size_t n = static_cast<size_t>(count[t]);
    std::copy_n(stage.sources.data() + stage.start[t], n, sources + base[t]);
    std::copy_n(stage.slots.data() + stage.start[t], n, slots + base[t]);
  }
}

[[noreturn]] void ThrowBadEntry(std::span<const int32_t> routes, const Shape& shape,
                                size_t n) {
  throw Error(ErrorCode::kBadData,
              "routes[" + std::to_string(n / shape.k) + "][" + std::to_string(n % shape.k) +
                  "] = " + std::to_string(routes[n]) + " is not a target id in [0, E = " +
                  std::to_string(shape.E) + ") nor -1");
}

void CheckOutput(size_t have, uint64_t need, const char* name) {
  if (have < need) {
    throw Error(ErrorCode::kBadShape, std::string(name) + " holds " + std::to_string(have) +
                                          " entries, but the routes need " +
                                          std::to_string(need));
  }
}

}  // namespace

void ComputeRoutesByTarget(std::span<const int32_t> routes, size_t k, size_t E,
                           std::span<int64_t> offsets, std::span<int32_t> sources,
                           std::span<int32_t> slots, int threads) {
  const Shape shape = CheckShape(routes, k, E);
  Options thread_options;
  thread_options.threads = threads;
  CheckThreads(thread_options);
  CheckOutput(offsets.size(), uint64_t{E} + 1, "offsets");
  const Plan plan = MakePlan(shape, ThreadsOf(thread_options));
  const size_t bands = plan.bands, M = shape.M;
  const int team = plan.team;

  // Sweep 1: counts[b * E + t] = band b's routes into t.
  std::vector<int64_t> counts(bands * E, 0);
  std::vector<size_t> bad(bands, SIZE_MAX);
#pragma omp parallel for num_threads(team) if (team > 1) schedule(static)
  for (size_t b = 0; b < bands; ++b) {
    bad[b] = CountBand(routes.data(), shape, plan.Begin(b, M), plan.Begin(b + 1, M),
                       counts.data() + b * E);
  }
  // Bands are in row order, so the first band with a bad entry holds the
  // first bad entry of all.
  for (size_t n : bad) {
    if (n != SIZE_MAX) ThrowBadEntry(routes, shape, n);
  }

  // The prefix: offsets[t + 1] = routes into targets <= t; bases[b * E + t]
  // = the place of band b's first route into t. counts stay: the stage
  // needs them.
  std::vector<int64_t> bases(bands * E);
  offsets[0] = 0;
#pragma omp parallel num_threads(team) if (team > 1)
  {
#pragma omp for schedule(static)
    for (size_t t = 0; t < E; ++t) {
      int64_t total = 0;
      for (size_t b = 0; b < bands; ++b) total += counts[b * E + t];
      offsets[t + 1] = total;
    }
#pragma omp single
    for (size_t t = 0; t < E; ++t) offsets[t + 1] += offsets[t];
#pragma omp for schedule(static)
    for (size_t t = 0; t < E; ++t) {
      int64_t next = offsets[t];
      for (size_t b = 0; b < bands; ++b) {
        bases[b * E + t] = next;
        next += counts[b * E + t];
      }
    }
  }
  const uint64_t routed = static_cast<uint64_t>(offsets[E]);
  CheckOutput(sources.size(), routed, "sources");
  CheckOutput(slots.size(), routed, "slots");

  // Sweep 2: each band writes its routes in row order from its places.
  if (!plan.staged) {
#pragma omp parallel for num_threads(team) if (team > 1) schedule(static)
    for (size_t b = 0; b < bands; ++b) {
      PlaceBand(routes.data(), shape, plan.Begin(b, M), plan.Begin(b + 1, M),
                bases.data() + b * E, sources.data(), slots.data());
    }
    return;
  }
#pragma omp parallel num_threads(team) if (team > 1)
  {
    Stage stage(plan.band_rows * shape.k, E);
#pragma omp for schedule(static)
    for (size_t b = 0; b < bands; ++b) {
      StageBand(routes.data(), shape, plan.Begin(b, M), plan.Begin(b + 1, M),
                bases.data() + b * E, counts.data() + b * E, stage, sources.data(),
                slots.data());
    }
  }
}

RoutesByTarget ComputeRoutesByTarget(std::span<const int32_t> routes, size_t k, size_t E,
                                     int threads) {
  const Shape shape = CheckShape(routes, k, E);
  RoutesByTarget result;
  result.E = E;
  result.offsets.resize(E + 1);
  // Every entry may be a route; the unused tail is cut off afterwards
  // (resize down keeps the allocation: no copy).
  result.sources.resize(shape.M * k);
  result.slots.resize(shape.M * k);
  ComputeRoutesByTarget(routes, k, E, result.offsets, result.sources, result.slots, threads);
  const size_t routed = static_cast<size_t>(result.offsets[E]);
  result.sources.resize(routed);
  result.slots.resize(routed);
  return result;
}

RoutesByTarget ComputeRoutesByTarget(const Routes& routes, size_t E, int threads) {
  return ComputeRoutesByTarget(routes.ids, routes.k, E, threads);
}

}  // namespace phase_router
