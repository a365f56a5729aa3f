// `phase-router demo`: routes a built-in skewed example and prints a short
// human-readable summary of what happened and how long each stage took.
#ifndef PHASE_ROUTER_TOOLS_CLI_DEMO_COMMAND_H_
#define PHASE_ROUTER_TOOLS_CLI_DEMO_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/cli/command_line.h"

namespace phase_router::cli {

struct DemoArgs {
  std::string seed = "0";
  std::string threads = "0";
  std::string memory_limit = "0";
  std::string tiling = "auto";
  TargetOption target;
};

// The demo's routing at any size: n sources and n targets with the demo's
// skewed degree profiles (shifted Zipf curves, shifts n / 8 and n / 4) and
// k = n / 4. MakeDemoInput(kDemoNodes) is exactly what `demo` routes;
// `dump --demo` draws it.
inline constexpr size_t kDemoNodes = 1024;
struct DemoInput {
  std::vector<uint32_t> s, t;
  uint32_t k = 1;
};
DemoInput MakeDemoInput(size_t n);

// Registers the `demo` subcommand on `app`, storing into `args`.
CLI::App* AddDemoCommand(CLI::App& app, DemoArgs& args);

// Runs a parsed `demo` command; throws like RunRouteCommand.
void RunDemoCommand(const DemoArgs& args);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_DEMO_COMMAND_H_
