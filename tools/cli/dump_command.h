// `phase-router dump`: one routing drawn stage by stage. Writes every
// pipeline stage of SPEC.md (S aligned, rotated, shuffled; T aligned,
// rotated, shuffled, transposed; O; the selected routes) as PNG and PBM, a
// bar chart of target loads, a labelled overview of them all, and the routes
// as text, so a person can watch the phase spreading happen.
#ifndef PHASE_ROUTER_TOOLS_CLI_DUMP_COMMAND_H_
#define PHASE_ROUTER_TOOLS_CLI_DUMP_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "tools/cli/command_line.h"

namespace phase_router::cli {

// As RouteArgs, numbers kept as text for strict parsing.
struct DumpArgs {
  std::string s_pbm, t_pbm, s_degrees, t_degrees;
  bool demo = false;
  std::string demo_nodes = "1024";
  std::string k;
  std::string seed = "0";
  std::string threads = "0";
  std::string select = "random";
  std::string tiling = "auto";
  std::string scale = "0";
  std::string out_dir;
  bool no_align = false;
  bool row_perm = false;
  TargetOption target;
  CLI::Option* s_pbm_option = nullptr;
  CLI::Option* t_pbm_option = nullptr;
  CLI::Option* s_degrees_option = nullptr;
  CLI::Option* t_degrees_option = nullptr;
  CLI::Option* k_option = nullptr;
  CLI::Option* demo_nodes_option = nullptr;
};

// Registers the `dump` subcommand on `app`, storing into `args`.
CLI::App* AddDumpCommand(CLI::App& app, DumpArgs& args);

// Runs a parsed `dump` command. Throws UsageError for inconsistent options,
// io::IoError for unreadable inputs or unwritable outputs, and
// phase_router::Error for inputs the router refuses (or that are too large
// to draw).
void RunDumpCommand(const DumpArgs& args);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_DUMP_COMMAND_H_
