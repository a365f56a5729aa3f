#include "tools/cli/route_command.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"
#include "tools/cli/command_line.h"
#include "tools/cli/stats_json.h"
#include "tools/io/degrees.h"
#include "tools/io/file_io.h"
#include "tools/io/parse_number.h"
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
  if (args.no_align && args.method == "arcs") {
    throw UsageError(
        "--method arcs needs aligned input: it cannot be used with --no-align "
        "(--method bits or auto can)");
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
  options.method = ParseMethod(args.method);  // CLI11 checked the name
  options.tiling = ParseTiling(args.tiling);  // likewise
  options.memory_limit = ParseMemoryLimitOption(args.memory_limit);
  if (Given(args.rows_option)) {
    const RowRange rows = ParseRowsOption(args.rows);
    options.row_begin = rows.begin;
    options.row_end = rows.end;
  }
  return options;
}

RowRange ParseRowsOption(const std::string& text) {
  const size_t colon = text.find(':');
  const bool one_colon = colon != std::string::npos &&
                         text.find(':', colon + 1) == std::string::npos;
  if (!one_colon) {
    throw UsageError("--rows: " + io::QuoteForMessage(text) +
                     " is not A:B (the sources A to B - 1) or A: (A to M)");
  }
  constexpr uint64_t kMax = std::numeric_limits<size_t>::max();
  RowRange range;
  range.begin = ParseUnsignedOption("--rows A", text.substr(0, colon), 0, kMax);
  const std::string end_text = text.substr(colon + 1);
  if (end_text.empty()) return range;  // "A:": to M
  range.end = ParseUnsignedOption("--rows B", end_text, 0, kMax);
  // An empty or reversed range is wrong whatever M is. (B = 0 would also
  // read as "to M" to the router.)
  if (range.end <= range.begin) {
    throw UsageError("--rows: " + io::QuoteForMessage(text) +
                     " is empty; A:B routes the sources A to B - 1, so B "
                     "must be greater than A");
  }
  return range;
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
              "shape mismatch: S " + io::QuoteForMessage(args.s_pbm) + " is " +
                  DescribeShape(S) + " (M = " + std::to_string(S.rows) + " sources, E = " +
                  std::to_string(S.cols) + " targets), so T must be " +
                  std::to_string(S.rows) + " wide x " + std::to_string(S.cols) +
                  " high, but T " + io::QuoteForMessage(args.t_pbm) + " is " +
                  DescribeShape(T));
}

Routes RouteInputsWith(Router& router, const RouteInputs& in,
                       const Options& options, Stats* stats) {
  if (!in.matrices) return router.RouteDegrees(in.s, in.t, options, stats);
  const ByteMatrixView s_view{in.S.pixels.data(), in.S.rows, in.S.cols, 0};
  const ByteMatrixView t_view{in.T.pixels.data(), in.T.rows, in.T.cols, 0};
  return router.Route(s_view, t_view, options, stats);
}

}  // namespace

size_t SourceCount(const RouteInputs& in) {
  return in.matrices ? in.S.rows : in.s.size();
}

void RouteInputsInto(Router& router, const RouteInputs& in,
                     const Options& options, int32_t* out, Stats* stats) {
  if (!in.matrices) {
    router.RouteDegrees(in.s, in.t, options, out, stats);
    return;
  }
  const ByteMatrixView s_view{in.S.pixels.data(), in.S.rows, in.S.cols, 0};
  const ByteMatrixView t_view{in.T.pixels.data(), in.T.rows, in.T.cols, 0};
  router.Route(s_view, t_view, options, out, stats);
}

RoutesOutput::RoutesOutput(const std::string& path)
    : what_(path.empty() ? "standard output" : io::QuoteForMessage(path)) {
  if (!path.empty()) file_ = std::make_unique<io::AtomicOutputFile>(path);
}

void RoutesOutput::Write(const int32_t* ids, size_t M, size_t k) {
  io::WriteRoutesText(file_ ? file_->stream() : stdout, ids, M, k, what_);
}

void RoutesOutput::Commit() {
  if (file_) {
    file_->Commit();
  } else {
    io::FlushOrThrow(stdout, what_);
  }
}

void WriteRoutesOutput(const int32_t* ids, size_t M, size_t k,
                       const std::string& path) {
  RoutesOutput output(path);
  output.Write(ids, M, k);
  output.Commit();
}

RouteInputs ReadRouteInputs(const RouteArgs& args, io::MemoryBudget* budget) {
  RouteInputs in;
  in.matrices = Given(args.s_pbm_option);
  if (in.matrices) {
    in.S = io::ReadPbmFile(args.s_pbm, budget);
    in.T = io::ReadPbmFile(args.t_pbm, budget);
    CheckMatrixShapes(in.S, in.T, args);
  } else {
    in.s = io::ReadDegreesFile(args.s_degrees, budget);
    in.t = io::ReadDegreesFile(args.t_degrees, budget);
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
      ->check(OneOf({"random", "lowest"}))
      ->capture_default_str();
  command
      .add_option("--method", args.method,
                  "how candidates are found: bits (bit matrices, any input), "
                  "arcs (arc intersection, O(M + E) memory; aligned inputs "
                  "only) or auto (the cheaper); the routes are the same")
      ->check(OneOf({"auto", "bits", "arcs"}))
      ->capture_default_str();
  AddTilingOption(command, args.tiling);
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
      "prints M lines of k target ids, -1 padded (only the --rows range's "
      "lines with --rows)");
  AddRoutingOptions(*route, args);
  args.output_option =
      route
          ->add_option("-o,--output", args.output,
                       "write routes to FILE (atomically) instead of stdout")
          ->type_name("FILE");
  args.rows_option =
      route
          ->add_option("--rows", args.rows,
                       "route only the sources A to B - 1 (A: for A to M); "
                       "prints those rows, each exactly as a full run "
                       "prints it")
          ->type_name("A:B");
  route->add_flag("--stats", args.stats,
                  "print one JSON line of statistics on stderr");
  return route;
}

void RunRouteCommand(const RouteArgs& args) {
  CheckRouteInputOptions(args);
  Options options = ParseRouteOptions(args);
  ApplyTargetOption(args.target);
  // One ceiling for the tool and the library: the text writer's buffer and
  // the inputs are charged first, the routing gets the rest (and counts its
  // workspace and the routes it returns against it).
  io::MemoryBudget budget = ToolMemoryBudget(options.memory_limit);
  RoutesOutput output(args.output);  // an unwritable -o fails here
  const RouteInputs inputs = ReadRouteInputs(args, &budget);
  const size_t M = SourceCount(inputs);
  const size_t rows = (options.row_end ? std::min(options.row_end, M) : M) -
                      std::min(options.row_begin, M);
  budget.Charge(io::RoutesTextBufferBytes(rows, options.k),
                "writing " + std::to_string(rows) + " rows of k = " + std::to_string(options.k) +
                    " routes as text");
  options.memory_limit = LibraryMemoryLimit(budget);
  Router router;
  Stats stats;
  Stats* stats_out = args.stats ? &stats : nullptr;
  const Routes routes = WithinBudget(
      budget, [&] { return RouteInputsWith(router, inputs, options, stats_out); });
  output.Write(routes.ids.data(), routes.M, routes.k);
  output.Commit();
  if (args.stats) {
    PrintStatsLine(StatsToJson(stats, options)
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

}  // namespace phase_router::cli
