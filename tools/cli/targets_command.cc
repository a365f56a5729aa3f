#include "tools/cli/targets_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"
#include "tools/io/file_io.h"

namespace phase_router::cli {
namespace {

std::string JoinWithSpaces(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : " ") + name;
  return out;
}

}  // namespace

CLI::App* AddTargetsCommand(CLI::App& app, TargetsArgs& args) {
  CLI::App* targets = app.add_subcommand(
      "targets",
      "List the kernel targets compiled in, those this CPU supports (best "
      "first) and the one routing would use (honours PHASE_ROUTER_TARGET)");
  targets->add_flag("--json", args.json,
                    "print one JSON object {\"compiled\": [...], "
                    "\"supported\": [...], \"chosen\": \"...\"}");
  return targets;
}

void RunTargetsCommand(const TargetsArgs& args) {
  // ActiveTarget first: a bad PHASE_ROUTER_TARGET fails the command before
  // half of the answer is printed.
  const std::string chosen = ActiveTarget();
  const std::vector<std::string> compiled = CompiledTargets();
  const std::vector<std::string> supported = SupportedTargets();
  const std::string what = "standard output";
  std::string text;
  if (args.json) {
    nlohmann::ordered_json json;
    json["compiled"] = compiled;
    json["supported"] = supported;
    json["chosen"] = chosen;
    text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
  } else {
    text = "compiled:  " + JoinWithSpaces(compiled) + "\n" +
           "supported: " + JoinWithSpaces(supported) + "\n" +
           "chosen:    " + chosen + "\n";
  }
  io::WriteAll(stdout, text.data(), text.size(), what);
  io::FlushOrThrow(stdout, what);
}

}  // namespace phase_router::cli
