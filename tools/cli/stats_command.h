// `phase-router stats`: seed-averaged load statistics of one input, with
// route's inputs and options, over the seeds FIRST, FIRST + 1, ...
// (phase_router/analysis.h), as a human summary or one JSON object.
#ifndef PHASE_ROUTER_TOOLS_CLI_STATS_COMMAND_H_
#define PHASE_ROUTER_TOOLS_CLI_STATS_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "tools/cli/route_command.h"

namespace phase_router::cli {

struct StatsArgs {
  RouteArgs routing;           // route's inputs and options (no -o, --stats)
  std::string seeds = "0:16";  // FIRST:COUNT
  std::string router = "phase";
  std::string confidence = "0.99";
  bool json = false;
  CLI::Option* seeds_option = nullptr;
  CLI::Option* seed_option = nullptr;  // route's --seed: --seeds S:1
};

// Registers the `stats` subcommand on `app`, storing into `args`.
CLI::App* AddStatsCommand(CLI::App& app, StatsArgs& args);

// Runs a parsed `stats` command. Throws UsageError for inconsistent options,
// io::IoError for unreadable files and phase_router::Error for inputs the
// router refuses.
void RunStatsCommand(const StatsArgs& args);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_STATS_COMMAND_H_
