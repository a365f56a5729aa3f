// phase-router-mpi: one routing, sharded by source rows across MPI ranks.
//
// Every rank reads the same inputs and options (route's: PBM matrices or
// degree files, --tiling and the rest, parsed from the same argv on every
// rank), routes its balanced contiguous share of the sources,
// [M * r / R, M * (r + 1) / R), through Options::row_begin / row_end (the
// library guarantees each row equals that row of the whole routing), and
// rank 0 gathers the rows and writes them exactly as `phase-router route`
// does: the output is byte-identical to a single-process run.
//
// Failures are agreed on: after each step every rank learns whether any rank
// failed (MPI_Allreduce), the lowest failing rank prints its one-line error,
// and every rank leaves with that rank's exit status (2 for a bad command
// line, 1 for anything else), so no rank waits in a collective that another
// will never enter, and no MPI_Abort is needed. (mpirun still notes the
// non-zero exit in a banner of its own; `mpirun --quiet` drops it.)
//
// The ranks must route one routing: before reading they agree on a
// fingerprint of every option (an MPMD launch gives each rank its own
// command line), and after reading on a fingerprint of the inputs' shape
// and contents (ranks may read different files of the same name); any
// difference fails every rank with one message naming the option or input
// and the first rank that differs. Outputs are opened (as temporary files)
// before reading, written, and moved into place only once every rank has
// written its part; with --per-rank-output rank 0 then removes the parts an
// earlier run with more ranks (or another zero-padding) left under the
// same prefix, so `cat PREFIX.*` is exactly this run's output.
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"
#include "tools/cli/command_line.h"
#include "tools/cli/route_command.h"
#include "tools/io/file_io.h"
#include "tools/io/io_error.h"
#include "tools/io/parse_number.h"
#include "tools/io/routes_text.h"

namespace phase_router::mpi {
namespace {

using cli::kExitFailure;
using cli::kExitUsage;
using cli::UsageError;

constexpr char kProgram[] = "phase-router-mpi";

// Entries (int32) rank 0 receives per gather round, from all other ranks
// together: MPI counts and displacements are int, and the staging buffer
// stays at 16 MiB however large M * k is.
constexpr size_t kGatherRoundEntries = size_t{1} << 22;

struct Ranks {
  int rank = 0;
  int size = 1;
};

struct MpiArgs {
  cli::RouteArgs route;  // route's inputs and options, -o and --stats
  std::string per_rank_prefix;
  std::string gather_chunk;  // entries per rank per gather round; "" default
  CLI::Option* per_rank_option = nullptr;
  CLI::Option* gather_chunk_option = nullptr;
};

// ---- Agreeing on failures ---------------------------------------------------

// What one step did on this rank: status 0, or an exit status and the
// one-line message that explains it.
struct Outcome {
  int status = 0;
  std::string message;
};

// Runs `step`, turning what it throws into an Outcome the way
// `phase-router` turns it into an exit status.
template <typename Step>
Outcome Attempt(Step&& step) {
  try {
    step();
    return {};
  } catch (const UsageError& e) {
    return {kExitUsage, e.what()};
  } catch (const Error& e) {  // the router refused the input
    return {kExitFailure, e.what()};
  } catch (const io::IoError& e) {
    return {kExitFailure, e.what()};
  } catch (const std::bad_alloc&) {
    return {kExitFailure, "out of memory"};
  } catch (const std::exception& e) {
    return {kExitFailure, std::string("unexpected failure: ") + e.what()};
  } catch (...) {
    return {kExitFailure, "unexpected failure of unknown type"};
  }
}

// Collective: 0 when the step succeeded on every rank; otherwise the exit
// status of the lowest failing rank, which prints its message (prefixed by
// its rank when that is not 0: a failure on one rank only, e.g. its own
// output file, must say where it happened).
int Agree(const Outcome& mine, const Ranks& ranks) {
  const int candidate = mine.status != 0 ? ranks.rank : ranks.size;
  int first = ranks.size;
  MPI_Allreduce(&candidate, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == ranks.size) return 0;
  int status = mine.status;
  MPI_Bcast(&status, 1, MPI_INT, first, MPI_COMM_WORLD);
  if (ranks.rank == first) {
    const std::string where =
        first == 0 ? "" : "rank " + std::to_string(first) + ": ";
    cli::ReportError(where + mine.message, status, kProgram);
  }
  return status;
}

// ---- The command line -------------------------------------------------------

void AddOptions(CLI::App& app, MpiArgs& args) {
  cli::AddRoutingOptions(app, args.route);
  args.route.output_option =
      app.add_option("-o,--output", args.route.output,
                     "rank 0 writes all routes to FILE (atomically) instead "
                     "of stdout: the bytes `phase-router route -o` writes")
          ->type_name("FILE");
  args.per_rank_option =
      app.add_option("--per-rank-output", args.per_rank_prefix,
                     "instead of gathering, each rank writes its own rows "
                     "to PREFIX.RANK (RANK zero-padded, so `cat PREFIX.*` "
                     "is the whole output: PREFIX.DIGITS files of earlier "
                     "runs are removed)")
          ->type_name("PREFIX");
  args.gather_chunk_option =
      app.add_option("--gather-chunk", args.gather_chunk,
                     "int32 entries each rank sends per gather round "
                     "(default: 4194304 / (ranks - 1)); for tests")
          ->type_name("N");
  app.add_flag("--stats", args.route.stats,
               "rank 0 prints one JSON line on stderr: per-rank rows, "
               "method and milliseconds");
}

// The options every rank checks alike (same argv, same answer).
struct Plan {
  Options options;
  size_t gather_chunk = 0;  // per rank per round
};

Plan CheckOptions(const MpiArgs& args, const Ranks& ranks) {
  cli::CheckRouteInputOptions(args.route);
  Plan plan;
  plan.options = cli::ParseRouteOptions(args.route);
  const bool per_rank = args.per_rank_option->count() > 0;
  if (per_rank && args.route.output_option->count() > 0) {
    throw UsageError(
        "-o and --per-rank-output are mutually exclusive: rank 0 writes the "
        "whole output, or every rank writes its own part");
  }
  if (per_rank && args.per_rank_prefix.empty()) {
    throw UsageError("--per-rank-output: the prefix is empty");
  }
  const size_t senders = static_cast<size_t>(std::max(1, ranks.size - 1));
  // The staging buffer's displacements, (ranks - 1) * chunk, must fit int.
  const uint64_t max_chunk = std::numeric_limits<int>::max() / senders;
  plan.gather_chunk =
      args.gather_chunk_option->count() > 0
          ? cli::ParseUnsignedOption("--gather-chunk", args.gather_chunk, 1,
                                     max_chunk)
          : std::max<size_t>(1, kGatherRoundEntries / senders);
  cli::ApplyTargetOption(args.route.target);
  return plan;
}

// ---- Fingerprints: the ranks route one routing ------------------------------

// A 64-bit fingerprint of bytes (words multiplied and folded in, the length
// last): equal inputs give equal values; different ones differ but for a
// 2^-64 chance, which is what one compare across ranks needs.
uint64_t Fingerprint(const void* data, size_t bytes) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  uint64_t h = 0x9E3779B97F4A7C15ull;
  const auto mix = [&h](uint64_t word) {
    h ^= word;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  };
  size_t n = 0;
  for (; n + 8 <= bytes; n += 8) {
    uint64_t word;
    std::memcpy(&word, p + n, 8);
    mix(word);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p + n, bytes - n);
  mix(tail);
  mix(bytes);
  h ^= h >> 29;
  h *= 0x94D049BB133111EBull;
  return h ^ (h >> 32);
}

uint64_t Fingerprint(const std::string& text) { return Fingerprint(text.data(), text.size()); }

// One named part of what the ranks must agree on.
struct Part {
  std::string name;
  uint64_t value;
};

// Collective: every rank's `parts` (the same names in the same order) are
// compared with rank 0's; the first that differs throws `Err(describe(name,
// rank))` on every rank, naming the part and the first rank that differs.
template <typename Err, typename Describe>
void CheckSameOnEveryRank(const std::vector<Part>& parts, const Ranks& ranks,
                          const Describe& describe) {
  const int count = static_cast<int>(parts.size());
  std::vector<uint64_t> mine(parts.size());
  for (size_t n = 0; n < parts.size(); ++n) mine[n] = parts[n].value;
  std::vector<uint64_t> all(parts.size() * static_cast<size_t>(ranks.size));
  MPI_Allgather(mine.data(), count, MPI_UINT64_T, all.data(), count, MPI_UINT64_T,
                MPI_COMM_WORLD);
  for (size_t n = 0; n < parts.size(); ++n) {
    for (int r = 1; r < ranks.size; ++r) {
      if (all[static_cast<size_t>(r) * parts.size() + n] != all[n]) {
        throw Err(describe(parts[n].name, r));
      }
    }
  }
}

// Collective, before anything is read: every option, parsed (so "--seed 010"
// and "--seed 10" agree), the output path and prefix included. Input paths
// may differ (node-local copies); their contents are compared after reading.
void CheckSameOptions(const MpiArgs& args, const Plan& plan, const Ranks& ranks) {
  const Options& o = plan.options;
  const auto given = [](const CLI::Option* option) { return option != nullptr && option->count() > 0; };
  const std::vector<Part> parts = {
      {"input (--s/--t or --s-degrees/--t-degrees)",
       given(args.route.s_pbm_option) ? 1u : 2u},
      {"-k", o.k},
      {"--seed", o.seed},
      {"--no-align", o.align ? 0u : 1u},
      {"--row-perm", o.row_perm ? 1u : 0u},
      {"--select", static_cast<uint64_t>(o.select)},
      {"--method", static_cast<uint64_t>(o.method)},
      {"--tiling", static_cast<uint64_t>(o.tiling)},
      {"--threads", static_cast<uint64_t>(o.threads)},
      {"--memory-limit", o.memory_limit},
      {"--target", Fingerprint(given(args.route.target.option) ? "=" + args.route.target.name : "")},
      {"-o", Fingerprint(given(args.route.output_option) ? "=" + args.route.output : "")},
      {"--per-rank-output", Fingerprint(given(args.per_rank_option) ? "=" + args.per_rank_prefix : "")},
      {"--gather-chunk", plan.gather_chunk},
      {"--stats", args.route.stats ? 1u : 0u},
  };
  CheckSameOnEveryRank<UsageError>(parts, ranks, [](const std::string& name, int rank) {
    return "the ranks were given different " + name + " options (rank " + std::to_string(rank) +
           "'s differ from rank 0's; an MPMD launch gives each its own command line): "
           "every rank must get the same command line";
  });
}

// Collective, after reading: the inputs' shape, then their contents.
void CheckSameInputs(const MpiArgs& args, const cli::RouteInputs& in, const Ranks& ranks) {
  const size_t M = cli::SourceCount(in);
  const size_t E = in.matrices ? in.S.cols : in.t.size();
  // Shapes first: their message can show the numbers.
  const uint64_t shape[2] = {M, E};
  uint64_t low[2], high[2];
  MPI_Allreduce(shape, low, 2, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(shape, high, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
  if (low[0] != high[0] || low[1] != high[1]) {
    throw io::IoError(
        "the ranks read different inputs (M from " + std::to_string(low[0]) +
        " to " + std::to_string(high[0]) + ", E from " +
        std::to_string(low[1]) + " to " + std::to_string(high[1]) +
        "): every rank must see the same files");
  }
  const std::string s_name = in.matrices ? "S " + io::QuoteForMessage(args.route.s_pbm)
                                         : "s " + io::QuoteForMessage(args.route.s_degrees);
  const std::string t_name = in.matrices ? "T " + io::QuoteForMessage(args.route.t_pbm)
                                         : "t " + io::QuoteForMessage(args.route.t_degrees);
  const std::vector<Part> parts = {
      {s_name, in.matrices ? Fingerprint(in.S.pixels.data(), in.S.pixels.size())
                           : Fingerprint(in.s.data(), in.s.size() * sizeof(uint32_t))},
      {t_name, in.matrices ? Fingerprint(in.T.pixels.data(), in.T.pixels.size())
                           : Fingerprint(in.t.data(), in.t.size() * sizeof(uint32_t))},
  };
  CheckSameOnEveryRank<io::IoError>(parts, ranks, [](const std::string& name, int rank) {
    return "the ranks read different inputs: " + name + " on rank " + std::to_string(rank) +
           " has the shape of rank 0's but other contents: every rank must read the same files";
  });
}

// ---- Rows -------------------------------------------------------------------

struct RowSpan {
  size_t begin = 0, end = 0;
  size_t size() const { return end - begin; }
};

// floor(M * q / R) without the product overflowing: M = a R + b, so
// M q / R = a q + b q / R exactly, and b q < R^2 fits.
size_t SplitPoint(size_t M, int q, int R) {
  const size_t r = static_cast<size_t>(R), n = static_cast<size_t>(q);
  return M / r * n + M % r * n / r;
}

RowSpan RowsOfRank(size_t M, int rank, int ranks) {
  return {SplitPoint(M, rank, ranks), SplitPoint(M, rank + 1, ranks)};
}

size_t CheckedEntries(size_t rows, size_t k) {
  size_t entries = 0;
  if (__builtin_mul_overflow(rows, k, &entries) ||
      entries > std::numeric_limits<size_t>::max() / sizeof(int32_t)) {
    throw Error(ErrorCode::kOutOfMemory,
                std::to_string(rows) + " rows of k = " + std::to_string(k) +
                    " routes do not fit in memory");
  }
  return entries;
}

// ---- The steps --------------------------------------------------------------

size_t TargetCount(const cli::RouteInputs& in) {
  return in.matrices ? in.S.cols : in.t.size();
}

// Routes this rank's rows. An empty range (more ranks than sources) routes
// nothing, leaving `stats` as it was: the router refuses empty ranges. M = 0
// is routed by rank 0 alone so that the router's own error about it is the
// one reported.
void RouteMyRows(const cli::RouteInputs& in, size_t M, const RowSpan& mine,
                 Options options, int rank, int32_t* out, Stats* stats) {
  if (mine.size() == 0 && !(M == 0 && rank == 0)) return;
  options.row_begin = mine.begin;
  options.row_end = mine.end;
  Router router;
  cli::RouteInputsInto(router, in, options, out, stats);
}

// The entries of round `round` of a part of `entries` sent `chunk` at a time.
size_t PieceSize(size_t entries, size_t round, size_t chunk) {
  const size_t sent = std::min(entries, round * chunk);
  return std::min(chunk, entries - sent);
}

// Collective: every rank's routes into `routes` on rank 0, whose own rows
// are already in place at its front; other ranks send from their `routes`.
// Each round, rank r > 0 sends up to `chunk` entries of its part; rank 0
// receives them into a staging buffer (int displacements (r - 1) * chunk)
// and copies each piece to its place (a size_t offset). Every rank derives
// the same round count from M, k and the split.
void GatherRoutes(size_t M, size_t k, const Ranks& ranks, size_t chunk,
                  std::vector<int32_t>& staging, std::vector<int32_t>* routes) {
  const int R = ranks.size;
  std::vector<size_t> entries(R), offsets(R);
  size_t rounds = 0;
  for (int r = 1; r < R; ++r) {
    const RowSpan rows = RowsOfRank(M, r, R);
    entries[r] = rows.size() * k;
    offsets[r] = rows.begin * k;
    rounds = std::max(rounds, (entries[r] + chunk - 1) / chunk);
  }
  std::vector<int> counts(R, 0), displs(R, 0);
  for (size_t round = 0; round < rounds; ++round) {
    for (int r = 1; r < R; ++r) {
      counts[r] = static_cast<int>(PieceSize(entries[r], round, chunk));
      displs[r] = static_cast<int>((r - 1) * chunk);
    }
    const int send_count = ranks.rank == 0 ? 0 : counts[ranks.rank];
    const int32_t* send = send_count ? routes->data() + round * chunk : nullptr;
    MPI_Gatherv(send, send_count, MPI_INT32_T, staging.data(), counts.data(),
                displs.data(), MPI_INT32_T, 0, MPI_COMM_WORLD);
    if (ranks.rank != 0) continue;
    for (int r = 1; r < R; ++r) {
      if (counts[r] == 0) continue;
      std::memcpy(routes->data() + offsets[r] + round * chunk,
                  staging.data() + displs[r], counts[r] * sizeof(int32_t));
    }
  }
}

// PREFIX.RANK, the rank zero-padded to the width of the largest, so the
// parts sort (and `cat PREFIX.*` concatenates them) in rank order.
std::string PerRankPath(const std::string& prefix, const Ranks& ranks) {
  const size_t width = std::to_string(ranks.size - 1).size();
  std::string number = std::to_string(ranks.rank);
  number.insert(0, width - number.size(), '0');
  return prefix + "." + number;
}

// Rank 0, once every part of this run is in place: removes what earlier
// runs left under the prefix, PREFIX.DIGITS (any padding: a run on 12
// ranks wrote PREFIX.00 to PREFIX.11) and their temporary files
// (PREFIX.DIGITS.tmp.XXXXXX, left only by a run killed outright), other
// than this run's parts. `cat PREFIX.*` then reads exactly this run's
// output. Returns how many files it removed.
size_t RemoveStaleParts(const std::string& prefix, const Ranks& ranks) {
  namespace fs = std::filesystem;
  const fs::path path(prefix);
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const std::string base = path.filename().string() + ".";
  std::vector<std::string> current;
  for (int r = 0; r < ranks.size; ++r) {
    current.push_back(fs::path(PerRankPath(prefix, {r, ranks.size})).filename().string());
  }
  std::vector<std::string> stale;
  std::error_code error;
  fs::directory_iterator it(dir, error);
  for (; !error && it != fs::directory_iterator(); it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, base.size(), base) != 0) continue;
    std::string rest = name.substr(base.size());
    const size_t tmp = rest.find(".tmp.");
    if (tmp != std::string::npos && rest.size() == tmp + 11) rest.resize(tmp);
    const bool digits = !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
    if (!digits || std::find(current.begin(), current.end(), name) != current.end()) continue;
    stale.push_back((dir / name).string());
  }
  if (error) {
    throw io::IoError("--per-rank-output: cannot list " + io::QuoteForMessage(dir.string()) +
                      " for the parts of earlier runs: " + error.message());
  }
  for (const std::string& file : stale) io::RemoveFile(file);
  return stale.size();
}

// ---- --stats ----------------------------------------------------------------

// What each rank reports to rank 0 for --stats: doubles only, so one
// MPI_Gather of plain numbers carries it (counts are exact below 2^53).
struct RankReport {
  double begin = 0, end = 0;  // rows
  double method = 0;          // 0 routed nothing, 1 bits, 2 arcs
  double active_routes = 0;
  double read_ms = 0, route_ms = 0;
  double tiled = 0, laps = 0;  // Stats::tiled (0 or 1) and Stats::laps
};

// Tiling depends on the whole input and the options, which every rank
// shares (same argv, same files), so every rank that routed agrees: the
// first of them speaks for all. Ranks with no rows report nothing.
const RankReport* FirstThatRouted(const std::vector<RankReport>& all) {
  for (const RankReport& r : all) {
    if (r.method != 0) return &r;
  }
  return nullptr;
}

const char* MethodOfReport(double code) {
  return code == 1 ? "bits" : code == 2 ? "arcs" : "none";
}

// Collective: rank 0 prints the line; its outcome (a failed write of it)
// is rank 0's, every other rank's is success.
Outcome PrintStats(const RankReport& mine, const Ranks& ranks, size_t M, size_t E,
                   const Options& options, double gather_ms, double write_ms,
                   double wall_ms) {
  constexpr int kFields = sizeof(RankReport) / sizeof(double);
  std::vector<RankReport> all(ranks.rank == 0 ? ranks.size : 0);
  MPI_Gather(&mine, kFields, MPI_DOUBLE, all.data(), kFields, MPI_DOUBLE, 0,
             MPI_COMM_WORLD);
  if (ranks.rank != 0) return {};
  nlohmann::ordered_json per_rank = nlohmann::ordered_json::array();
  double active = 0, read_ms = 0, route_ms = 0;
  for (const RankReport& r : all) {
    per_rank.push_back(
        {{"rows",
          {static_cast<uint64_t>(r.begin), static_cast<uint64_t>(r.end)}},
         {"method", MethodOfReport(r.method)},
         {"read_ms", r.read_ms},
         {"route_ms", r.route_ms}});
    active += r.active_routes;
    read_ms = std::max(read_ms, r.read_ms);
    route_ms = std::max(route_ms, r.route_ms);
  }
  nlohmann::ordered_json json;
  json["ranks"] = ranks.size;
  json["M"] = M;
  json["E"] = E;
  json["k"] = options.k;
  json["seed"] = options.seed;
  json["method"] = MethodName(options.method);  // as asked; per rank below
  const RankReport* routed = FirstThatRouted(all);
  json["tiling"] = routed != nullptr && routed->tiled != 0;  // applied
  json["laps"] = routed != nullptr ? static_cast<uint64_t>(routed->laps) : 0;
  json["spec"] = kSpecVersion;
  json["backend"] = ActiveTarget();
  json["active_routes"] = static_cast<uint64_t>(active);
  json["fill_ratio"] = M ? active / (static_cast<double>(M) * options.k) : 0;
  json["read_ms_max"] = read_ms;
  json["route_ms_max"] = route_ms;
  json["gather_ms"] = gather_ms;
  json["write_ms"] = write_ms;
  json["wall_ms"] = wall_ms;
  json["per_rank"] = std::move(per_rank);
  const std::string line =
      json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return Attempt([&] { cli::PrintStatsLine(line); });
}

double MillisecondsSince(double start) { return (MPI_Wtime() - start) * 1e3; }

// ---- The run ----------------------------------------------------------------

// Parses argv (every rank alike). Help and --version print on rank 0 only;
// `done` then says the run is over, successfully.
Outcome ParseCommandLine(CLI::App& app, int argc, char** argv,
                         const Ranks& ranks, bool* done) {
  try {
    app.parse(argc, argv);
    return {};
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) return {kExitUsage, cli::DescribeParseError(e, app)};
    *done = true;
    if (ranks.rank != 0) return {};
    app.exit(e);
    // Help and --version are outputs like any other: checked.
    return Attempt([] { io::FlushOrThrow(stdout, "standard output"); });
  }
}

// This rank's share of the routing: its rows, and their routes (all M rows'
// room on rank 0 when it gathers).
struct Share {
  RowSpan rows;
  std::vector<int32_t> routes;
  Stats stats;  // with --stats only: the router computes it only if asked
};

// Routes this rank's rows. Rank 0, when it gathers, holds room for all M
// rows and routes its own into the front of it (they are the first rows),
// so the gather copies nothing of rank 0's. One ceiling for the rank: its
// inputs (charged already), its routes, the text writer's buffer where it
// writes and rank 0's gather staging are charged to `budget` before they are
// allocated, and the router gets what is left.
void RouteShare(const cli::RouteInputs& in, const Plan& plan, const Ranks& ranks,
                bool gather, bool stats, io::MemoryBudget& budget, Share* share) {
  const size_t M = cli::SourceCount(in);
  const size_t k = plan.options.k;
  share->rows = RowsOfRank(M, ranks.rank, ranks.size);
  const bool whole = gather && ranks.rank == 0;
  const size_t entries = CheckedEntries(whole ? M : share->rows.size(), k);
  budget.Charge(uint64_t{entries} * sizeof(int32_t),
                whole ? "gathering all " + std::to_string(M) +
                            " rows of routes on rank 0 (--per-rank-output keeps each "
                            "rank's rows where they are routed)"
                      : "this rank's " + std::to_string(share->rows.size()) + " rows of routes");
  if (whole || !gather) {
    const size_t written = whole ? M : share->rows.size();
    budget.Charge(io::RoutesTextBufferBytes(written, k),
                  "writing " + std::to_string(written) + " rows of routes as text");
  }
  if (whole) {
    budget.Charge(uint64_t{static_cast<size_t>(ranks.size - 1)} * plan.gather_chunk *
                      sizeof(int32_t),
                  "the gather's staging buffer on rank 0 (--gather-chunk)");
  }
  share->routes.resize(entries);
  Options options = plan.options;
  options.memory_limit = cli::LibraryMemoryLimit(budget);
  cli::WithinBudget(budget, [&] {
    RouteMyRows(in, M, share->rows, options, ranks.rank, share->routes.data(),
                stats ? &share->stats : nullptr);
  });
}

// The output this rank writes, if any: rank 0's whole output when it
// gathers, each rank's part with --per-rank-output. Opened before anything
// is read, so an unwritable path fails first; it stays a temporary file
// until every rank has written its part.
std::unique_ptr<cli::RoutesOutput> OpenOutput(const MpiArgs& args, const Ranks& ranks,
                                              bool gather) {
  if (!gather) {
    return std::make_unique<cli::RoutesOutput>(PerRankPath(args.per_rank_prefix, ranks));
  }
  if (ranks.rank == 0) return std::make_unique<cli::RoutesOutput>(args.route.output);
  return nullptr;
}

int Run(int argc, char** argv, const Ranks& ranks) {
  const double start = MPI_Wtime();
  CLI::App app{
      "phase-router-mpi: `phase-router route` sharded by source rows across "
      "MPI ranks; rank r routes rows [M*r/R, M*(r+1)/R) and rank 0 writes "
      "every row, byte for byte as `phase-router route` does",
      kProgram};
  app.set_version_flag("--version", cli::VersionLine(kProgram));
  MpiArgs args;
  AddOptions(app, args);
  bool done = false;
  if (int s = Agree(ParseCommandLine(app, argc, argv, ranks, &done), ranks)) {
    return s;
  }
  if (done) return 0;
  Plan plan;
  const auto check = [&] { plan = CheckOptions(args, ranks); };
  if (int s = Agree(Attempt(check), ranks)) return s;
  const auto same_options = [&] { CheckSameOptions(args, plan, ranks); };
  if (int s = Agree(Attempt(same_options), ranks)) return s;

  const bool gather = args.per_rank_option->count() == 0;
  std::unique_ptr<cli::RoutesOutput> output;
  const auto open = [&] { output = OpenOutput(args, ranks, gather); };
  if (int s = Agree(Attempt(open), ranks)) return s;

  RankReport report;
  double t0 = MPI_Wtime();
  io::MemoryBudget budget = cli::ToolMemoryBudget(plan.options.memory_limit);
  cli::RouteInputs in;
  const auto read = [&] { in = cli::ReadRouteInputs(args.route, &budget); };
  if (int s = Agree(Attempt(read), ranks)) return s;
  report.read_ms = MillisecondsSince(t0);
  const size_t M = cli::SourceCount(in), E = TargetCount(in);
  const auto same_inputs = [&] { CheckSameInputs(args, in, ranks); };
  if (int s = Agree(Attempt(same_inputs), ranks)) return s;

  t0 = MPI_Wtime();
  Share share;
  const auto route = [&] {
    RouteShare(in, plan, ranks, gather, args.route.stats, budget, &share);
  };
  if (int s = Agree(Attempt(route), ranks)) return s;
  report.route_ms = MillisecondsSince(t0);

  const size_t k = plan.options.k;
  double gather_ms = 0;
  if (gather) {
    t0 = MPI_Wtime();
    // Rank 0's staging buffer is allocated in a step all ranks agree on,
    // so a failed allocation ends the job instead of leaving the other
    // ranks waiting in the gather.
    std::vector<int32_t> staging;
    const auto stage = [&] {
      if (ranks.rank == 0) staging.resize(static_cast<size_t>(ranks.size - 1) * plan.gather_chunk);
    };
    if (int s = Agree(Attempt(stage), ranks)) return s;
    GatherRoutes(M, k, ranks, plan.gather_chunk, staging, &share.routes);
    gather_ms = MillisecondsSince(t0);
  }
  // Written whole or not at all: every part is written (to its temporary
  // file), then, only if all were, moved into place.
  t0 = MPI_Wtime();
  const auto write = [&] {
    if (output) output->Write(share.routes.data(), gather ? M : share.rows.size(), k);
  };
  if (int s = Agree(Attempt(write), ranks)) return s;
  const auto commit = [&] {
    if (output) output->Commit();
  };
  if (int s = Agree(Attempt(commit), ranks)) return s;
  if (!gather) {
    const auto stale = [&] {
      if (ranks.rank == 0) RemoveStaleParts(args.per_rank_prefix, ranks);
    };
    if (int s = Agree(Attempt(stale), ranks)) return s;
  }
  const double write_ms = MillisecondsSince(t0);

  if (args.route.stats) {
    report.begin = static_cast<double>(share.rows.begin);
    report.end = static_cast<double>(share.rows.end);
    report.method = share.stats.method == "arcs"   ? 2
                    : share.stats.method == "bits" ? 1
                                                   : 0;
    report.active_routes = static_cast<double>(share.stats.active_routes);
    report.tiled = share.stats.tiled ? 1 : 0;
    report.laps = static_cast<double>(share.stats.laps);  // < 2^31: exact
    if (int s = Agree(PrintStats(report, ranks, M, E, plan.options, gather_ms, write_ms,
                                 MillisecondsSince(start)),
                      ranks)) {
      return s;
    }
  }
  return 0;
}

}  // namespace
}  // namespace phase_router::mpi

int main(int argc, char** argv) {
  // OpenMP threads route; only the main thread calls MPI.
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  phase_router::mpi::Ranks ranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &ranks.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks.size);
  const int status = phase_router::mpi::Run(argc, argv, ranks);
  MPI_Finalize();
  return status;
}
