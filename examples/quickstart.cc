// Route 8 sources to 6 targets with at most k = 2 targets per source.
#include <cstdio>
#include <vector>

#include "phase_router/phase_router.h"

int main() {
  // Degrees: how many targets each source accepts (<= E) and how many
  // sources each target accepts (<= M).
  const std::vector<uint32_t> s = {6, 3, 1, 4, 6, 2, 5, 6};  // M = 8
  const std::vector<uint32_t> t = {8, 4, 2, 6, 3, 5};        // E = 6

  phase_router::Options options;
  options.k = 2;
  options.seed = 42;

  phase_router::Router router;  // reuse it: it keeps its workspace
  phase_router::Stats stats;
  const phase_router::Routes routes = router.RouteDegrees(s, t, options, &stats);

  for (size_t i = 0; i < routes.M; ++i) {
    std::printf("source %zu ->", i);
    for (int32_t target : routes.row(i)) std::printf(" %d", target);  // -1 = unused
    std::printf("\n");
  }
  std::printf("fill %.2f, max load %u, backend %s\n", stats.fill_ratio,
              stats.load_max, stats.backend.c_str());
  return 0;
}
