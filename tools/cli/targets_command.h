// `phase-router targets`: which kernel targets this binary holds, which of
// them this CPU runs, and the one the next routing would use.
#ifndef PHASE_ROUTER_TOOLS_CLI_TARGETS_COMMAND_H_
#define PHASE_ROUTER_TOOLS_CLI_TARGETS_COMMAND_H_

#include <CLI/CLI.hpp>

namespace phase_router::cli {

struct TargetsArgs {
  bool json = false;
};

// Registers the `targets` subcommand on `app`, storing into `args`.
CLI::App* AddTargetsCommand(CLI::App& app, TargetsArgs& args);

// Runs a parsed `targets` command. Throws phase_router::Error, before
// printing anything, if PHASE_ROUTER_TARGET names an unknown or unsupported
// target, and io::IoError if standard output cannot be written.
void RunTargetsCommand(const TargetsArgs& args);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_TARGETS_COMMAND_H_
