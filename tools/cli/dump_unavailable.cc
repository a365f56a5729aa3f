// `phase-router dump` in a build without libpng (a cross build whose target
// has no libpng-dev): the subcommand exists and says why it cannot run.
#include "tools/cli/command_line.h"
#include "tools/cli/dump_command.h"

namespace phase_router::cli {

CLI::App* AddDumpCommand(CLI::App& app, DumpArgs& args) {
  CLI::App* dump = app.add_subcommand(
      "dump",
      "Draw one routing stage by stage (unavailable: built without libpng)");
  dump->allow_extras();
  (void)args;
  return dump;
}

void RunDumpCommand(const DumpArgs&) {
  throw UsageError(
      "dump is unavailable: this phase-router was built without libpng "
      "(install libpng-dev for the target and rebuild)");
}

}  // namespace phase_router::cli
