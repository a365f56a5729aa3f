#include "tools/cli/command_line.h"

#include <cctype>
#include <cstdio>
#include <limits>
#include <optional>
#include <string_view>

#include "phase_router/phase_router.h"
#include "phase_router/phase_router_c.h"  // pr_version
#include "tools/io/parse_number.h"

namespace phase_router::cli {

int ReportError(const std::string& message, int exit_code,
                const char* program) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::fprintf(stderr, "%s: error: %s\n", program, line.c_str());
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

uint64_t ParseMemoryLimitOption(const std::string& text) {
  const std::string expected =
      "expected a byte count with an optional K, M, G or T suffix (powers of "
      "1024), e.g. 16G; 0 = the default";
  constexpr std::string_view kSuffixes = "KMGT";  // 2^10, 2^20, 2^30, 2^40
  std::string digits = text;
  int shift = 0;
  if (!digits.empty()) {
    const size_t at = kSuffixes.find(static_cast<char>(
        std::toupper(static_cast<unsigned char>(digits.back()))));
    if (at != std::string_view::npos) {
      shift = 10 * static_cast<int>(at + 1);
      digits.pop_back();
    }
  }
  const std::optional<uint64_t> value = io::ParseDecimalU64(digits);
  if (!value) {
    throw UsageError("--memory-limit: " + io::QuoteForMessage(text) + " " +
                     io::DescribeBadDecimal(digits.empty() ? text : digits) +
                     "; " + expected);
  }
  if (shift != 0 && *value > (std::numeric_limits<uint64_t>::max() >> shift)) {
    throw UsageError("--memory-limit: " + text + " is too large; " + expected);
  }
  return *value << shift;
}

void AddMemoryLimitOption(CLI::App& command, std::string& text) {
  command
      .add_option("--memory-limit", text,
                  "refuse a routing that needs more memory than this (bytes, "
                  "or with a K/M/G/T suffix); 0 = half the physical memory, at "
                  "most 16G")
      ->type_name("BYTES")
      ->capture_default_str();
}

void AddTilingOption(CLI::App& command, std::string& name) {
  command
      .add_option("--tiling", name,
                  "SPEC.md's tiling of the target arcs: on (scale them to "
                  "tile the source ring a whole number of laps), off (arcs "
                  "of length t_t) or auto (tile when the laps hold k routes "
                  "a source); aligned inputs only")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
}

std::string VersionLine(const std::string& program) {
  return program + " " + pr_version() + " (SPEC.md version " +
         std::to_string(kSpecVersion) + ")";
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

void CheckInputPairsComplete(const CLI::Option* s_pbm, const CLI::Option* t_pbm,
                             const CLI::Option* s_degrees, const CLI::Option* t_degrees) {
  auto given = [](const CLI::Option* o) { return o->count() > 0; };
  if (given(s_pbm) != given(t_pbm)) {
    throw UsageError(given(s_pbm) ? "--s needs --t T.pbm too" : "--t needs --s S.pbm too");
  }
  if (given(s_degrees) != given(t_degrees)) {
    throw UsageError(given(s_degrees) ? "--s-degrees needs --t-degrees FILE too"
                                      : "--t-degrees needs --s-degrees FILE too");
  }
}

}  // namespace phase_router::cli
