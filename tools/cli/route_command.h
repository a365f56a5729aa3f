// `phase-router route`: one routing from PBM matrices or degree files,
// written in the golden `routes` text format.
#ifndef PHASE_ROUTER_TOOLS_CLI_ROUTE_COMMAND_H_
#define PHASE_ROUTER_TOOLS_CLI_ROUTE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"
#include "tools/cli/command_line.h"
#include "tools/io/file_io.h"
#include "tools/io/pbm.h"

namespace phase_router::cli {

// What the command line said, before any of it is checked. Numbers stay
// text so they can be parsed strictly: CLI11 2.1 converts with strtoull in
// base 0, so "010" would be seed 8, "0x10" seed 16 and "-1" would wrap to
// 2^64 - 1.
struct RouteArgs {
  std::string s_pbm, t_pbm, s_degrees, t_degrees;
  std::string k = "";
  std::string seed = "0";
  std::string threads = "0";
  std::string select = "random";
  std::string method = "auto";
  std::string tiling = "auto";
  std::string memory_limit = "0";
  std::string rows;    // --rows A:B (route only); empty: every row
  std::string output;  // empty: standard output
  bool no_align = false;
  bool row_perm = false;
  bool stats = false;
  TargetOption target;
  // Presence of each input option, read after parsing (an empty path given
  // explicitly still counts as given).
  CLI::Option* s_pbm_option = nullptr;
  CLI::Option* t_pbm_option = nullptr;
  CLI::Option* s_degrees_option = nullptr;
  CLI::Option* t_degrees_option = nullptr;
  CLI::Option* output_option = nullptr;
  CLI::Option* rows_option = nullptr;  // null where not registered (stats)
};

// Registers the `route` subcommand on `app`, storing into `args`.
CLI::App* AddRouteCommand(CLI::App& app, RouteArgs& args);

// ---- Shared with every subcommand that routes the same inputs (stats) ----

// Registers route's inputs and routing options on `command`: --s/--t,
// --s-degrees/--t-degrees, -k, --seed, --no-align, --row-perm, --select,
// --method, --tiling, --threads, --memory-limit and --target (not -o,
// --stats or --rows).
void AddRoutingOptions(CLI::App& command, RouteArgs& args);

// Exactly one complete pair of inputs, no option the pair ignores, and no
// options that exclude each other (--method arcs with --no-align); throws
// UsageError otherwise. Reads nothing.
void CheckRouteInputOptions(const RouteArgs& args);

// The routing options, strictly parsed (UsageError names a bad number or
// row range). --rows, where registered and given, sets row_begin/row_end.
Options ParseRouteOptions(const RouteArgs& args);

// --rows A:B, the half-open source range [A, B); "A:" runs to M. Plain
// decimal on both sides and A < B when B is given; UsageError otherwise.
// Whether the range fits M is the router's to say (Error kBadOption), since
// M is only known once the inputs are read.
struct RowRange {
  size_t begin = 0;
  size_t end = 0;  // 0: to M (Options::row_end's convention)
};
RowRange ParseRowsOption(const std::string& text);

// The inputs, read from the files the (checked) arguments name: two PBM
// matrices whose shapes agree (S is M x E, T is E x M), or two degree lists.
// With a `budget`, what reading holds (the files' bytes while parsing, the
// pixels or degrees after) is charged to it before it is allocated; the
// pixels and degrees stay charged.
struct RouteInputs {
  bool matrices = false;
  io::PbmImage S, T;           // when matrices
  std::vector<uint32_t> s, t;  // otherwise
};
RouteInputs ReadRouteInputs(const RouteArgs& args,
                            io::MemoryBudget* budget = nullptr);

// M, the number of sources of the inputs (rows of S, or entries of s).
size_t SourceCount(const RouteInputs& in);

// Routes `in` with `options` into `out`, which holds the rows of
// options' range times k int32 (phase_router::Router::Route's contract).
void RouteInputsInto(Router& router, const RouteInputs& in,
                     const Options& options, int32_t* out, Stats* stats);

// Where the routes text goes: the file `path`, atomically, or standard
// output when `path` is empty. A file's temporary file is created at
// construction, so an unwritable -o fails before anything is read or
// routed (and an interrupted run removes it, tools/io/file_io.h). What
// `route` prints, so every tool that writes routes writes the same bytes.
class RoutesOutput {
 public:
  explicit RoutesOutput(const std::string& path);
  // The routes text of `ids` (M lines of k ids); throws io::IoError when a
  // write fails. A file stays temporary until Commit().
  void Write(const int32_t* ids, size_t M, size_t k);
  // Moves the file into place, or flushes standard output (checked).
  void Commit();

 private:
  std::string what_;
  std::unique_ptr<io::AtomicOutputFile> file_;  // null for standard output
};

// RoutesOutput(path), Write and Commit in one.
void WriteRoutesOutput(const int32_t* ids, size_t M, size_t k,
                       const std::string& path);

// Runs a parsed `route` command. Throws UsageError for inconsistent options,
// io::IoError for unreadable or unwritable files and phase_router::Error for
// inputs the router refuses.
void RunRouteCommand(const RouteArgs& args);

}  // namespace phase_router::cli

#endif  // PHASE_ROUTER_TOOLS_CLI_ROUTE_COMMAND_H_
