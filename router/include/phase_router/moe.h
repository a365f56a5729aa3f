// Mixture-of-Experts vocabulary over phase_router.h (docs/moe.md): the
// routes grouped by target (the dispatch input of an expert-parallel layer),
// capacity planning from a capacity factor, and routing tokens to experts.
//
// In MoE terms a routing has M = num_tokens sources (tokens) and E targets
// (experts); every token accepts every expert (s_i = E) and expert e takes at
// most t_e = capacities[e] tokens. The router is content-blind: it sees no
// scores, only these capacities.
//
// Same error model as phase_router.h: bad input throws phase_router::Error
// naming the bad value. Every function is deterministic: the same input gives
// the same output for any thread count.
#ifndef PHASE_ROUTER_MOE_H_
#define PHASE_ROUTER_MOE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "phase_router/phase_router.h"

namespace phase_router {

// ---- Routes by target -------------------------------------------------------
// The CSR inverse of a routing (rows of k target ids, -1 = unused slot): the
// routes into target t are entries [offsets[t], offsets[t + 1]) of `sources`
// (the row each came from, ascending within a target) and `slots` (its
// column 0..k-1 in that row). offsets[0] = 0 and offsets[E] is the number of
// routes. For a row range's routes (Options::row_begin), sources are row
// indices of that range: add row_begin for source ids.
struct RoutesByTarget {
  size_t E = 0;
  std::vector<int64_t> offsets;  // E + 1 entries
  std::vector<int32_t> sources;  // offsets[E] entries
  std::vector<int32_t> slots;    // offsets[E] entries

  size_t size() const { return sources.size(); }
  std::span<const int32_t> sources_of(size_t t) const {
    return {sources.data() + offsets[t], Count(t)};
  }
  std::span<const int32_t> slots_of(size_t t) const {
    return {slots.data() + offsets[t], Count(t)};
  }

 private:
  size_t Count(size_t t) const {
    return static_cast<size_t>(offsets[t + 1] - offsets[t]);
  }
};

// `routes` holds M rows of k entries, each -1 or a target id in [0, E).
// Writes offsets (at least E + 1 entries) and the first offsets[E] entries
// of sources and slots, which must hold at least that many (M * k always
// suffices). Runs on `threads` OpenMP threads (0 = OpenMP's default; routings
// under 2^16 entries on the calling thread): one sweep counts each row
// band's routes per target, a prefix sum places the bands, a second sweep
// writes each band's routes in row order. The output does not depend on the
// thread count.
// Throws Error: kBadOption for k = 0 or a bad thread count; kBadShape for
// E = 0 or over 2^31 - 1, routes.size() not a multiple of k, M over 2^31 - 1,
// or output spans too short (naming what they would need); kBadData for an
// entry outside [0, E) other than -1 (the first such, by row then slot).
void ComputeRoutesByTarget(std::span<const int32_t> routes, size_t k, size_t E,
                           std::span<int64_t> offsets,
                           std::span<int32_t> sources,
                           std::span<int32_t> slots, int threads = 0);
// Owned results; the same checks.
RoutesByTarget ComputeRoutesByTarget(std::span<const int32_t> routes, size_t k,
                                     size_t E, int threads = 0);
RoutesByTarget ComputeRoutesByTarget(const Routes& routes, size_t E,
                                     int threads = 0);

// ---- Capacity planning ------------------------------------------------------
// Expert capacities t (E entries) for M tokens with k experts each:
// Σt = ⌊capacity_factor · M · k⌋, split in proportion to `weights` (E
// entries, finite, >= 0, not all 0; empty = uniform) by the largest-remainder
// method, with every t_e <= M (an expert cannot take a token twice).
//  - The factor is read as the decimal it was written as: a product within
//    2^-48 (relative) of an integer is that integer, so 1.1 · 10 · 1 gives
//    11 although the double 1.1 lies above 1.1, and 0.29 · 100 · 1 gives 29
//    although the double 0.29 lies below 0.29.
//  - An expert whose proportional share reaches M gets exactly M, and the
//    rest is split among the others in proportion to their weights (so only
//    Σt > M · (experts of nonzero weight) is impossible).
//  - Largest remainder: each expert gets the floor of its share, and the
//    units left over go one each to the largest remainders; equal
//    remainders go to the lower expert id. Uniform weights thus give
//    ⌊Σt / E⌋ to every expert and one more to experts 0 .. (Σt mod E) - 1.
//  - Weights are scaled by a power of two to integers below 2^53 (exact for
//    integer weights up to 2^53 and for weights within a factor 2^52 of the
//    largest), so shares and ties are exact integer arithmetic and the same
//    on every platform.
// Throws Error: kBadShape for M or E = 0 or over 2^31 - 1, or weights of the
// wrong length; kBadOption for k = 0, a negative, infinite or NaN factor or
// weight, all-zero weights, or Σt over what the experts can take (the
// message names Σt, M and the experts).
std::vector<uint32_t> Capacities(size_t M, size_t E, uint32_t k,
                                 double capacity_factor,
                                 std::span<const double> weights = {});

// ---- Routing tokens to experts ----------------------------------------------
// Routes num_tokens tokens to E = capacities.size() experts: every token
// accepts every expert (s_i = E), and expert e takes at most
// min(capacities[e], num_tokens) tokens. Capacities above num_tokens are
// clipped rather than refused: no expert can take a token twice, so a
// capacity above the ring size M = num_tokens allows nothing more, and
// capacities computed for a full batch keep working for a partial last
// batch (each expert still takes at most its capacity). `out` holds
// num_tokens * options.k int32 (Router::RouteDegrees' format); every
// option applies (row ranges included). With Σ capacities = num_tokens · k
// (each at most num_tokens), every token gets exactly k experts and every
// expert exactly its capacity, with tiling or without (SPEC.md, "Exact
// tiling").
void RouteTokens(Router& router, size_t num_tokens,
                 std::span<const uint32_t> capacities, const Options& options,
                 int32_t* out, Stats* stats = nullptr);
Routes RouteTokens(Router& router, size_t num_tokens,
                   std::span<const uint32_t> capacities, const Options& options,
                   Stats* stats = nullptr);

}  // namespace phase_router

#endif  // PHASE_ROUTER_MOE_H_
