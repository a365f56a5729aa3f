#include "tools/cli/stats_json.h"

namespace phase_router::cli {

nlohmann::ordered_json StatsToJson(const Stats& stats, const Options& options) {
  nlohmann::ordered_json stage_ms = nlohmann::ordered_json::object();
  for (const auto& [name, ms] : stats.stage_ms) stage_ms[name] = ms;

  nlohmann::ordered_json json;
  json["M"] = stats.M;
  json["E"] = stats.E;
  json["k"] = stats.k;
  json["active_routes"] = stats.active_routes;
  json["fill_ratio"] = stats.fill_ratio;
  json["candidates_min"] = stats.candidates_min;
  json["candidates_mean"] = stats.candidates_mean;
  json["candidates_max"] = stats.candidates_max;
  json["load_max"] = stats.load_max;
  json["load_mean"] = stats.load_mean;
  json["load_skew"] = stats.load_skew;
  json["stage_ms"] = std::move(stage_ms);
  json["route_ms"] = stats.route_ms;
  json["backend"] = stats.backend;
  json["method"] = stats.method;  // resolved: "bits" or "arcs", never "auto"
  json["tiling"] = stats.tiled;   // applied, not asked: never "auto" either
  json["laps"] = stats.laps;
  json["spec"] = stats.spec;
  json["row_begin"] = stats.row_begin;
  json["row_end"] = stats.row_end;
  json["seed"] = options.seed;
  json["align"] = options.align;
  json["row_perm"] = options.row_perm;
  json["select"] = SelectName(options.select);
  json["threads"] = options.threads;
  return json;
}

}  // namespace phase_router::cli
