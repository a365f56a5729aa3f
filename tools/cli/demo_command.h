// `phase-router demo`: routes a built-in skewed example and prints a short
// human-readable summary of what happened and how long each stage took.
#ifndef PHASE_ROUTER_TOOLS_CLI_DEMO_COMMAND_H_
#define PHASE_ROUTER_TOOLS_CLI_DEMO_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "tools/cli/command_line.h"

namespace phase_router::cli {

struct DemoArgs {
  std::string seed = "0";
  std::string threads = "0";
  std::string memory_limit = "0";
  TargetOption target;
};

// Registers the `demo` subcommand on `app`, storing into `args`.
CLI::App* AddDemoCommand(CLI::App& app, DemoArgs& args);

// Runs a parsed `demo` command; throws like RunRouteCommand.
void RunDemoCommand(const DemoArgs& args);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_DEMO_COMMAND_H_
