// Routing tokens to experts (moe.h): every token accepts every expert, and
// each expert's capacity is clipped to the ring size M = num_tokens.
#include <algorithm>
#include <vector>

#include "phase_router/moe.h"
#include "phase_router/phase_router.h"

namespace phase_router {
namespace {

// The degree vectors of an MoE routing: s_i = E for every token; t_e the
// capacity, at most num_tokens (a token cannot go to one expert twice, so a
// larger capacity allows nothing more, and the router refuses t_e > M).
void MoeDegrees(size_t num_tokens, std::span<const uint32_t> capacities,
                std::vector<uint32_t>* s, std::vector<uint32_t>* t) {
  // E > 2^32 - 1 cannot be a degree; the router refuses E over 2^31 - 1
  // with its own message, so pass a value it will refuse.
  const size_t E = capacities.size();
  s->assign(num_tokens, static_cast<uint32_t>(std::min<size_t>(E, UINT32_MAX)));
  t->resize(E);
  const uint32_t ring = static_cast<uint32_t>(std::min<size_t>(num_tokens, UINT32_MAX));
  for (size_t e = 0; e < E; ++e) (*t)[e] = std::min(capacities[e], ring);
}

}  // namespace

void RouteTokens(Router& router, size_t num_tokens, std::span<const uint32_t> capacities,
                 const Options& options, int32_t* out, Stats* stats) {
  std::vector<uint32_t> s, t;
  MoeDegrees(num_tokens, capacities, &s, &t);
  router.RouteDegrees(s, t, options, out, stats);
}

Routes RouteTokens(Router& router, size_t num_tokens, std::span<const uint32_t> capacities,
                   const Options& options, Stats* stats) {
  std::vector<uint32_t> s, t;
  MoeDegrees(num_tokens, capacities, &s, &t);
  return router.RouteDegrees(s, t, options, stats);
}

}  // namespace phase_router
