#include "tools/cli/command_line.h"

#include <omp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>
#include <limits>
#include <optional>
#include <string_view>

#include "phase_router/phase_router.h"
#include "phase_router/phase_router_c.h"  // pr_version
#include "router/validation.h"  // MaxThreads(): the bound --threads checks
#include "tools/io/parse_number.h"

namespace phase_router::cli {

int ReportError(const std::string& message, int exit_code,
                const char* program) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  line = io::SanitizeForMessage(line, kMaxMessageChars);
  std::fprintf(stderr, "%s: error: %s\n", program, line.c_str());
  std::fflush(stderr);
  return exit_code;
}

namespace {

// The subcommands of `app`, "route, demo, ...".
std::string SubcommandList(const CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

// The subcommand that was being parsed ("route"), or "" for the top level.
std::string ParsedSubcommand(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->parsed()) return sub->get_name();
  }
  return "";
}

// "Name: rest" of CLI11's messages that start with the option's name.
bool SplitName(const std::string& message, const std::string& marker,
               std::string* name) {
  const size_t at = message.find(marker);
  if (at == std::string::npos || at == 0) return false;
  *name = message.substr(0, at);
  return true;
}

// The trailing integer of `text` ("... received 2" -> "2").
std::string LastNumber(const std::string& text) {
  size_t end = text.size();
  while (end > 0 && !std::isdigit(static_cast<unsigned char>(text[end - 1]))) --end;
  size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(text[begin - 1]))) --begin;
  return text.substr(begin, end - begin);
}

}  // namespace

std::string DescribeParseError(const CLI::ParseError& error, const CLI::App& app) {
  const std::string message = error.what();
  const std::string sub = ParsedSubcommand(app);
  const std::string help =
      "`" + app.get_name() + (sub.empty() ? "" : " " + sub) + " --help` lists the options";
  std::string name;
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
    if (message.rfind("A subcommand", 0) == 0 || message.rfind("Requires at least", 0) == 0) {
      return "a subcommand is required: one of " + SubcommandList(app) + " (`" +
             app.get_name() + " --help` says what each does)";
    }
    return message + " (" + help + ")";
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
    if (SplitName(message, ": At Most ", &name)) {
      return name + " was given " + LastNumber(message) + " times; give it once";
    }
    if (SplitName(message, ": At least ", &name) || SplitName(message, " required ", &name)) {
      if (name.size() > 2 && name.substr(name.size() - 2) == ": ") name.resize(name.size() - 2);
      const size_t colon = name.find(':');
      if (colon != std::string::npos) name.resize(colon);
      return name + " needs a value (" + help + ")";
    }
    return message;
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    // CLI11 lists the extras last first; put them back in order.
    const size_t colon = message.find(": ");
    std::vector<std::string> extras;
    if (colon != std::string::npos) {
      std::string rest = message.substr(colon + 2);
      size_t start = 0;
      while (start <= rest.size()) {
        const size_t space = rest.find(' ', start);
        const size_t end = space == std::string::npos ? rest.size() : space;
        if (end > start) extras.insert(extras.begin(), rest.substr(start, end - start));
        if (space == std::string::npos) break;
        start = space + 1;
      }
    }
    std::string list;
    for (const std::string& extra : extras) {
      list += (list.empty() ? "" : ", ") + io::QuoteForMessage(extra);
    }
    const bool option = !extras.empty() && extras.front().rfind("-", 0) == 0;
    return std::string(extras.size() > 1 ? "unexpected arguments " : "unexpected argument ") +
           list + (sub.empty() ? "" : " to " + sub) + (option ? ": no such option" : "") +
           " (" + help + ")";
  }
  return message;  // ValidationError (OneOf's message) and the rest
}

CLI::Validator OneOf(std::initializer_list<const char*> names) {
  std::vector<std::string> allowed(names.begin(), names.end());
  std::string list;
  for (const std::string& name : allowed) list += (list.empty() ? "" : ", ") + name;
  return CLI::Validator(
      [allowed, list](std::string& value) -> std::string {
        for (const std::string& name : allowed) {
          if (value == name) return "";
        }
        return io::QuoteForMessage(value) + " is not one of: " + list;
      },
      "{" + list + "}");
}

void PrintOrThrow(const std::string& text) {
  const std::string what = "standard output";
  io::WriteAll(stdout, text.data(), text.size(), what);
  io::FlushOrThrow(stdout, what);
}

void PrintStatsLine(const std::string& json) {
  const std::string what = "the --stats line on standard error";
  const std::string line = json + "\n";
  io::WriteAll(stderr, line.data(), line.size(), what);
  io::FlushOrThrow(stderr, what);
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
    throw UsageError(option_name + ": " + io::SanitizeForMessage(text) +
                     " is out of range; " + range);
  }
  return *value;
}

uint64_t ParseSeedOption(const std::string& text) {
  return ParseUnsignedOption("--seed", text, 0,
                             std::numeric_limits<uint64_t>::max());
}

int ParseThreadsOption(const std::string& text) {
  const uint64_t max = static_cast<uint64_t>(MaxThreads());
  const std::optional<uint64_t> value = io::ParseDecimalU64(text);
  if (value && *value > max) {
    throw UsageError("--threads: " + io::SanitizeForMessage(text) +
                     " is out of range; expected an integer from 0 (OpenMP's default) to " +
                     std::to_string(max) + " (4 x the " + std::to_string(omp_get_num_procs()) +
                     " CPUs OpenMP reports, at least " + std::to_string(kMinThreadCap) +
                     ", at most " + std::to_string(kMaxThreads) + ")");
  }
  return static_cast<int>(ParseUnsignedOption("--threads", text, 0, max));
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
    throw UsageError("--memory-limit: " + io::QuoteForMessage(text) + " is too large; " +
                     expected);
  }
  return *value << shift;
}

io::MemoryBudget ToolMemoryBudget(uint64_t memory_limit) {
  return io::MemoryBudget(memory_limit != 0 ? memory_limit : DefaultMemoryLimit());
}

uint64_t LibraryMemoryLimit(const io::MemoryBudget& budget) {
  return std::max<uint64_t>(1, budget.left());
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
      ->check(OneOf({"auto", "on", "off"}))
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
    // The library echoes the name as given: sanitize it as every value.
    std::string message = e.what();
    const size_t at = message.find(target.name);
    if (at != std::string::npos) {
      message.replace(at, target.name.size(), io::SanitizeForMessage(target.name));
    }
    throw UsageError("--target: " + message);
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
