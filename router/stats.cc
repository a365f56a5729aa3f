#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"
#include "router/pipeline.h"
#include "router/route_stats.h"

namespace phase_router {

Select ParseSelect(std::string_view name) {
  if (name == "random") return Select::kRandom;
  if (name == "lowest") return Select::kLowest;
  throw Error(ErrorCode::kBadOption,
              "unknown select mode '" + std::string(name) + "' (expected random or lowest)");
}

const char* SelectName(Select select) {
  return select == Select::kLowest ? "lowest" : "random";
}

Method ParseMethod(std::string_view name) {
  if (name == "auto") return Method::kAuto;
  if (name == "bits") return Method::kBits;
  if (name == "arcs") return Method::kArcs;
  throw Error(ErrorCode::kBadOption,
              "unknown method '" + std::string(name) + "' (expected auto, bits or arcs)");
}

const char* MethodName(Method method) {
  switch (method) {
    case Method::kBits: return "bits";
    case Method::kArcs: return "arcs";
    default: return "auto";
  }
}

Tiling ParseTiling(std::string_view name) {
  if (name == "auto") return Tiling::kAuto;
  if (name == "on") return Tiling::kOn;
  if (name == "off") return Tiling::kOff;
  throw Error(ErrorCode::kBadOption,
              "unknown tiling '" + std::string(name) + "' (expected auto, on or off)");
}

const char* TilingName(Tiling tiling) {
  switch (tiling) {
    case Tiling::kOn: return "on";
    case Tiling::kOff: return "off";
    default: return "auto";
  }
}

void ComputeRouteStats(const int32_t* routes, size_t M, size_t E, size_t k, Stats* stats) {
  ComputeRouteStatsOn(routes, M, E, k, 1, stats);
}

void ComputeRouteStatsOn(const int32_t* routes, size_t M, size_t E, size_t k, int threads,
                         Stats* stats) {
  const uint64_t entries = static_cast<uint64_t>(M) * k;
  const uint64_t affordable = E ? entries / (8 * static_cast<uint64_t>(E)) : 0;
  const size_t teams = static_cast<size_t>(
      std::clamp<uint64_t>(affordable, 1, static_cast<uint64_t>(std::max(threads, 1))));
  // Per thread: its targets' loads (a load is at most M < 2^31) and its
  // active count.
  std::vector<uint32_t> loads(teams * E, 0);
  std::vector<uint64_t> actives(teams, 0);
  ParallelBands(M, RowGrain(M, static_cast<int>(teams)), static_cast<int>(teams),
                [&](size_t r0, size_t r1) {
                  const size_t team = static_cast<size_t>(omp_get_thread_num());
                  uint32_t* load = loads.data() + team * E;
                  uint64_t active = 0;
                  for (size_t j = r0 * k; j < r1 * k; ++j) {
                    // One unsigned compare: -1 (or any id out of range) is no route.
                    const uint32_t t = static_cast<uint32_t>(routes[j]);
                    if (t < E) {
                      ++load[t];
                      ++active;
                    }
                  }
                  actives[team] += active;
                });
  uint64_t active = 0;
  for (uint64_t a : actives) active += a;
  uint32_t load_max = 0;
  for (size_t e = 0; e < E; ++e) {
    uint32_t sum = 0;
    for (size_t team = 0; team < teams; ++team) sum += loads[team * E + e];
    load_max = std::max(load_max, sum);
  }
  stats->M = M;
  stats->E = E;
  stats->k = k;
  stats->active_routes = active;
  stats->fill_ratio = (M && k) ? static_cast<double>(active) / static_cast<double>(M * k) : 0;
  stats->load_max = load_max;
  stats->load_mean = E ? static_cast<double>(active) / static_cast<double>(E) : 0;
  // No routes is perfectly (trivially) balanced.
  stats->load_skew = active ? stats->load_max / stats->load_mean : 1.0;
}

}  // namespace phase_router
