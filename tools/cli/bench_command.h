// `phase-router bench`: the end-to-end table of tools/timing/end_to_end.h on this
// machine, for one target, beside its same-run yardsticks.
#ifndef PHASE_ROUTER_TOOLS_CLI_BENCH_COMMAND_H_
#define PHASE_ROUTER_TOOLS_CLI_BENCH_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "tools/cli/command_line.h"

namespace phase_router::cli {

struct BenchArgs {
  TargetOption target;
  std::string threads = "0";
  std::string repeat = "7";
  std::string json_path;   // given only with --json (an empty path is refused)
  CLI::Option* json_option = nullptr;
  std::string max_side = "16384";
  std::string tiling = "auto";
};

CLI::App* AddBenchCommand(CLI::App& app, BenchArgs& args);
void RunBenchCommand(const BenchArgs& args);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_BENCH_COMMAND_H_
