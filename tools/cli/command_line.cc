#include "tools/cli/command_line.h"

#include <cstdio>
#include <limits>
#include <optional>

#include "phase_router/phase_router.h"
#include "tools/io/parse_number.h"

namespace phase_router::cli {

int ReportError(const std::string& message, int exit_code) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::fprintf(stderr, "phase-router: error: %s\n", line.c_str());
  return exit_code;
}

uint64_t ParseUnsignedOption(const std::string& option_name,
                             const std::string& text, uint64_t min,
                             uint64_t max) {
  const std::string range = "expected an integer from " + std::to_string(min) +
                            " to " + std::to_string(max);
  const std::optional<uint64_t> value = io::ParseDecimalU64(text);
  if (!value) {
    throw UsageError(option_name + ": " + io::QuoteForMessage(text) + " " +
                     io::DescribeBadDecimal(text) + "; " + range);
  }
  if (*value < min || *value > max) {
    throw UsageError(option_name + ": " + text + " is out of range; " + range);
  }
  return *value;
}

uint64_t ParseSeedOption(const std::string& text) {
  return ParseUnsignedOption("--seed", text, 0,
                             std::numeric_limits<uint64_t>::max());
}

int ParseThreadsOption(const std::string& text) {
  return static_cast<int>(
      ParseUnsignedOption("--threads", text, 0, kMaxThreads));
}

void AddTargetOption(CLI::App& command, TargetOption& target) {
  target.option =
      command
          .add_option("--target", target.name,
                      "force a kernel target, any case (`phase-router "
                      "targets` lists them); the environment variable "
                      "PHASE_ROUTER_TARGET=NAME does the same, and --target "
                      "overrides it")
          ->type_name("NAME");
}

void ApplyTargetOption(const TargetOption& target) {
  if (target.option == nullptr || target.option->count() == 0) return;
  // ForceTarget("") would quietly restore the default: refuse it instead.
  if (target.name.empty()) {
    std::string compiled;
    for (const std::string& name : CompiledTargets()) {
      compiled += (compiled.empty() ? "" : ", ") + name;
    }
    throw UsageError(
        "--target: the target name is empty (compiled: " + compiled + ")");
  }
  try {
    ForceTarget(target.name);
  } catch (const Error& e) {  // names the target and the candidates
    throw UsageError(std::string("--target: ") + e.what());
  }
}

}  // namespace phase_router::cli
