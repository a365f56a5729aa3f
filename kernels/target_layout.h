// SPEC.md step 2 on the target side: where each target's arc lies on the
// source ring Z_M. Targets are laid end to end in a seed-shuffled order
// (place sigma[t]); with tiling, the arcs are scaled so that together they
// cover the ring exactly q = floor(L / M) times (L = Σ t_t).
//
// Laid end to end, the arcs partition the unrolled line [0, total): the
// target at place p covers [starts[p], starts[p + 1]), and on the ring it is
// the arc [starts[p] mod M, + length). The arc method's locator searches
// `starts`; the bit method rotates by the offsets.
#ifndef PHASE_ROUTER_KERNELS_TARGET_LAYOUT_H_
#define PHASE_ROUTER_KERNELS_TARGET_LAYOUT_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

struct TargetLayout {
  bool tiled = false;  // whether the arcs were scaled
  uint64_t laps = 0;   // q when tiled, else 0
  uint64_t total = 0;  // Σ t'_t: q M when tiled, else L
};

// SPEC.md's auto rule: q Σs >= k M E, with q = floor(L / M), in 128 bits.
bool AutoTilingHolds(uint64_t L, uint64_t M, uint64_t sum_s, uint64_t k, uint64_t E);

// Lays out E targets of lengths t (each <= M) on the ring of M sources.
// order[p] is the target at place p (sigma's inverse). `tile`: the caller's
// decision (SPEC.md: align on, L >= M and the tiling option); ignored when
// L < M. Writes, per target, arc_lengths[t] = t'_t and offsets[t] = psi_t,
// and per place starts[p] (E + 1 entries; starts[E] = total).
// O(E), exact integer arithmetic (products in 128 bits).
TargetLayout LayTargetArcs(const uint32_t* t, const uint32_t* order, size_t E, size_t M,
                           bool tile, uint32_t* arc_lengths, uint32_t* offsets,
                           uint64_t* starts);

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_TARGET_LAYOUT_H_
