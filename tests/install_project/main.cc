// Routes a small example through the installed C++ API and checks the
// guarantees that hold for any seed: at most k ascending routes a source,
// target loads within their degrees, and a full row for every source when
// the degrees tile (every s_i = E and sum(t) = M * k).
#include <cstdio>
#include <vector>

#include "phase_router/phase_router.h"

int main() {
  const std::vector<uint32_t> s(12, 4);          // M = 12, s_i = E
  const std::vector<uint32_t> t = {9, 6, 6, 3};  // E = 4, sum = M * k
  phase_router::Options options;
  options.k = 2;
  options.seed = 7;
  const phase_router::Routes routes = phase_router::RouteDegrees(s, t, options);
  std::vector<uint32_t> load(t.size(), 0);
  for (size_t i = 0; i < routes.M; ++i) {
    const auto row = routes.row(i);
    if (row[0] < 0 || row[1] <= row[0]) {
      std::fprintf(stderr, "row %zu is not full and ascending\n", i);
      return 1;
    }
    for (int32_t target : row) ++load[static_cast<size_t>(target)];
  }
  for (size_t j = 0; j < t.size(); ++j) {
    if (load[j] != t[j]) {
      std::fprintf(stderr, "target %zu has load %u, expected %u\n", j, load[j],
                   t[j]);
      return 1;
    }
  }
  std::printf("consumer: routed %zu sources with %s\n", routes.M,
              phase_router::ActiveTarget().c_str());
  return 0;
}
