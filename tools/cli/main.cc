// phase-router: the command-line front end of the Phase Router library.
//
// Every failure ends here as one line, "phase-router: error: <message>", on
// stderr: exit status 2 for a bad command line, 1 for anything that went
// wrong while running (unreadable input, refused routing, failed write);
// tools/cli/command_line.h states the rule.
#include <CLI/CLI.hpp>
#include <exception>
#include <new>
#include <string>

#include "phase_router/phase_router.h"
#include "tools/cli/bench_command.h"
#include "tools/cli/command_line.h"
#include "tools/cli/demo_command.h"
#include "tools/cli/dump_command.h"
#include "tools/cli/route_command.h"
#include "tools/cli/stats_command.h"
#include "tools/cli/targets_command.h"
#include "tools/io/file_io.h"
#include "tools/io/io_error.h"
#include "tools/io/parse_number.h"

namespace phase_router::cli {
namespace {

// Each subcommand: its CLI11 node and what it parsed into.
struct Commands {
  const CLI::App* route = nullptr;
  RouteArgs route_args;
  const CLI::App* demo = nullptr;
  DemoArgs demo_args;
  const CLI::App* targets = nullptr;
  TargetsArgs targets_args;
  const CLI::App* bench = nullptr;
  BenchArgs bench_args;
  const CLI::App* dump = nullptr;
  DumpArgs dump_args;
  const CLI::App* stats = nullptr;
  StatsArgs stats_args;
};

void RunParsedCommand(const Commands& commands) {
  if (commands.route->parsed()) RunRouteCommand(commands.route_args);
  if (commands.demo->parsed()) RunDemoCommand(commands.demo_args);
  if (commands.targets->parsed()) RunTargetsCommand(commands.targets_args);
  if (commands.bench->parsed()) RunBenchCommand(commands.bench_args);
  if (commands.dump->parsed()) RunDumpCommand(commands.dump_args);
  if (commands.stats->parsed()) RunStatsCommand(commands.stats_args);
}

int Main(int argc, char** argv) {
  CLI::App app{
      "Phase Router: seed-randomized, deterministic, capped bipartite "
      "routing from degree-specified binary matrices",
      "phase-router"};
  app.set_version_flag("--version", VersionLine("phase-router"));
  app.require_subcommand(1);
  app.footer(
      "Environment: PHASE_ROUTER_TARGET=NAME forces a kernel target, as "
      "--target NAME does for the subcommands that route (--target wins); "
      "`phase-router targets` lists the names.");
  Commands commands;
  commands.route = AddRouteCommand(app, commands.route_args);
  commands.demo = AddDemoCommand(app, commands.demo_args);
  commands.targets = AddTargetsCommand(app, commands.targets_args);
  commands.bench = AddBenchCommand(app, commands.bench_args);
  commands.dump = AddDumpCommand(app, commands.dump_args);
  commands.stats = AddStatsCommand(app, commands.stats_args);

  // CLI11 would only say that a subcommand is required; name the word.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known = known || sub->get_name() == argv[1];
    }
    if (!known) {
      std::string names;
      for (const CLI::App* sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      return ReportError("unknown subcommand " + io::QuoteForMessage(argv[1]) +
                             " (expected one of: " + names + ")",
                         kExitUsage);
    }
  }
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // --help and --version arrive as "errors" with exit code 0; what they
      // print is an output like any other, checked.
      if (e.get_exit_code() != 0) {
        std::string message = DescribeParseError(e, app);
        // `phase-router --frob`: CLI11 saw no subcommand; say what it saw.
        if (argc > 1 && argv[1][0] == '-' && message.rfind("a subcommand is required", 0) == 0) {
          message += "; got " + io::QuoteForMessage(argv[1]) + " before any subcommand";
        }
        return ReportError(message, kExitUsage);
      }
      const int status = app.exit(e);
      io::FlushOrThrow(stdout, "standard output");
      return status;
    }
    RunParsedCommand(commands);
    // Whatever a command printed must have reached its destination: a
    // printf into a full disk or a closed pipe only sets the error flag.
    io::FlushOrThrow(stdout, "standard output");
    return 0;
  } catch (const UsageError& e) {
    return ReportError(e.what(), kExitUsage);
  } catch (const Error& e) {  // the router refused the input
    return ReportError(e.what(), kExitFailure);
  } catch (const io::IoError& e) {
    return ReportError(e.what(), kExitFailure);
  } catch (const std::bad_alloc&) {
    return ReportError("out of memory", kExitFailure);
  } catch (const std::exception& e) {
    return ReportError(std::string("unexpected failure: ") + e.what(),
                       kExitFailure);
  } catch (...) {
    return ReportError("unexpected failure of unknown type", kExitFailure);
  }
}

}  // namespace
}  // namespace phase_router::cli

int main(int argc, char** argv) { return phase_router::cli::Main(argc, argv); }
