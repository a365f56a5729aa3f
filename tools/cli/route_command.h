// `phase-router route`: one routing from PBM matrices or degree files,
// written in the golden `routes` text format.
#ifndef PHASE_ROUTER_TOOLS_CLI_ROUTE_COMMAND_H_
#define PHASE_ROUTER_TOOLS_CLI_ROUTE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"
#include "tools/cli/command_line.h"
#include "tools/io/pbm.h"

namespace phase_router::cli {

// What the command line said, before any of it is checked. Numbers stay
// text so they can be parsed strictly: CLI11 2.1 converts with strtoull in
// base 0, so "010" would be seed 8, "0x10" seed 16 and "-1" would wrap to
// 2^64 - 1.
struct RouteArgs {
  std::string s_pbm, t_pbm, s_degrees, t_degrees;
  std::string k = "";
  std::string seed = "0";
  std::string threads = "0";
  std::string select = "random";
  std::string memory_limit = "0";
  std::string output;  // empty: standard output
  bool no_align = false;
  bool row_perm = false;
  bool stats = false;
  TargetOption target;
  // Presence of each input option, read after parsing (an empty path given
  // explicitly still counts as given).
  CLI::Option* s_pbm_option = nullptr;
  CLI::Option* t_pbm_option = nullptr;
  CLI::Option* s_degrees_option = nullptr;
  CLI::Option* t_degrees_option = nullptr;
  CLI::Option* output_option = nullptr;
};

// Registers the `route` subcommand on `app`, storing into `args`.
CLI::App* AddRouteCommand(CLI::App& app, RouteArgs& args);

// ---- Shared with every subcommand that routes the same inputs (stats) ----

// Registers route's inputs and routing options on `command`: --s/--t,
// --s-degrees/--t-degrees, -k, --seed, --no-align, --row-perm, --select,
// --threads, --memory-limit and --target (not -o or --stats).
void AddRoutingOptions(CLI::App& command, RouteArgs& args);

// Exactly one complete pair of inputs and no option the pair ignores;
// throws UsageError otherwise. Reads nothing.
void CheckRouteInputOptions(const RouteArgs& args);

// The routing options, strictly parsed (UsageError names a bad number).
Options ParseRouteOptions(const RouteArgs& args);

// The inputs, read from the files the (checked) arguments name: two PBM
// matrices whose shapes agree (S is M x E, T is E x M), or two degree lists.
struct RouteInputs {
  bool matrices = false;
  io::PbmImage S, T;           // when matrices
  std::vector<uint32_t> s, t;  // otherwise
};
RouteInputs ReadRouteInputs(const RouteArgs& args);

// Runs a parsed `route` command. Throws UsageError for inconsistent options,
// io::IoError for unreadable or unwritable files and phase_router::Error for
// inputs the router refuses.
void RunRouteCommand(const RouteArgs& args);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_ROUTE_COMMAND_H_
