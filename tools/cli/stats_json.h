// The --stats record: one JSON object per routing.
#ifndef PHASE_ROUTER_TOOLS_CLI_STATS_JSON_H_
#define PHASE_ROUTER_TOOLS_CLI_STATS_JSON_H_

#include <nlohmann/json.hpp>

#include "phase_router/phase_router.h"

namespace phase_router::cli {

// Every field of `stats` (stage_ms as an object whose keys keep pipeline
// order; the method that ran, whether SPEC.md's tiling applied ("tiling")
// and its laps, the SPEC.md version ("spec") and the rows routed,
// [row_begin, row_end)) followed by the options that produced it (seed,
// align, row_perm, select, threads), so a saved record says how to
// reproduce itself: "tiling" true reroutes alike with --tiling on, false
// with --tiling off, whatever --tiling said.
nlohmann::ordered_json StatsToJson(const Stats& stats, const Options& options);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_STATS_JSON_H_
