// The hash-router baseline (phase_router.h): per source, k distinct uniform
// targets by rejection sampling on SplitMix64 draws, ascending via a bitset.
#include <omp.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "kernels/bit_matrix.h"
#include "kernels/random.h"
#include "phase_router/phase_router.h"
#include "router/validation.h"

namespace phase_router {
namespace {

// Marks `want` distinct targets of [0, E) in `chosen` (all clear on entry),
// drawing from source key `key`; returns the number of draws used.
void DrawDistinct(uint64_t key, size_t E, size_t want, uint64_t* chosen) {
  uint64_t n = 0;
  for (size_t have = 0; have < want;) {
    const size_t t = Bounded(Draw(key, n++), E);
    uint64_t& word = chosen[t / kWordBits];
    const uint64_t bit = 1ull << (t % kWordBits);
    have += (word & bit) == 0;
    word |= bit;
  }
}

// Routings of fewer entries (M * k) than this run on the calling thread.
constexpr uint64_t kParallelEntries = uint64_t{1} << 16;

bool Parallel(size_t M, const Options& options) {
  return static_cast<uint64_t>(M) * options.k >= kParallelEntries;
}

// The threads a call runs on, checked (CheckThreads) and started only when
// the call is parallel.
int HashThreads(size_t M, const Options& options) {
  return Parallel(M, options) ? ThreadsOf(options) : 1;
}

// The memory ceiling (Options::memory_limit), before allocating: each
// thread's bitset of E bits, plus `routes` bytes of an owned result.
void CheckHashMemory(size_t M, size_t E, const Options& options, int threads,
                     uint64_t routes) {
  const uint64_t limit = options.memory_limit ? options.memory_limit : DefaultMemoryLimit();
  const uint64_t scratch = uint64_t{WordsFor(E)} * sizeof(uint64_t) * static_cast<uint64_t>(threads);
  if (routes <= limit && scratch <= limit - routes) return;
  throw Error(ErrorCode::kOutOfMemory,
              "hash routing of " + std::to_string(M) + " sources with k = " +
                  std::to_string(options.k) + " on " + std::to_string(threads) +
                  " thread(s) needs " + std::to_string(routes) + " bytes of routes + " +
                  std::to_string(scratch) + " of per-thread scratch, over the memory limit of " +
                  std::to_string(limit) + " bytes; raise memory_limit to allow it");
}

void CheckHashRequest(size_t M, size_t E, const Options& options) {
  RequireAllRows(options, "HashRoute");
  if (M == 0 || E == 0) {
    throw Error(ErrorCode::kBadShape, "empty routing: M = " + std::to_string(M) +
                                          ", E = " + std::to_string(E));
  }
  if (options.k == 0) throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  if (E > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    throw Error(ErrorCode::kBadShape, "E = " + std::to_string(E) + " does not fit in int32");
  }
  CheckThreads(options);
}

// Routes into `out` on `threads` threads; the request is checked.
void HashRouteChecked(size_t M, size_t E, const Options& options, int threads, int32_t* out) {
  const size_t k = options.k;
  const size_t take = std::min(k, E);
  // Past E/2 draws, picking the targets to leave out is cheaper.
  const bool exclude = take > E / 2;
  const size_t draws = exclude ? E - take : take;
  const uint64_t domain = DomainKey(options.seed, Domain::kHashRouter);
  const size_t words = WordsFor(E);
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    std::vector<uint64_t> chosen(words);
#pragma omp for schedule(static)
    for (size_t i = 0; i < M; ++i) {
      std::fill(chosen.begin(), chosen.end(), 0);
      DrawDistinct(Draw(domain, i), E, draws, chosen.data());
      if (exclude) {
        for (size_t w = 0; w < words; ++w) chosen[w] = ~chosen[w];
        chosen[words - 1] &= LastWordMask(E);
      }
      int32_t* row = out + i * k;
      size_t n = 0;
      for (size_t w = 0; w < words; ++w) {
        for (uint64_t bits = chosen[w]; bits != 0; bits &= bits - 1) {
          row[n++] = static_cast<int32_t>(w * kWordBits + __builtin_ctzll(bits));
        }
      }
      std::fill(row + n, row + k, -1);
    }
  }
}

}  // namespace

void HashRoute(size_t M, size_t E, const Options& options, int32_t* out) {
  CheckHashRequest(M, E, options);
  if (out == nullptr) throw Error(ErrorCode::kBadData, "output buffer is null");
  const int threads = HashThreads(M, options);
  CheckHashMemory(M, E, options, threads, 0);
  HashRouteChecked(M, E, options, threads, out);
}

Routes HashRoute(size_t M, size_t E, const Options& options) {
  CheckHashRequest(M, E, options);
  size_t entries = 0;
  if (__builtin_mul_overflow(M, static_cast<size_t>(options.k), &entries) ||
      entries > std::numeric_limits<uint64_t>::max() / sizeof(int32_t)) {
    throw Error(ErrorCode::kBadShape, "M * k overflows");
  }
  const int threads = HashThreads(M, options);
  CheckHashMemory(M, E, options, threads, uint64_t{entries} * sizeof(int32_t));
  Routes routes;
  routes.M = M;
  routes.k = options.k;
  routes.ids.resize(entries);
  HashRouteChecked(M, E, options, threads, routes.ids.data());
  return routes;
}

}  // namespace phase_router
