#include <algorithm>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"

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
  std::vector<uint32_t> load(E, 0);
  uint64_t active = 0;
  for (size_t j = 0; j < M * k; ++j) {
    const int32_t t = routes[j];
    if (t >= 0 && static_cast<size_t>(t) < E) {
      ++load[static_cast<size_t>(t)];
      ++active;
    }
  }
  stats->M = M;
  stats->E = E;
  stats->k = k;
  stats->active_routes = active;
  stats->fill_ratio = (M && k) ? static_cast<double>(active) / static_cast<double>(M * k) : 0;
  stats->load_max = E ? *std::max_element(load.begin(), load.end()) : 0;
  stats->load_mean = E ? static_cast<double>(active) / static_cast<double>(E) : 0;
  // No routes is perfectly (trivially) balanced.
  stats->load_skew = active ? stats->load_max / stats->load_mean : 1.0;
}

}  // namespace phase_router
