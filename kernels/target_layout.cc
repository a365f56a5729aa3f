#include "kernels/target_layout.h"

namespace phase_router {

using U128 = unsigned __int128;

bool AutoTilingHolds(uint64_t L, uint64_t M, uint64_t sum_s, uint64_t k, uint64_t E) {
  const uint64_t q = L / M;
  return static_cast<U128>(q) * sum_s >= static_cast<U128>(k) * M * E;
}

TargetLayout LayTargetArcs(const uint32_t* t, const uint32_t* order, size_t E, size_t M,
                           bool tile, uint32_t* arc_lengths, uint32_t* offsets,
                           uint64_t* starts) {
  uint64_t L = 0;
  for (size_t j = 0; j < E; ++j) L += t[j];
  TargetLayout layout;
  layout.tiled = tile && L >= M;
  // a = floor(A q M / L): the place's start scaled from [0, L) to [0, q M).
  const uint64_t q = L / M;
  const U128 scale = static_cast<U128>(q) * M;
  auto scaled = [&](uint64_t A) {
    return layout.tiled ? static_cast<uint64_t>(static_cast<U128>(A) * scale / L) : A;
  };
  uint64_t A = 0, a = 0;
  for (size_t p = 0; p < E; ++p) {
    const uint32_t target = order[p];
    const uint64_t b = scaled(A + t[target]);
    starts[p] = a;
    arc_lengths[target] = static_cast<uint32_t>(b - a);
    offsets[target] = static_cast<uint32_t>(a % M);
    A += t[target];
    a = b;
  }
  starts[E] = a;
  layout.laps = layout.tiled ? q : 0;
  layout.total = a;
  return layout;
}

}  // namespace phase_router
