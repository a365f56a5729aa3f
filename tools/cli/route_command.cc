#include "tools/cli/route_command.h"

#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"
#include "tools/cli/command_line.h"
#include "tools/cli/stats_json.h"
#include "tools/io/degrees.h"
#include "tools/io/file_io.h"
#include "tools/io/pbm.h"
#include "tools/io/routes_text.h"

namespace phase_router::cli {
namespace {

// Options a subcommand does not register (stats has no -o) count as absent.
bool Given(const CLI::Option* option) {
  return option != nullptr && option->count() > 0;
}

}  // namespace

void CheckRouteInputOptions(const RouteArgs& args) {
  const bool any_matrix = Given(args.s_pbm_option) || Given(args.t_pbm_option);
  const bool any_degrees =
      Given(args.s_degrees_option) || Given(args.t_degrees_option);
  if (any_matrix && any_degrees) {
    throw UsageError(
        "--s/--t and --s-degrees/--t-degrees are mutually exclusive: give "
        "either two PBM matrices or two degree files");
  }
  if (!any_matrix && !any_degrees) {
    throw UsageError(
        "no input: give --s S.pbm --t T.pbm, or --s-degrees FILE "
        "--t-degrees FILE");
  }
  CheckInputPairsComplete(args.s_pbm_option, args.t_pbm_option, args.s_degrees_option,
                          args.t_degrees_option);
  if (any_degrees && args.no_align) {
    throw UsageError(
        "--no-align needs matrix inputs (--s/--t): routing from degrees is "
        "always aligned");
  }
  if (Given(args.output_option) && args.output.empty()) {
    throw UsageError("-o: the output path is empty");
  }
}

Options ParseRouteOptions(const RouteArgs& args) {
  Options options;
  // Routes are int32 target ids, and so is k.
  options.k = static_cast<uint32_t>(ParseUnsignedOption(
      "-k", args.k, 1, std::numeric_limits<int32_t>::max()));
  options.seed = ParseSeedOption(args.seed);
  options.threads = ParseThreadsOption(args.threads);
  options.align = !args.no_align;
  options.row_perm = args.row_perm;
  options.select = ParseSelect(args.select);
  options.memory_limit = ParseMemoryLimitOption(args.memory_limit);
  return options;
}

namespace {

std::string DescribeShape(const io::PbmImage& image) {
  return std::to_string(image.cols) + " wide x " + std::to_string(image.rows) +
         " high";
}

// S is M x E and T is E x M; the router checks this too, but only the tool
// knows which file is which.
void CheckMatrixShapes(const io::PbmImage& S, const io::PbmImage& T,
                       const RouteArgs& args) {
  if (T.rows == S.cols && T.cols == S.rows) return;
  throw Error(ErrorCode::kBadShape,
              "shape mismatch: S '" + args.s_pbm + "' is " + DescribeShape(S) +
                  " (M = " + std::to_string(S.rows) + " sources, E = " +
                  std::to_string(S.cols) + " targets), so T must be " +
                  std::to_string(S.rows) + " wide x " + std::to_string(S.cols) +
                  " high, but T '" + args.t_pbm + "' is " + DescribeShape(T));
}

Routes RouteInputsWith(Router& router, const RouteInputs& in,
                       const Options& options, Stats* stats) {
  if (!in.matrices) return router.RouteDegrees(in.s, in.t, options, stats);
  const ByteMatrixView s_view{in.S.pixels.data(), in.S.rows, in.S.cols, 0};
  const ByteMatrixView t_view{in.T.pixels.data(), in.T.rows, in.T.cols, 0};
  return router.Route(s_view, t_view, options, stats);
}

void WriteRoutes(const Routes& routes, const RouteArgs& args) {
  if (!args.output.empty()) {
    io::WriteRoutesTextFile(args.output, routes.ids.data(), routes.M, routes.k);
    return;
  }
  const std::string what = "standard output";
  io::WriteRoutesText(stdout, routes.ids.data(), routes.M, routes.k, what);
  io::FlushOrThrow(stdout, what);
}

}  // namespace

RouteInputs ReadRouteInputs(const RouteArgs& args) {
  RouteInputs in;
  in.matrices = Given(args.s_pbm_option);
  if (in.matrices) {
    in.S = io::ReadPbmFile(args.s_pbm);
    in.T = io::ReadPbmFile(args.t_pbm);
    CheckMatrixShapes(in.S, in.T, args);
  } else {
    in.s = io::ReadDegreesFile(args.s_degrees);
    in.t = io::ReadDegreesFile(args.t_degrees);
  }
  return in;
}

void AddRoutingOptions(CLI::App& command, RouteArgs& args) {
  args.s_pbm_option =
      command.add_option("--s", args.s_pbm, "S as a PBM, width E, height M")
          ->type_name("S.pbm");
  args.t_pbm_option =
      command.add_option("--t", args.t_pbm, "T as a PBM, width M, height E")
          ->type_name("T.pbm");
  args.s_degrees_option =
      command
          .add_option("--s-degrees", args.s_degrees,
                      "source degrees: M whitespace-separated integers")
          ->type_name("FILE");
  args.t_degrees_option =
      command
          .add_option("--t-degrees", args.t_degrees,
                      "target degrees: E whitespace-separated integers")
          ->type_name("FILE");
  command.add_option("-k", args.k, "fan-out cap per source, >= 1")
      ->required()
      ->type_name("K");
  command.add_option("--seed", args.seed, "any unsigned 64-bit seed")
      ->type_name("SEED")
      ->capture_default_str();
  command.add_flag("--no-align", args.no_align,
                   "use the matrices' own bit patterns (matrix inputs only)");
  command.add_flag("--row-perm", args.row_perm, "permute rows (SPEC step 5)");
  command.add_option("--select", args.select, "top-k selection rule")
      ->check(CLI::IsMember({"random", "lowest"}))
      ->capture_default_str();
  command.add_option("--threads", args.threads, "OpenMP threads, 0 = default")
      ->type_name("N")
      ->capture_default_str();
  AddMemoryLimitOption(command, args.memory_limit);
  AddTargetOption(command, args.target);
}

CLI::App* AddRouteCommand(CLI::App& app, RouteArgs& args) {
  CLI::App* route = app.add_subcommand(
      "route",
      "Route S (M x E PBM) and T (E x M PBM), or degree vectors s and t; "
      "prints M lines of k target ids, -1 padded");
  AddRoutingOptions(*route, args);
  args.output_option =
      route
          ->add_option("-o,--output", args.output,
                       "write routes to FILE (atomically) instead of stdout")
          ->type_name("FILE");
  route->add_flag("--stats", args.stats,
                  "print one JSON line of statistics on stderr");
  return route;
}

void RunRouteCommand(const RouteArgs& args) {
  CheckRouteInputOptions(args);
  const Options options = ParseRouteOptions(args);
  ApplyTargetOption(args.target);
  const RouteInputs inputs = ReadRouteInputs(args);
  Router router;
  Stats stats;
  Stats* stats_out = args.stats ? &stats : nullptr;
  const Routes routes = RouteInputsWith(router, inputs, options, stats_out);
  WriteRoutes(routes, args);
  if (args.stats) {
    const std::string line =
        StatsToJson(stats, options)
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

}  // namespace phase_router::cli
