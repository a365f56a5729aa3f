// What every phase-router subcommand shares: strict parsing of numeric
// options, the --target option, and reporting failures as one line on stderr
// with an exit status that tells a usage mistake from a failed run.
//
// The exit-status rule, for every subcommand, option and tool
// (phase-router, phase-router-mpi):
//   0  the command did everything it promised, every output written whole;
//   2  the command line alone is wrong, whatever the inputs: an unknown
//      subcommand or option, a missing or repeated option, a malformed or
//      out-of-range value, options that exclude each other (UsageError and
//      CLI11's parse errors);
//   1  anything only running can tell: an unreadable, malformed or refused
//      input (including option values that do not fit the input, e.g. a row
//      range past M), the environment (PHASE_ROUTER_TARGET), the memory
//      ceiling, threads that cannot start, a failed write (full disk, closed
//      pipe), ranks that disagree.
// A run ended by a signal exits as that signal says (after removing its
// temporary files, tools/io/file_io.h).
#ifndef PHASE_ROUTER_TOOLS_CLI_COMMAND_LINE_H_
#define PHASE_ROUTER_TOOLS_CLI_COMMAND_LINE_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>

#include "phase_router/phase_router.h"
#include "tools/io/file_io.h"

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
// (embedded newlines and tabs become spaces; other control characters and
// bytes that are not UTF-8 become '?'; past kMaxMessageChars the middle is
// cut) and returns `exit_code`. The program is phase-router unless another
// tool built on these options says otherwise. Values in messages are echoed
// through io::QuoteForMessage (tools/io/parse_number.h) wherever they are
// built; this is the last guard.
inline constexpr size_t kMaxMessageChars = 1000;
int ReportError(const std::string& message, int exit_code,
                const char* program = "phase-router");

// CLI11's parse error as a message that names the option (or lists the
// subcommands) instead of CLI11's own wording ("A subcommand is required",
// "At Most 1 required but received 2", ...). `app` is the top-level app.
std::string DescribeParseError(const CLI::ParseError& error, const CLI::App& app);

// A CLI11 check that the value is one of `names`; the message quotes the
// value (sanitized) and lists the names ("--select: 'best' is not one of:
// random, lowest").
CLI::Validator OneOf(std::initializer_list<const char*> names);

// `text` as a line on standard output, checked: a full disk or a closed
// pipe is an io::IoError, not a silent exit 0. (Callers that print with
// printf finish with io::FlushOrThrow(stdout, ...), which sees the same.)
void PrintOrThrow(const std::string& text);

// One line of --stats JSON on standard error, checked like PrintOrThrow:
// the statistics are an output the command promised.
void PrintStatsLine(const std::string& json);

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

// --threads: 0 (OpenMP's default) up to the library's bound (4 x the CPUs
// OpenMP reports, at least 64, at most 1024: router/validation.h's
// MaxThreads()); more is a typo, not a machine, and would only make the
// library refuse it later (as a failed run, not a bad command line).
int ParseThreadsOption(const std::string& text);

// --memory-limit BYTES, for any subcommand that routes: the router's memory
// ceiling (phase_router::Options::memory_limit). Decimal bytes with an
// optional binary suffix K, M, G or T in any case ("512M", "16g": powers of
// 1024); 0 means the library's default (DefaultMemoryLimit()). Throws
// UsageError naming the text otherwise.
uint64_t ParseMemoryLimitOption(const std::string& text);

// Registers --memory-limit on `command`, storing the text into `text`.
void AddMemoryLimitOption(CLI::App& command, std::string& text);

// The ceiling of a command that routes: --memory-limit's value, or the
// library's default for 0. What the tool itself holds (inputs, decoded
// pixels, output buffers) is charged to it; the library gets what is left.
io::MemoryBudget ToolMemoryBudget(uint64_t memory_limit);

// What is left of `budget` for the library, as Options::memory_limit (at
// least 1: 0 would mean the default).
uint64_t LibraryMemoryLimit(const io::MemoryBudget& budget);

// Runs `route` (a call into the library with LibraryMemoryLimit(budget));
// an Error(kOutOfMemory) it throws about that limit gains the whole ceiling
// and what the tool holds of it, since the library only saw what was left.
template <class Route>
decltype(auto) WithinBudget(const io::MemoryBudget& budget, Route&& route) {
  try {
    return std::forward<Route>(route)();
  } catch (const Error& e) {
    const std::string limit = "memory limit of " + std::to_string(LibraryMemoryLimit(budget));
    if (e.code() != ErrorCode::kOutOfMemory || budget.used() == 0 ||
        std::string(e.what()).find(limit) == std::string::npos) {
      throw;
    }
    throw Error(ErrorCode::kOutOfMemory,
                std::string(e.what()) + " (the memory limit is " +
                    std::to_string(budget.limit()) + " bytes, of which the tool holds " +
                    std::to_string(budget.used()) + " for inputs and output buffers)");
  }
}

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
