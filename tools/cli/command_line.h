// What every phase-router subcommand shares: strict parsing of numeric
// options, the --target option, and reporting failures as one line on stderr
// with an exit status that tells a usage mistake from a failed run.
#ifndef PHASE_ROUTER_TOOLS_CLI_COMMAND_LINE_H_
#define PHASE_ROUTER_TOOLS_CLI_COMMAND_LINE_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace phase_router::cli {

inline constexpr int kExitFailure = 1;  // bad input data, I/O, routing
inline constexpr int kExitUsage = 2;    // bad command line

// A command line that parses but makes no sense (missing or conflicting
// inputs, an out-of-range number). Reported like CLI11's own parse errors.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message)
      : std::runtime_error(message) {}
};

// Prints "<program>: error: <message>" as exactly one line on stderr
// (embedded newlines become spaces) and returns `exit_code`. The program is
// phase-router unless another tool built on these options says otherwise.
int ReportError(const std::string& message, int exit_code,
                const char* program = "phase-router");

// The value of an unsigned numeric option given as text, in [min, max].
// Plain decimal only (no sign, no hex): throws UsageError naming the option,
// the text and the accepted range otherwise.
uint64_t ParseUnsignedOption(const std::string& option_name,
                             const std::string& text, uint64_t min,
                             uint64_t max);

// Each input pair is given whole: --s with --t, --s-degrees with
// --t-degrees (UsageError naming the missing half otherwise).
void CheckInputPairsComplete(const CLI::Option* s_pbm, const CLI::Option* t_pbm,
                             const CLI::Option* s_degrees, const CLI::Option* t_degrees);

// --seed: the full uint64 range, 0 included.
uint64_t ParseSeedOption(const std::string& text);

// --threads: 0 (OpenMP's default) up to kMaxThreads; more is a typo, not a
// machine, and would only make OpenMP fail later and less clearly.
inline constexpr int kMaxThreads = 4096;
int ParseThreadsOption(const std::string& text);

// --memory-limit BYTES, for any subcommand that routes: the router's memory
// ceiling (phase_router::Options::memory_limit). Decimal bytes with an
// optional binary suffix K, M, G or T in any case ("512M", "16g": powers of
// 1024); 0 means the library's default (DefaultMemoryLimit()). Throws
// UsageError naming the text otherwise.
uint64_t ParseMemoryLimitOption(const std::string& text);

// Registers --memory-limit on `command`, storing the text into `text`.
void AddMemoryLimitOption(CLI::App& command, std::string& text);

// --tiling auto|on|off, for any subcommand that routes: SPEC.md step 2's
// tiling rule (phase_router::Options::tiling). Registers it on `command`,
// storing the name into `name`; CLI11 refuses any other name as a usage
// error naming it, as for --select and --method.
void AddTilingOption(CLI::App& command, std::string& name);

// "phase-router 0.4.0 (SPEC.md version 2)": what --version prints for
// `program`, the library version and the routing spec it implements.
std::string VersionLine(const std::string& program);

// --target NAME, for any subcommand that routes: forces the kernel target
// (phase_router::ForceTarget) for the rest of the process. It overrides the
// environment variable PHASE_ROUTER_TARGET, which does the same.
struct TargetOption {
  std::string name;
  CLI::Option* option = nullptr;  // given at all, even as ""
};

// Registers --target on `command`, storing into `target`.
void AddTargetOption(CLI::App& command, TargetOption& target);

// Forces the target if --target was given, before anything is routed. A
// name the library refuses (unknown, empty, or compiled but beyond this CPU)
// is a UsageError naming it and the targets there are to choose from.
void ApplyTargetOption(const TargetOption& target);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_COMMAND_LINE_H_
