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

}  // namespace

void HashRoute(size_t M, size_t E, const Options& options, int32_t* out) {
  RequireAllRows(options, "HashRoute");
  if (M == 0 || E == 0) {
    throw Error(ErrorCode::kBadShape, "empty routing: M = " + std::to_string(M) +
                                          ", E = " + std::to_string(E));
  }
  if (options.k == 0) throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  if (E > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    throw Error(ErrorCode::kBadShape, "E = " + std::to_string(E) + " does not fit in int32");
  }
  if (out == nullptr) throw Error(ErrorCode::kBadData, "output buffer is null");
  const size_t k = options.k;
  const size_t take = std::min(k, E);
  // Past E/2 draws, picking the targets to leave out is cheaper.
  const bool exclude = take > E / 2;
  const size_t draws = exclude ? E - take : take;
  const uint64_t domain = DomainKey(options.seed, Domain::kHashRouter);
  const size_t words = WordsFor(E);
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  const bool parallel = static_cast<uint64_t>(M) * k >= (uint64_t{1} << 16);
#pragma omp parallel num_threads(threads) if (parallel)
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

Routes HashRoute(size_t M, size_t E, const Options& options) {
  RequireAllRows(options, "HashRoute");
  if (options.k == 0) throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  size_t entries = 0;
  if (__builtin_mul_overflow(M, static_cast<size_t>(options.k), &entries)) {
    throw Error(ErrorCode::kBadShape, "M * k overflows");
  }
  // The memory ceiling (Options::memory_limit), before allocating.
  const uint64_t limit = options.memory_limit ? options.memory_limit : DefaultMemoryLimit();
  if (entries > limit / sizeof(int32_t)) {
    throw Error(ErrorCode::kOutOfMemory,
                "hash routing of " + std::to_string(M) + " sources with k = " +
                    std::to_string(options.k) + " needs " +
                    std::to_string(entries * sizeof(int32_t)) +
                    " bytes of routes, over the memory limit of " + std::to_string(limit) +
                    " bytes; raise memory_limit to allow it");
  }
  Routes routes;
  routes.M = M;
  routes.k = options.k;
  routes.ids.resize(entries);
  HashRoute(M, E, options, routes.ids.data());
  return routes;
}

}  // namespace phase_router
